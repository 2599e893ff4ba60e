// Where the user is, from the URL's hash (#/endpoints/my-ep/test): bookmarkable, and the server only
// ever serves `/`. Never carries a token.
export type EndpointTab = 'details' | 'test' | 'logs' | 'monitoring' | 'comparison' | 'rollout';

export const ENDPOINT_TABS: ReadonlyArray<{ id: EndpointTab; label: string }> = [
  { id: 'details', label: 'Details' },
  { id: 'test', label: 'Test' },
  { id: 'logs', label: 'Logs' },
  { id: 'monitoring', label: 'Monitoring' },
  { id: 'comparison', label: 'Comparison' },
  { id: 'rollout', label: 'Rollout' },
  // A new tab is one more id here and one more case in pages/endpoint-page.tsx.
];

export type Route =
  | { page: 'endpoints' }
  | { page: 'endpoint'; name: string; tab: EndpointTab }
  | { page: 'audit' }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const parts = path.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'endpoints')) return { page: 'endpoints' };
  if (parts[0] === 'audit' && parts.length === 1) return { page: 'audit' };
  if (parts[0] === 'endpoints' && (parts.length === 2 || parts.length === 3)) {
    const tab = (parts[2] ?? 'details') as EndpointTab;
    if (ENDPOINT_TABS.some((t) => t.id === tab)) return { page: 'endpoint', name: parts[1]!, tab };
  }
  return { page: 'not-found', path };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'endpoints': return '#/endpoints';
    case 'audit': return '#/audit';
    case 'endpoint': return `#/endpoints/${encodeURIComponent(route.name)}${route.tab === 'details' ? '' : `/${route.tab}`}`;
    default: return '#/';
  }
}

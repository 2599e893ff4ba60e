// A state as a coloured pill with its name in text (colour is never the only signal).
const TONES: Record<string, string> = {
  succeeded: 'ok', ready: 'ok', running: 'ok', healthy: 'ok',
  creating: 'busy', updating: 'busy', starting: 'busy', scaling: 'busy', provisioning: 'busy', pending: 'busy',
  failed: 'bad', crashed: 'bad', unhealthy: 'bad', canceled: 'bad', denied: 'bad',
  deleting: 'muted', stopped: 'muted', stopping: 'muted', deleted: 'muted',
};

export function toneOf(state: string): string {
  return TONES[state.toLowerCase()] ?? 'muted';
}

export function StatusPill({ state, tone }: { state: string; tone?: string }) {
  return <span class={`pill pill-${tone ?? toneOf(state)}`}>{state}</span>;
}

/** An HTTP status as a pill: 2xx good, 4xx warning, 5xx bad. */
export function HttpStatusPill({ status }: { status: number }) {
  const tone = status >= 200 && status < 300 ? 'ok' : status >= 500 || status === 0 ? 'bad' : 'warn';
  return <span class={`pill pill-${tone}`}>{status}</span>;
}

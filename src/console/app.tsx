// The shell: sign-in until the server accepts a token, then the navigation and the page the URL's hash
// names. A token the server stops accepting (revoked) signs the user out with the reason.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { SwitchyardClient } from '../sdk/client.js';
import { clientFor, isUnauthorized, messageOf } from './api.js';
import { capabilitiesOf, type Capabilities } from './capabilities.js';
import { parseRoute, type Route } from './route.js';
import { session } from './session.js';
import { SignInPage } from './pages/sign-in-page.js';
import { EndpointsPage } from './pages/endpoints-page.js';
import { EndpointPage } from './pages/endpoint-page.js';
import { AuditPage } from './pages/audit-page.js';
import { Loading } from './components/notice.js';

export interface SignedIn {
  client: SwitchyardClient;
  can: Capabilities;
  /** Call when a request answered 401: the token no longer works. */
  onUnauthorized: (e: unknown) => void;
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function App() {
  const route = useRoute();
  const [state, setState] = useState<{ client: SwitchyardClient; can: Capabilities } | null>(null);
  const [checking, setChecking] = useState(() => session.token() !== null);
  const [signInError, setSignInError] = useState<string | null>(null);

  const signIn = async (token: string): Promise<void> => {
    const client = clientFor(token);
    try {
      const who = await client.whoami();
      session.save(token);
      setSignInError(null);
      setState({ client, can: capabilitiesOf(who) });
    } catch (e) {
      session.clear();
      setSignInError(isUnauthorized(e) ? 'The server refused this token (unknown or revoked). Check it and try again.' : messageOf(e));
    }
  };

  const signOut = (reason?: string) => {
    session.clear();
    setState(null);
    setSignInError(reason ?? null);
  };

  useEffect(() => {
    const token = session.token();
    if (token === null) return;
    void signIn(token).finally(() => setChecking(false));
  }, []);

  const signedIn = useMemo<SignedIn | null>(() => state && {
    ...state,
    onUnauthorized: (e: unknown) => { if (isUnauthorized(e)) signOut('The server no longer accepts your token; sign in again.'); },
  }, [state]);

  useEffect(() => {
    document.title = signedIn ? `${titleOf(route)} · Switchyard` : 'Sign in · Switchyard';
  }, [route, signedIn]);

  if (checking) return <main class="center"><Loading what="your session" /></main>;
  if (!signedIn) return <SignInPage onSignIn={signIn} error={signInError} />;

  return (
    <div class="shell">
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="topbar">
        <a class="brand" href="#/endpoints"><span class="brand-mark" aria-hidden="true" />Switchyard</a>
        <nav aria-label="Main">
          <ul>
            <li><a href="#/endpoints" aria-current={route.page === 'endpoints' || route.page === 'endpoint' ? 'page' : undefined}>Endpoints</a></li>
            {signedIn.can.readAudit ? <li><a href="#/audit" aria-current={route.page === 'audit' ? 'page' : undefined}>Audit</a></li> : null}
          </ul>
        </nav>
        <div class="whoami">
          <span class="whoami-name" data-testid="principal">{signedIn.can.principal}</span>
          <span class="pill pill-role" data-testid="role">{signedIn.can.role}</span>
          <button type="button" class="btn btn-small btn-ghost" onClick={() => signOut()}>Sign out</button>
        </div>
      </header>
      <main id="main" class="content" tabIndex={-1}>
        <PageFor route={route} signedIn={signedIn} />
      </main>
    </div>
  );
}

function titleOf(route: Route): string {
  switch (route.page) {
    case 'endpoints': return 'Endpoints';
    case 'endpoint': return route.name;
    case 'audit': return 'Audit';
    default: return 'Not found';
  }
}

function PageFor({ route, signedIn }: { route: Route; signedIn: SignedIn }) {
  switch (route.page) {
    case 'endpoints': return <EndpointsPage {...signedIn} />;
    case 'endpoint': return <EndpointPage key={route.name} {...signedIn} name={route.name} tab={route.tab} />;
    case 'audit': return signedIn.can.readAudit ? <AuditPage {...signedIn} /> : <NotFound path="audit" />;
    default: return <NotFound path={route.path} />;
  }
}

function NotFound({ path }: { path: string }) {
  return (
    <section class="page">
      <h1>Page not found</h1>
      <p>There is no page at <code>{path}</code>. <a href="#/endpoints">Go to the endpoints</a>.</p>
    </section>
  );
}

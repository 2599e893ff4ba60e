// The console's way to the server: the SDK's typed client, on this page's own origin, with the user's
// token. The console holds no privilege of its own: what the token's role refuses, the server refuses.
import { SwitchyardClient } from '../sdk/client.js';
import { SwitchyardError } from '../errors.js';

export function clientFor(token: string): SwitchyardClient {
  return new SwitchyardClient({
    url: window.location.origin,
    token,
    // Browsers' fetch must be called unbound from any object but window.
    fetch: (input, init) => window.fetch(input, init),
    userAgent: 'switchyard-console',
  });
}

/** A message a person can act on, from whatever a call threw. */
export function messageOf(e: unknown): string {
  if (e instanceof SwitchyardError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export const isUnauthorized = (e: unknown): boolean => e instanceof SwitchyardError && e.code === 'Unauthorized';

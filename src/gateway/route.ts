// Pure routing: (endpoint route, requested deployment, a draw source) → live target and optional mirror
// target. No I/O and no clock, so every case is unit-tested without sockets (test/unit/route*.test.ts).
//
// Split: the caller passes `rand`, a number in [0, 1) per unnamed request. The request goes to the
// deployment whose slice of the cumulative weights contains rand × total. With Math.random that is a
// plain weighted random choice, which over 1,000 requests strays by ±2–3 points (one standard
// deviation of a 10% share is ~0.95 points). The gateway therefore passes a low-discrepancy sequence
// instead (see route-draws.ts: the golden-ratio additive recurrence), which visits every sub-interval
// of [0, 1) in proportion to its length within O(log n / n): a 10% deployment gets 10% ± 0.3 points
// over any 1,000 consecutive requests, and a 0% deployment is never in the table at all.
//
// Mirror: the caller passes `mirrorDraw(percent)`, which the gateway backs with an exact-share
// accumulator (mirror request n when floor(n·p/100) increases), so exactly ⌊n·p/100⌋ of n eligible
// requests are copied.
import type { DeploymentRoute, EndpointRoute } from './snapshot.js';

export type RouteError = 'NoTraffic' | 'UnknownDeployment';

export type RouteResult =
  | { live: DeploymentRoute; mirror: DeploymentRoute | null; error?: undefined }
  | { error: RouteError; live?: undefined; mirror?: undefined };

export type MirrorDraw = (percent: number) => boolean;

const NO_TRAFFIC: RouteResult = Object.freeze({ error: 'NoTraffic' }) as RouteResult;
const UNKNOWN_DEPLOYMENT: RouteResult = Object.freeze({ error: 'UnknownDeployment' }) as RouteResult;

/** The default mirror draw when the caller has no accumulator: independent random sampling. */
export const randomMirrorDraw = (rand: () => number): MirrorDraw => (percent) => rand() * 100 < percent;

/**
 * Finds the deployment a request names in `azureml-model-deployment`. Exact match first; deployment
 * names are case-insensitive in Azure, so fall back to a case-insensitive match.
 */
export function findDeployment(endpoint: EndpointRoute, name: string): DeploymentRoute | undefined {
  const exact = endpoint.deployments[name];
  if (exact !== undefined && Object.prototype.hasOwnProperty.call(endpoint.deployments, name)) return exact;
  const lower = name.toLowerCase();
  for (const key in endpoint.deployments) {
    if (key.toLowerCase() === lower) return endpoint.deployments[key];
  }
  return undefined;
}

export function route(
  endpoint: EndpointRoute,
  requestedDeployment: string | undefined,
  rand: () => number,
  mirrorDraw: MirrorDraw = randomMirrorDraw(rand),
): RouteResult {
  // A named deployment gets the request whatever its traffic (0% and mirror-only included), and such
  // requests are never mirrored (docs/compatibility.md, "Scoring").
  if (requestedDeployment !== undefined && requestedDeployment !== '') {
    const named = findDeployment(endpoint, requestedDeployment);
    return named === undefined ? UNKNOWN_DEPLOYMENT : { live: named, mirror: null };
  }

  const traffic = endpoint.traffic;
  let total = 0;
  for (let i = 0; i < traffic.length; i++) {
    const w = traffic[i]!.weight;
    if (w > 0) total += w;
  }
  if (total <= 0) return NO_TRAFFIC;

  const x = clampUnit(rand()) * total;
  let chosen: string | undefined;
  let acc = 0;
  let lastPositive: string | undefined;
  for (let i = 0; i < traffic.length; i++) {
    const t = traffic[i]!;
    if (!(t.weight > 0)) continue;
    lastPositive = t.deployment;
    acc += t.weight;
    if (x < acc) {
      chosen = t.deployment;
      break;
    }
  }
  // Floating-point rounding can leave x == total: that belongs to the last positive slice.
  chosen ??= lastPositive;
  const live = chosen === undefined ? undefined : endpoint.deployments[chosen];
  // A traffic entry naming a deployment the snapshot does not carry is a broken snapshot; answer as for
  // an unknown deployment rather than guess.
  if (live === undefined) return UNKNOWN_DEPLOYMENT;

  const m = endpoint.mirror;
  if (m === null || !(m.percent > 0) || m.deployment === live.name) return { live, mirror: null };
  const shadow = endpoint.deployments[m.deployment];
  if (shadow === undefined) return { live, mirror: null };
  return { live, mirror: mirrorDraw(m.percent) ? shadow : null };
}

function clampUnit(u: number): number {
  // Defends the table lookup against a misbehaving draw source (NaN, negative, ≥ 1).
  if (!(u >= 0)) return 0;
  return u < 1 ? u : 0.9999999999999999;
}

// Sticky split (the sticky_header extension): a request carrying the header goes to the deployment its
// value picks by weighted rendezvous hashing. Each deployment d draws u = hash(key, d) in (0, 1) and
// scores −ln(u) / weight(d); the lowest score wins. The winner is deployment d with probability
// weight(d) / Σ weights (the minimum of independent exponentials), the same key always wins the same
// deployment while the weights stay, and when weights change only keys whose winner changed move: a
// key moves off a deployment only if that deployment's weight fell (or another's rose enough), so the
// share of keys that moves is about the change in weights, never a reshuffle. Pure; hot path: no
// allocation but the one hash per deployment.
import type { EndpointRoute } from './snapshot.js';

/** 53-bit string hash (cyrb53: two 32-bit multiply-xorshift lanes), seeded per deployment. */
export function hash53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const seeds = new Map<string, number>();

/** A deployment name's seed: the hash of the name, so scores depend on (key, name) only. Cached. */
function seedOf(name: string): number {
  let s = seeds.get(name);
  if (s === undefined) {
    if (seeds.size >= 4096) seeds.clear();
    s = hash53(name, 0x9e3779b9) % 4294967296;
    seeds.set(name, s);
  }
  return s;
}

/** The deployment a key goes to under `traffic` (positive weights only); undefined when none. */
export function stickyDeployment(traffic: EndpointRoute['traffic'], key: string): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (let i = 0; i < traffic.length; i++) {
    const t = traffic[i]!;
    if (!(t.weight > 0)) continue;
    // u in (0, 1]: never 0, so the logarithm is finite.
    const u = (hash53(key, seedOf(t.deployment)) + 1) / 9007199254740992;
    const score = -Math.log(u) / t.weight;
    if (score < bestScore) {
      bestScore = score;
      best = t.deployment;
    }
  }
  return best;
}

/**
 * The draw route() needs to pick the key's deployment: the middle of that deployment's slice of the
 * cumulative weights (route.ts walks positive weights in snapshot order).
 */
export function stickyDraw(traffic: EndpointRoute['traffic'], key: string): number {
  const chosen = stickyDeployment(traffic, key);
  let total = 0;
  for (const t of traffic) if (t.weight > 0) total += t.weight;
  let acc = 0;
  for (const t of traffic) {
    if (!(t.weight > 0)) continue;
    if (t.deployment === chosen) return (acc + t.weight / 2) / total;
    acc += t.weight;
  }
  return 0;
}

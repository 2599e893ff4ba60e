// The traffic editor's rules, checked as the user types: the same pure functions the control plane
// applies (src/spec/traffic.ts), so the page refuses exactly what the server would refuse, before
// anything is sent, and shows the exact PATCH body it will send.
import { isSwitchyardError } from '../errors.js';
import { validateMirror, validateTraffic, type TrafficMap } from '../spec/traffic.js';
import type { EndpointPatch } from '../sdk/types.js';

/** What the user typed: one text per deployment and kind. */
export interface TrafficDraft {
  live: Record<string, string>;
  mirror: Record<string, string>;
}

export interface DraftCheck {
  /** Messages of every rule broken (empty: the change may be sent). */
  errors: string[];
  liveTotal: number | null;
  /** The PATCH body to send: only the maps that changed, each whole (the server replaces maps whole). */
  patch: EndpointPatch | null;
}

export function draftOf(deployments: readonly string[], traffic: TrafficMap, mirror: TrafficMap): TrafficDraft {
  const draft: TrafficDraft = { live: {}, mirror: {} };
  for (const name of deployments) {
    draft.live[name] = String(traffic[name] ?? 0);
    draft.mirror[name] = String(mirror[name] ?? 0);
  }
  return draft;
}

function parsePercents(kind: string, texts: Record<string, string>, errors: string[]): TrafficMap | null {
  const out: TrafficMap = {};
  let ok = true;
  for (const [name, text] of Object.entries(texts)) {
    const t = text.trim();
    if (t === '') { out[name] = 0; continue; }
    if (!/^\d{1,3}$/.test(t) || Number(t) > 100) {
      errors.push(`${kind} traffic of ${name} must be a whole number from 0 to 100; got ${JSON.stringify(text)}.`);
      ok = false;
      continue;
    }
    out[name] = Number(t);
  }
  return ok ? out : null;
}

const sameMap = (a: TrafficMap, b: TrafficMap): boolean => {
  const nz = (m: TrafficMap) => Object.entries(m).filter(([, v]) => v !== 0).sort(([x], [y]) => x.localeCompare(y));
  return JSON.stringify(nz(a)) === JSON.stringify(nz(b));
};

export function checkDraft(endpoint: string, deployments: readonly string[], current: { traffic: TrafficMap; mirror: TrafficMap }, draft: TrafficDraft): DraftCheck {
  const errors: string[] = [];
  const live = parsePercents('Live', draft.live, errors);
  const mirror = parsePercents('Mirror', draft.mirror, errors);
  const liveTotal = live ? Object.values(live).reduce((a, b) => a + b, 0) : null;
  if (!live || !mirror) return { errors, liveTotal, patch: null };
  let storedLive: TrafficMap = live;
  try {
    storedLive = validateTraffic(live, endpoint, deployments);
  } catch (e) {
    errors.push(isSwitchyardError(e) ? e.message : String(e));
  }
  try {
    validateMirror(mirror, storedLive, endpoint, deployments);
  } catch (e) {
    errors.push(isSwitchyardError(e) ? e.message : String(e));
  }
  if (errors.length) return { errors, liveTotal, patch: null };
  const patch: EndpointPatch = {};
  if (!sameMap(live, current.traffic)) patch.traffic = live;
  if (!sameMap(mirror, current.mirror)) patch.mirror_traffic = mirror;
  return { errors, liveTotal, patch: Object.keys(patch).length ? patch : null };
}

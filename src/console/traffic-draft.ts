// The traffic editor's rules, checked as the user types: the same pure functions the control plane
// applies (src/spec/traffic.ts), so the page refuses exactly what the server would refuse, before
// anything is sent, and shows the exact PATCH body it will send.
import { isSwitchyardError } from '../errors.js';
import { validateMirror, validateTraffic, type TrafficMap } from '../spec/traffic.js';
import { validateShadows } from '../spec/shadow-traffic.js';
import type { EndpointPatch } from '../sdk/types.js';

/** What the user typed: one text per deployment and kind. */
export interface TrafficDraft {
  live: Record<string, string>;
  mirror: Record<string, string>;
  /** The shadow_traffic extension (docs/shadow-evaluation.md); absent: not edited. */
  shadow?: Record<string, string>;
}

export interface DraftCheck {
  /** Messages of every rule broken (empty: the change may be sent). */
  errors: string[];
  liveTotal: number | null;
  /** The PATCH body to send: only the maps that changed, each whole (the server replaces maps whole). */
  patch: EndpointPatch | null;
}

export function draftOf(deployments: readonly string[], traffic: TrafficMap, mirror: TrafficMap, shadow: TrafficMap = {}): TrafficDraft {
  const draft = { live: {}, mirror: {}, shadow: {} } as Required<TrafficDraft>;
  for (const name of deployments) {
    draft.live[name] = String(traffic[name] ?? 0);
    draft.mirror[name] = String(mirror[name] ?? 0);
    draft.shadow[name] = String(shadow[name] ?? 0);
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

export function checkDraft(
  endpoint: string, deployments: readonly string[], current: { traffic: TrafficMap; mirror: TrafficMap; shadow?: TrafficMap }, draft: TrafficDraft,
): DraftCheck {
  const errors: string[] = [];
  const live = parsePercents('Live', draft.live, errors);
  const mirror = parsePercents('Mirror', draft.mirror, errors);
  const shadow = draft.shadow ? parsePercents('Shadow', draft.shadow, errors) : {};
  const liveTotal = live ? Object.values(live).reduce((a, b) => a + b, 0) : null;
  if (!live || !mirror || !shadow) return { errors, liveTotal, patch: null };
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
  if (draft.shadow) {
    try {
      validateShadows(shadow, mirror, endpoint, deployments);
    } catch (e) {
      errors.push(isSwitchyardError(e) ? e.message : String(e));
    }
  }
  if (errors.length) return { errors, liveTotal, patch: null };
  const patch: EndpointPatch = {};
  if (!sameMap(live, current.traffic)) patch.traffic = live;
  if (!sameMap(mirror, current.mirror)) patch.mirror_traffic = mirror;
  if (draft.shadow && !sameMap(shadow, current.shadow ?? {})) patch.shadow_traffic = shadow;
  return { errors, liveTotal, patch: Object.keys(patch).length ? patch : null };
}

// Version pins of conda and pip requirements ("=1.7.0", "==1.2.*", ">=1.0,<2", "~=1.4") and whether an
// installed version meets them. A pin that is not met is a warning of the storage initializer, never a
// failure: the interpreter's packages are what they are.

export type PinOperator = '==' | '!=' | '>=' | '<=' | '>' | '<' | '~=' | '=' | '===';

export interface Pin {
  op: PinOperator;
  version: string;
}

const OPERATORS: PinOperator[] = ['===', '==', '!=', '>=', '<=', '~=', '>', '<', '='];

/** Parse "==1.2.0,<2" (pip) or "1.7.0" / "=1.7.0" / ">=1.2" (conda, where a bare version means "1.7.0*"). */
export function parsePins(text: string): Pin[] {
  const pins: Pin[] = [];
  for (const raw of text.split(/[,|]/)) {
    const part = raw.trim();
    if (!part) continue;
    const op = OPERATORS.find((o) => part.startsWith(o));
    const version = (op ? part.slice(op.length) : part).trim();
    if (!version) continue;
    pins.push({ op: op ?? '=', version });
  }
  return pins;
}

/** Release parts of a version: "1.24.2" → [1, 24, 2]; "2.0.0rc1" → [2, 0, 0]; "1.2.*" → [1, 2]. */
export function releaseParts(version: string): number[] {
  const parts: number[] = [];
  for (const piece of version.replace(/^v/i, '').split('.')) {
    const m = /^(\d+)/.exec(piece);
    if (!m) break;
    parts.push(Number(m[1]));
    if (m[1]!.length !== piece.length) break;
  }
  return parts;
}

export function compareVersions(a: string, b: string): number {
  const pa = releaseParts(a);
  const pb = releaseParts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Does `version` start with the release parts of `prefix` ("1.7" matches "1.7.3", not "1.70")? */
function prefixMatches(version: string, prefix: string): boolean {
  const want = releaseParts(prefix.replace(/\.?\*$/, ''));
  const have = releaseParts(version);
  return want.every((n, i) => (have[i] ?? 0) === n);
}

export function pinSatisfied(version: string, pin: Pin): boolean {
  const wildcard = pin.version.endsWith('*');
  switch (pin.op) {
    case '=':
      return prefixMatches(version, pin.version);
    case '==':
    case '===':
      return wildcard ? prefixMatches(version, pin.version) : compareVersions(version, pin.version) === 0;
    case '!=':
      return wildcard ? !prefixMatches(version, pin.version) : compareVersions(version, pin.version) !== 0;
    case '>=':
      return compareVersions(version, pin.version) >= 0;
    case '<=':
      return compareVersions(version, pin.version) <= 0;
    case '>':
      return compareVersions(version, pin.version) > 0;
    case '<':
      return compareVersions(version, pin.version) < 0;
    case '~=': {
      // ~=1.4.5 means >=1.4.5 and ==1.4.*
      const parts = releaseParts(pin.version);
      const prefix = parts.slice(0, Math.max(1, parts.length - 1)).join('.');
      return compareVersions(version, pin.version) >= 0 && prefixMatches(version, prefix);
    }
  }
}

export function pinsSatisfied(version: string, pins: Pin[]): boolean {
  return pins.every((p) => pinSatisfied(version, p));
}

export function formatPins(pins: Pin[]): string {
  return pins.map((p) => `${p.op}${p.version}`).join(',');
}

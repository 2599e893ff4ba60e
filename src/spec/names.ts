// Name rules of endpoints and deployments (docs/compatibility.md, "Names and limits"). Azure uses the name in a DNS label and a URL path,
// hence the narrow alphabet. The message names the rule that failed and shows the value, so a user can
// fix the YAML without looking the rules up.
import { SwitchyardError } from '../errors.js';

export type NamedKind = 'endpoint' | 'deployment';

export const NAME_MIN = 3;
export const NAME_MAX = 32;

/** The first rule the name breaks, or null when it is valid. */
export function nameRuleBroken(value: string): string | null {
  if (value.length < NAME_MIN || value.length > NAME_MAX) {
    return `must be ${NAME_MIN} to ${NAME_MAX} characters long (it has ${value.length})`;
  }
  if (!/^[A-Za-z]/.test(value)) return 'must start with a letter';
  const bad = /[^A-Za-z0-9-]/.exec(value);
  if (bad) return `may contain only letters, digits and '-' (found ${JSON.stringify(bad[0])})`;
  if (value.endsWith('-')) return "must not end with '-'";
  return null;
}

/** Throws InvalidName unless `value` is a valid endpoint or deployment name. */
export function validateName(kind: NamedKind, value: unknown): string {
  if (typeof value !== 'string') {
    throw new SwitchyardError('InvalidName', `The ${kind} name must be a string, got ${describeValue(value)}.`);
  }
  const broken = nameRuleBroken(value);
  if (broken) {
    throw new SwitchyardError('InvalidName', `Invalid ${kind} name ${JSON.stringify(value)}: it ${broken}.`);
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return `${typeof value} ${JSON.stringify(value)}`;
}

// `--traffic "blue=90 green=10"` and `--mirror-traffic "green=10"`: space- (or comma-) separated
// name=percent pairs, as az ml takes them. Words may also come as separate arguments.
import { SwitchyardError } from '../errors.js';

export function parseTrafficFlag(words: readonly string[], flag: string): Record<string, number> {
  const pairs = words.join(' ').split(/[\s,]+/).filter(Boolean);
  if (!pairs.length) throw bad(flag, words.join(' '), 'no deployment=percent pairs');
  const out: Record<string, number> = {};
  for (const pair of pairs) {
    const m = /^([^=]+)=(.*)$/.exec(pair);
    if (!m) throw bad(flag, pair, "expected deployment=percent, e.g. blue=90");
    const [, name, value] = m;
    if (!/^\d+$/.test(value!.trim())) throw bad(flag, pair, 'the percentage must be a whole number from 0 to 100');
    const n = Number(value);
    if (n > 100) throw bad(flag, pair, 'the percentage must be a whole number from 0 to 100');
    if (name! in out) throw bad(flag, pair, `deployment '${name}' is named twice`);
    out[name!] = n;
  }
  return out;
}

function bad(flag: string, text: string, why: string): SwitchyardError {
  return new SwitchyardError('UsageError', `argument --${flag}: invalid value '${text}': ${why}. Example: --${flag} "blue=90 green=10"`);
}

// Kubernetes resource quantities (`500m`, `2`, `1.5Gi`, `512Mi`, `1e3`) as a deployment's `resources`
// map writes them: checked before they reach a manifest, compared so that a request never exceeds its
// limit, and printed from bytes. The grammar is the API server's (resource.Quantity), without the
// exponent forms nobody writes in YAML.
import { SwitchyardError } from '../../errors.js';

const SUFFIX: Record<string, number> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

const QUANTITY = /^([+]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

/** The value of a quantity (cores for cpu, bytes for memory), or an InvalidValue naming `field`. */
export function parseQuantity(field: string, value: unknown): number {
  const text = typeof value === 'number' && Number.isFinite(value) && value >= 0 ? String(value) : value;
  const m = typeof text === 'string' ? QUANTITY.exec(text.trim()) : null;
  if (!m) {
    throw new SwitchyardError('InvalidValue',
      `${field} must be a Kubernetes quantity such as 500m, 2, 512Mi or 1.5Gi, got ${JSON.stringify(value)}.`);
  }
  return Number(m[1]) * SUFFIX[m[2] ?? '']!;
}

/** The quantity as the manifest carries it: the text as written (numbers as their decimal text). */
export function quantityText(field: string, value: unknown): string {
  parseQuantity(field, value);
  return String(value).trim();
}

/** Bytes as a quantity: whole GiB or MiB when exact (`14Gi`, `3584Mi`), else plain bytes. */
export function bytesQuantity(bytes: number): string {
  if (bytes % 2 ** 30 === 0) return `${bytes / 2 ** 30}Gi`;
  if (bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20}Mi`;
  return String(bytes);
}

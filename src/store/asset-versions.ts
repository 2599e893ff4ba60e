// The rules of registering a model or environment version, the same on every store: the body is the
// content without name and version; an omitted version is one more than the highest whole-number
// version (1 when none); an existing version with the same content answers that version, and other
// content is refused (assets are immutable). Each store supplies its own reads and insert, and runs
// this inside its transaction.
import { SwitchyardError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import type { AssetRow } from './sqlite-store.js';

export interface AssetRows {
  versions(name: string): AssetRow[];
  get(name: string, version: string): AssetRow | undefined;
  insert(name: string, version: string, body: string): void;
}

export function createAssetVersion(rows: AssetRows, kind: 'model' | 'environment', content: { name: string; version?: string }): { row: AssetRow; created: boolean } {
  const { name } = content;
  const body = { ...content } as Record<string, unknown>;
  delete body.name;
  delete body.version;
  let version = content.version;
  if (version === undefined) {
    const versions = rows.versions(name).map((r) => Number(r.version)).filter((v) => Number.isSafeInteger(v) && v >= 0);
    version = String(versions.length ? Math.max(...versions) + 1 : 1);
  }
  const existing = rows.get(name, version);
  if (existing) {
    if (canonicalJson(JSON.parse(existing.body)) === canonicalJson(body)) return { row: existing, created: false };
    throw new SwitchyardError('AssetImmutable',
      `${kind === 'model' ? 'Model' : 'Environment'} ${name}:${version} already exists with other content; assets are immutable. Register a new version (omit version to get the next one).`);
  }
  rows.insert(name, version, JSON.stringify(body));
  return { row: rows.get(name, version)!, created: true };
}

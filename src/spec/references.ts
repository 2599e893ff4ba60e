// References a deployment makes to assets and artifacts: `azureml:name:version`, `azureml:name@latest`,
// the long form `azureml:/.../models/name/versions/3`, and artifact digests `sha256:<64 hex>`.
import { SwitchyardError } from '../errors.js';

export type AssetRef = { name: string; version: string | 'latest' };

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export const isDigest = (value: string): boolean => DIGEST.test(value);

export function expectDigest(field: string, value: unknown): string {
  if (typeof value !== 'string' || !DIGEST.test(value)) {
    throw new SwitchyardError('InvalidReference',
      `${field} must be the digest of an uploaded artifact (sha256:<64 hex digits>), got ${JSON.stringify(value)}. The CLI uploads local paths and sends their digest.`);
  }
  return value;
}

/** Parses an `azureml:` asset reference; null when the string does not start with `azureml:`. */
export function parseAssetRef(field: string, value: string): AssetRef | null {
  if (!value.startsWith('azureml:')) return null;
  const rest = value.slice('azureml:'.length);
  const long = /(?:^|\/)(?:models|environments)\/([^/]+)\/versions\/([^/]+)$/.exec(rest);
  if (long) return { name: long[1]!, version: long[2]! };
  const latest = /^([A-Za-z0-9][A-Za-z0-9._-]*)@latest$/.exec(rest);
  if (latest) return { name: latest[1]!, version: 'latest' };
  const pinned = /^([A-Za-z0-9][A-Za-z0-9._-]*):([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(rest);
  if (pinned) return { name: pinned[1]!, version: pinned[2]! };
  throw new SwitchyardError('InvalidReference',
    `${field} ${JSON.stringify(value)} is not a valid asset reference: use azureml:<name>:<version> or azureml:<name>@latest.`);
}

export const formatAssetRef = (name: string, version: string): string => `azureml:${name}:${version}`;

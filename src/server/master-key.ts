// The master key that seals endpoint keys and token secrets in the store (AES-256-GCM), in
// `<data-dir>/master-key`, or in the file `--master-key-file` / SWITCHYARD_MASTER_KEY_FILE names (every
// replica of a shared PostgreSQL store is given the same file: docs/scale-out.md). Losing it loses
// those secrets: back it up with the data dir, apart from the database if you can (a copy of the
// database alone then reveals no key).
import { createHmac } from 'node:crypto';
import { join, resolve } from 'node:path';
import { SecretCipher } from '../store/secret-cipher.js';
import { ensureSecretFile } from './secret-file.js';

export const MASTER_KEY_FILE = 'master-key';

export async function ensureMasterKey(dataDir: string, file?: string): Promise<{ cipher: SecretCipher; path: string; created: boolean; check: string; key: Buffer }> {
  const path = file ? resolve(file) : join(dataDir, MASTER_KEY_FILE);
  const { value: raw, created } = await ensureSecretFile(path);
  // base64url with or without padding (`basenc --base64url` pads; Node does not).
  const value = raw.replace(/=+$/, '');
  const key = Buffer.from(value, 'base64url');
  if (key.length !== 32 || key.toString('base64url') !== value) {
    throw new Error(`${path} does not hold a master key (32 bytes, base64url). Restore the original file; ` +
      'a new key cannot read the endpoint keys already stored.');
  }
  return { cipher: new SecretCipher(key), path, created, check: keyCheckValue(key), key };
}

/**
 * A key check value: tells whether two replicas hold the same master key without revealing it
 * (HMAC-SHA256 of a fixed label under the key; the key cannot be recovered from it).
 */
export function keyCheckValue(key: Buffer): string {
  return createHmac('sha256', key).update('switchyard master key check v1').digest('base64url');
}

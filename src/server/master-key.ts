// The master key that seals endpoint keys and token secrets in the store (AES-256-GCM), in
// `<data-dir>/master-key`. Losing it loses those secrets: back it up with the data dir, apart from the
// database if you can (a copy of switchyard.db alone then reveals no key).
import { join } from 'node:path';
import { SecretCipher } from '../store/secret-cipher.js';
import { ensureSecretFile } from './secret-file.js';

export const MASTER_KEY_FILE = 'master-key';

export async function ensureMasterKey(dataDir: string): Promise<{ cipher: SecretCipher; path: string; created: boolean }> {
  const path = join(dataDir, MASTER_KEY_FILE);
  const { value, created } = await ensureSecretFile(path);
  const key = Buffer.from(value, 'base64url');
  if (key.length !== 32 || key.toString('base64url') !== value) {
    throw new Error(`${path} does not hold a master key (32 bytes, base64url). Restore the original file; ` +
      'a new key cannot read the endpoint keys already stored.');
  }
  return { cipher: new SecretCipher(key), path, created };
}

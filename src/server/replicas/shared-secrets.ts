// Every replica of one store must hold the same master key (it seals the endpoint keys in the store) and
// the same admin token. The first replica records check values of both in the store; a later replica
// with another key or token is refused at start, before it answers anything or seals anything. The
// secrets themselves never enter the store: each replica reads them from its own files
// (--master-key-file, --admin-token-file; docs/scale-out.md).
import { createHash } from 'node:crypto';
import type { ClusterLink } from './cluster-link.js';

export interface SecretChecks {
  /** keyCheckValue(master key) (master-key.ts). */
  masterKey: { check: string; path: string };
  adminToken: { token: string; path: string };
}

export class SharedSecretMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SharedSecretMismatch';
  }
}

const tokenCheck = (token: string): string => createHash('sha256').update(`switchyard admin token check v1\n${token}`).digest('base64url');

/** Records the check values when the store has none; throws SharedSecretMismatch when they differ. */
export async function verifySharedSecrets(link: ClusterLink, secrets: SecretChecks): Promise<{ firstReplica: boolean }> {
  const mine = { master_key_check: secrets.masterKey.check, admin_token_check: tokenCheck(secrets.adminToken.token) };
  const inserted = await link.query<{ name: string }>(
    `INSERT INTO switchyard_cluster (name, value) VALUES ('master_key_check', $1), ('admin_token_check', $2)
     ON CONFLICT (name) DO NOTHING RETURNING name`, [mine.master_key_check, mine.admin_token_check]);
  const rows = await link.query<{ name: string; value: string }>(
    `SELECT name, value FROM switchyard_cluster WHERE name IN ('master_key_check', 'admin_token_check')`);
  const stored = Object.fromEntries(rows.map((r) => [r.name, r.value]));
  if (stored.master_key_check !== mine.master_key_check) {
    throw new SharedSecretMismatch(
      `The master key in ${secrets.masterKey.path} is not the one this store was initialised with: this replica could not open the ` +
      'endpoint keys the others sealed. Give every replica the same key file (--master-key-file or SWITCHYARD_MASTER_KEY_FILE; docs/scale-out.md).');
  }
  if (stored.admin_token_check !== mine.admin_token_check) {
    throw new SharedSecretMismatch(
      `The admin token in ${secrets.adminToken.path} is not the one the other replicas of this store use. Give every replica the same ` +
      'token file (--admin-token-file or SWITCHYARD_ADMIN_TOKEN_FILE). To change the admin token, stop every replica, run ' +
      `"DELETE FROM switchyard_cluster WHERE name = 'admin_token_check'" and start them with the new file (docs/scale-out.md).`);
  }
  return { firstReplica: inserted.length > 0 };
}

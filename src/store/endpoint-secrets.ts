// Sealing of the secrets an endpoint row holds (its keys and its aml_token signing secret), shared by
// the SQLite and PostgreSQL stores: AES-256-GCM under the master key, the row and column as associated
// data (secret-cipher.ts). Without a cipher the values are kept as they are.
import { SecretCipher } from './secret-cipher.js';

/** Columns of `endpoints` that hold secrets (sealed when the store has a cipher). */
export const SECRET_COLUMNS = ['primary_key', 'secondary_key', 'token_secret'] as const;
export type SecretColumn = (typeof SECRET_COLUMNS)[number];

export class EndpointSecrets {
  constructor(private readonly cipher: SecretCipher | undefined) {}

  seal(endpoint: string, column: SecretColumn, plain: string): string {
    return this.cipher ? this.cipher.seal(plain, `endpoints/${endpoint}/${column}`) : plain;
  }

  open(endpoint: string, column: SecretColumn, stored: string): string {
    if (!SecretCipher.isSealed(stored)) return stored;
    if (!this.cipher) throw new Error(`The ${column} of endpoint ${endpoint} is encrypted; open the store with the master key.`);
    try {
      return this.cipher.open(stored, `endpoints/${endpoint}/${column}`);
    } catch {
      throw new Error(`Cannot decrypt the ${column} of endpoint ${JSON.stringify(endpoint)} with <data-dir>/master-key: ` +
        'the master key is not the one the store was written with (restore the original master-key file).');
    }
  }

  /**
   * For the rows of a store being opened: the sealed values of those still in plain text (written by a
   * server before encryption at rest), after checking that sealed ones open with this key, so a wrong
   * or lost master key stops the start with a clear error instead of failing requests later.
   */
  resealPlain(rows: ({ name: string } & Record<SecretColumn, string>)[]): { name: string; values: string[] }[] {
    if (!this.cipher) {
      if (rows.some((r) => SECRET_COLUMNS.some((c) => SecretCipher.isSealed(r[c])))) {
        throw new Error('The store holds encrypted endpoint keys; open it with the master key (<data-dir>/master-key).');
      }
      return [];
    }
    const out: { name: string; values: string[] }[] = [];
    for (const row of rows) {
      const plain = SECRET_COLUMNS.map((c) => this.open(row.name, c, row[c]));
      if (SECRET_COLUMNS.every((c) => SecretCipher.isSealed(row[c]))) continue;
      out.push({ name: row.name, values: SECRET_COLUMNS.map((c, i) => this.seal(row.name, c, plain[i]!)) });
    }
    return out;
  }
}

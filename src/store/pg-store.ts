// The PostgreSQL implementation of Store, for several control-plane replicas sharing one store
// (`switchyard serve --store postgres://...`). Same records and rules as sqlite-store.ts (the row
// mappers and secret sealing are shared with it); the schema is pg-schema.ts.
// Calls are synchronous, as the interface wants, through PgSyncClient (a `pg` connection in a worker).
// Writes: every transaction(fn), and every store method that reads before it writes, runs as one
// PostgreSQL transaction (BEGIN/COMMIT on the one connection, ROLLBACK when fn throws) that first
// takes a transaction-scoped advisory lock (STORE_WRITE_LOCK): writers of all replicas take turns, as
// SQLite's single writer does, so a read-then-write in fn sees every write committed before it and no
// two replicas interleave. A serialisation failure or deadlock reported anyway is retried (the whole
// fn, twice) and then answered as StoreConflict; a store that does not answer is StoreUnavailable.
import { SwitchyardError } from '../errors.js';
import { createAssetVersion } from './asset-versions.js';
import type { ArtifactInfo, EnvironmentAsset, ModelAsset, Operation, OperationStatus } from '../spec/types.js';
import type { EnvironmentContent, ModelContent } from '../spec/asset-input.js';
import type {
  AccessTokenRecord, AssetWrite, AuditEntry, DeniedAttempt, DeploymentChanges, DeploymentRecord, EndpointChanges, EndpointRecord, GatewayRecord,
  GatewayReport, Store,
} from './store.js';
import type { RolloutRecord, RolloutStatus } from '../spec/rollout.js';
import type { SecretCipher } from './secret-cipher.js';
import { EndpointSecrets, type SecretColumn } from './endpoint-secrets.js';
import { PgError, PgSyncClient, type PgSyncClientOptions } from './pg-sync-client.js';
import { PG_MIGRATIONS } from './pg-schema.js';
import {
  assetFromRow, deploymentFromRow, endpointFromRow, operationFromRow, rolloutFromRow,
  type AssetRow, type DeploymentRow, type EndpointRow, type OperationRow, type RolloutRow,
} from './sqlite-store.js';

/** The schema version a fully migrated PostgreSQL store records (same numbering as SQLite's). */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/**
 * Key of the advisory lock every write transaction holds (pg_advisory_xact_lock(classid, objid)):
 * 0x5359 ('SY') and 1. Other Switchyard locks (leader election) use other objids under the same classid.
 */
export const STORE_WRITE_LOCK = [0x5359, 1] as const;

type AssetTable = 'models' | 'environments';

export interface PgStoreOptions extends PgSyncClientOptions {
  now?: () => Date;
  /** Seals endpoint keys and token secrets at rest (the server always gives one). */
  cipher?: SecretCipher;
}

const RETRIES = 2;

export class PgStore implements Store {
  private readonly now: () => Date;
  private readonly secrets: EndpointSecrets;
  private depth = 0;

  private constructor(private readonly db: PgSyncClient, options: PgStoreOptions) {
    this.now = options.now ?? (() => new Date());
    this.secrets = new EndpointSecrets(options.cipher);
  }

  /** Connects, applies pending migrations and seals plain-text secrets; the URL is postgres://... */
  static async open(url: string, options: PgStoreOptions = {}): Promise<PgStore> {
    const db = await PgSyncClient.open(url, options);
    const store = new PgStore(db, options);
    try {
      store.migrate();
      store.sealPlainSecrets();
    } catch (e) {
      db.close();
      if (e instanceof PgError && e.connection) {
        throw new SwitchyardError('StoreUnavailable', `Cannot reach the PostgreSQL store at ${redactUrl(url)}: ${e.message}`);
      }
      throw e;
    }
    return store;
  }

  /** Runs SQL through the bridge, turning a lost connection into StoreUnavailable. */
  private q<R = Record<string, unknown>>(sql: string, params?: unknown[]): { rows: R[]; rowCount: number } {
    try {
      return this.db.query<R>(sql, params, { inTransaction: this.depth > 0 });
    } catch (e) {
      if (e instanceof PgError && e.connection) {
        throw new SwitchyardError('StoreUnavailable', `The PostgreSQL store is unreachable (${e.message}); the request was not completed. Retry once the database is back.`);
      }
      throw e;
    }
  }

  /**
   * A write that may fail on a constraint the caller turns into a typed error: inside a transaction it
   * runs under a savepoint, so the transaction survives the failure as it does in SQLite (PostgreSQL
   * otherwise refuses every later statement of a transaction that had an error).
   */
  private guarded(sql: string, params: unknown[]): void {
    if (this.depth === 0) { this.q(sql, params); return; }
    this.q('SAVEPOINT guarded');
    try {
      this.q(sql, params);
    } catch (e) {
      this.rollbackQuietly('ROLLBACK TO SAVEPOINT guarded');
      throw e;
    }
    this.q('RELEASE SAVEPOINT guarded');
  }

  private one<R>(sql: string, params?: unknown[]): R | undefined {
    return this.q<R>(sql, params).rows[0];
  }

  /** The schema version this database records (0 before the first migration). */
  schemaVersion(): number {
    return this.one<{ v: number }>('SELECT coalesce(max(version), 0) AS v FROM schema_migrations')!.v;
  }

  private migrate(): void {
    this.q(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`);
    this.transaction(() => {
      const done = this.schemaVersion();
      if (done > PG_MIGRATIONS.length) {
        throw new Error(`The PostgreSQL store has schema version ${done}, newer than this server knows (${PG_MIGRATIONS.length}); run the newer Switchyard, or restore a backup.`);
      }
      for (let i = done; i < PG_MIGRATIONS.length; i++) {
        this.q(PG_MIGRATIONS[i]!);
        this.q('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [i + 1, this.stamp()]);
      }
    });
  }

  private sealPlainSecrets(): void {
    this.transaction(() => {
      const rows = this.q<Pick<EndpointRow, 'name' | SecretColumn>>('SELECT name, primary_key, secondary_key, token_secret FROM endpoints').rows;
      for (const r of this.secrets.resealPlain(rows)) {
        this.q('UPDATE endpoints SET primary_key = $1, secondary_key = $2, token_secret = $3 WHERE name = $4', [...r.values, r.name]);
      }
    });
  }

  private endpointFromRow(row: EndpointRow): EndpointRecord {
    return endpointFromRow({
      ...row,
      primary_key: this.secrets.open(row.name, 'primary_key', row.primary_key),
      secondary_key: this.secrets.open(row.name, 'secondary_key', row.secondary_key),
      token_secret: this.secrets.open(row.name, 'token_secret', row.token_secret),
    });
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  transaction<T>(fn: () => T): T {
    if (this.depth > 0) {
      // Nested: a savepoint, as better-sqlite3 does, so the inner part can fail alone.
      const name = `sp${this.depth}`;
      this.q(`SAVEPOINT ${name}`);
      this.depth++;
      try {
        const result = fn();
        this.q(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (e) {
        this.rollbackQuietly(`ROLLBACK TO SAVEPOINT ${name}`);
        throw e;
      } finally {
        this.depth--;
      }
    }
    for (let attempt = 0; ; attempt++) {
      try {
        // One round trip for both (a text of two statements, sent without parameters). Sent at depth 0:
        // a lost connection is made again for it.
        this.q(`BEGIN; SELECT pg_advisory_xact_lock(${STORE_WRITE_LOCK[0]}, ${STORE_WRITE_LOCK[1]})`);
        this.depth = 1;
        const result = fn();
        if (result && typeof (result as { then?: unknown }).then === 'function') {
          throw new TypeError('Store.transaction(fn): fn must be synchronous (it returned a promise).');
        }
        this.q('COMMIT');
        return result;
      } catch (e) {
        this.rollbackQuietly('ROLLBACK');
        if (e instanceof PgError && (e.code === '40001' || e.code === '40P01')) {
          if (attempt < RETRIES) continue;
          throw new SwitchyardError('StoreConflict',
            `A write kept conflicting with other control-plane replicas (${e.message}); nothing was changed. Retry the request.`);
        }
        throw e;
      } finally {
        this.depth = 0;
      }
    }
  }

  private rollbackQuietly(sql: string): void {
    try { this.db.query(sql, undefined, { inTransaction: true }); } catch { /* the connection is gone: PostgreSQL rolled back already */ }
  }

  close(): void {
    this.db.close();
  }

  // --- endpoints -------------------------------------------------------------------------------

  getEndpoint(name: string): EndpointRecord | undefined {
    const row = this.one<EndpointRow>('SELECT * FROM endpoints WHERE name = $1', [name]);
    return row && this.endpointFromRow(row);
  }

  listEndpoints(): EndpointRecord[] {
    return this.q<EndpointRow>('SELECT * FROM endpoints ORDER BY created_at, name').rows.map((r) => this.endpointFromRow(r));
  }

  insertEndpoint(name: string, record: Omit<EndpointRecord, 'generation' | 'created_at' | 'updated_at'>): EndpointRecord {
    const at = this.stamp();
    try {
      this.guarded(`INSERT INTO endpoints (name, spec, provisioning_state, primary_key, secondary_key, token_secret, generation, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)`, [
        name, JSON.stringify(record.spec), record.provisioning_state, this.secrets.seal(name, 'primary_key', record.keys.primaryKey),
        this.secrets.seal(name, 'secondary_key', record.keys.secondaryKey), this.secrets.seal(name, 'token_secret', record.token_secret), at, at]);
    } catch (e) {
      if (isUniqueViolation(e)) throw new SwitchyardError('EndpointExists', `Endpoint ${JSON.stringify(name)} already exists.`);
      throw e;
    }
    return this.getEndpoint(name)!;
  }

  updateEndpoint(name: string, changes: EndpointChanges): EndpointRecord {
    return this.transaction(() => {
      const current = this.getEndpoint(name);
      if (!current) throw new SwitchyardError('EndpointNotFound', `Endpoint ${JSON.stringify(name)} does not exist.`);
      const spec = changes.spec ?? current.spec;
      const keys = changes.keys ?? current.keys;
      const generation = current.generation + (changes.spec ? 1 : 0);
      const tokenSecret = changes.token_secret ?? current.token_secret;
      this.q(`UPDATE endpoints SET spec = $1, provisioning_state = $2, primary_key = $3, secondary_key = $4, token_secret = $5, generation = $6,
        updated_at = $7 WHERE name = $8`, [
        JSON.stringify(spec), changes.provisioning_state ?? current.provisioning_state, this.secrets.seal(name, 'primary_key', keys.primaryKey),
        this.secrets.seal(name, 'secondary_key', keys.secondaryKey), this.secrets.seal(name, 'token_secret', tokenSecret), generation, this.stamp(), name]);
      return this.getEndpoint(name)!;
    });
  }

  deleteEndpoint(name: string): void {
    this.q('DELETE FROM endpoints WHERE name = $1', [name]);
  }

  // --- deployments -----------------------------------------------------------------------------

  getDeployment(endpoint: string, name: string): DeploymentRecord | undefined {
    const row = this.one<DeploymentRow>('SELECT * FROM deployments WHERE endpoint = $1 AND name = $2', [endpoint, name]);
    return row && deploymentFromRow(row);
  }

  listDeployments(endpoint?: string): DeploymentRecord[] {
    const { rows } = endpoint === undefined
      ? this.q<DeploymentRow>('SELECT * FROM deployments ORDER BY endpoint, created_at, name')
      : this.q<DeploymentRow>('SELECT * FROM deployments WHERE endpoint = $1 ORDER BY created_at, name', [endpoint]);
    return rows.map(deploymentFromRow);
  }

  insertDeployment(record: Pick<DeploymentRecord, 'spec' | 'provisioning_state'>): DeploymentRecord {
    const { endpoint_name: endpoint, name } = record.spec;
    const at = this.stamp();
    try {
      this.guarded(`INSERT INTO deployments (endpoint, name, spec, provisioning_state, conditions, error, generation, created_at, updated_at)
        VALUES ($1, $2, $3, $4, '[]', NULL, 1, $5, $6)`, [endpoint, name, JSON.stringify(record.spec), record.provisioning_state, at, at]);
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new SwitchyardError('DeploymentExists', `Deployment ${JSON.stringify(name)} already exists in endpoint ${JSON.stringify(endpoint)}.`);
      }
      if (isForeignKeyViolation(e)) throw new SwitchyardError('EndpointNotFound', `Endpoint ${JSON.stringify(endpoint)} does not exist.`);
      throw e;
    }
    return this.getDeployment(endpoint, name)!;
  }

  updateDeployment(endpoint: string, name: string, changes: DeploymentChanges): DeploymentRecord {
    return this.transaction(() => {
      const current = this.getDeployment(endpoint, name);
      if (!current) {
        throw new SwitchyardError('DeploymentNotFound', `Deployment ${JSON.stringify(name)} does not exist in endpoint ${JSON.stringify(endpoint)}.`);
      }
      const error = changes.error === undefined ? current.error : changes.error;
      this.q(`UPDATE deployments SET spec = $1, provisioning_state = $2, conditions = $3, error = $4, generation = $5, updated_at = $6
        WHERE endpoint = $7 AND name = $8`, [
        JSON.stringify(changes.spec ?? current.spec), changes.provisioning_state ?? current.provisioning_state,
        JSON.stringify(changes.conditions ?? current.conditions), error ? JSON.stringify(error) : null,
        current.generation + (changes.spec ? 1 : 0), this.stamp(), endpoint, name]);
      return this.getDeployment(endpoint, name)!;
    });
  }

  deleteDeployment(endpoint: string, name: string): void {
    this.q('DELETE FROM deployments WHERE endpoint = $1 AND name = $2', [endpoint, name]);
  }

  // --- assets ----------------------------------------------------------------------------------

  private getAsset(table: AssetTable, name: string, version: string): AssetRow | undefined {
    return version === 'latest'
      ? this.one<AssetRow>(`SELECT * FROM ${table} WHERE name = $1 ORDER BY seq DESC LIMIT 1`, [name])
      : this.one<AssetRow>(`SELECT * FROM ${table} WHERE name = $1 AND version = $2`, [name, version]);
  }

  private listLatest(table: AssetTable): AssetRow[] {
    return this.q<AssetRow>(`SELECT * FROM ${table} WHERE seq IN (SELECT MAX(seq) FROM ${table} GROUP BY name) ORDER BY name`).rows;
  }

  private listVersions(table: AssetTable, name: string): AssetRow[] {
    return this.q<AssetRow>(`SELECT * FROM ${table} WHERE name = $1 ORDER BY seq`, [name]).rows;
  }

  /** Registering a version: the shared rules (asset-versions.ts) on this store's reads and insert, in one transaction. */
  private createAsset(table: AssetTable, kind: 'model' | 'environment', content: { name: string; version?: string }): { row: AssetRow; created: boolean } {
    return this.transaction(() => createAssetVersion({
      versions: (name) => this.listVersions(table, name),
      get: (name, version) => this.getAsset(table, name, version),
      insert: (name, version, body) => {
        this.q(`INSERT INTO ${table} (name, version, body, created_at) VALUES ($1, $2, $3, $4)`, [name, version, body, this.stamp()]);
      },
    }, kind, content));
  }

  getModel(name: string, version: string): ModelAsset | undefined {
    const row = this.getAsset('models', name, version);
    return row && assetFromRow<ModelAsset>(row);
  }
  listModels(): ModelAsset[] { return this.listLatest('models').map((r) => assetFromRow<ModelAsset>(r)); }
  listModelVersions(name: string): ModelAsset[] { return this.listVersions('models', name).map((r) => assetFromRow<ModelAsset>(r)); }
  createModel(content: ModelContent): AssetWrite<ModelAsset> {
    const { row, created } = this.createAsset('models', 'model', content);
    return { asset: assetFromRow<ModelAsset>(row), created };
  }

  getEnvironment(name: string, version: string): EnvironmentAsset | undefined {
    const row = this.getAsset('environments', name, version);
    return row && assetFromRow<EnvironmentAsset>(row);
  }
  listEnvironments(): EnvironmentAsset[] { return this.listLatest('environments').map((r) => assetFromRow<EnvironmentAsset>(r)); }
  listEnvironmentVersions(name: string): EnvironmentAsset[] {
    return this.listVersions('environments', name).map((r) => assetFromRow<EnvironmentAsset>(r));
  }
  createEnvironment(content: EnvironmentContent): AssetWrite<EnvironmentAsset> {
    const { row, created } = this.createAsset('environments', 'environment', content);
    return { asset: assetFromRow<EnvironmentAsset>(row), created };
  }

  // --- operations ------------------------------------------------------------------------------

  insertOperation(op: Operation): void {
    this.q(`INSERT INTO operations (id, kind, endpoint, deployment, status, error, created_at, ended_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      op.id, op.kind, op.endpoint, op.deployment ?? null, op.status, op.error ? JSON.stringify(op.error) : null,
      op.created_at, op.ended_at ?? null]);
  }

  getOperation(id: string): Operation | undefined {
    const row = this.one<OperationRow>('SELECT * FROM operations WHERE id = $1', [id]);
    return row && operationFromRow(row);
  }

  runningOperations(endpoint?: string): Operation[] {
    const { rows } = endpoint === undefined
      ? this.q<OperationRow>("SELECT * FROM operations WHERE status = 'Running' ORDER BY created_at")
      : this.q<OperationRow>("SELECT * FROM operations WHERE status = 'Running' AND endpoint = $1 ORDER BY created_at", [endpoint]);
    return rows.map(operationFromRow);
  }

  finishOperation(id: string, status: Exclude<OperationStatus, 'Running'>, error?: { code: string; message: string }): Operation {
    this.q("UPDATE operations SET status = $1, error = $2, ended_at = $3 WHERE id = $4 AND status = 'Running'",
      [status, error ? JSON.stringify(error) : null, this.stamp(), id]);
    const op = this.getOperation(id);
    if (!op) throw new SwitchyardError('OperationNotFound', `Operation ${JSON.stringify(id)} does not exist.`);
    return op;
  }

  // --- artifacts -------------------------------------------------------------------------------

  getArtifact(digest: string): ArtifactInfo | undefined {
    return this.one<ArtifactInfo>('SELECT * FROM artifacts WHERE digest = $1', [digest]);
  }

  insertArtifact(info: ArtifactInfo): ArtifactInfo {
    this.q(`INSERT INTO artifacts (digest, kind, name, size, files, created_at) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (digest) DO NOTHING`, [info.digest, info.kind, info.name, info.size, info.files, info.created_at]);
    return this.getArtifact(info.digest)!;
  }

  // --- access tokens ---------------------------------------------------------------------------

  insertAccessToken(record: Omit<AccessTokenRecord, 'revoked_at'>): AccessTokenRecord {
    this.q(`INSERT INTO access_tokens (id, name, role, token_hash, created_at, created_by, revoked_at, expires_at)
      VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)`, [record.id, record.name, record.role, record.token_hash, record.created_at, record.created_by,
      record.expires_at ?? null]);
    return this.getAccessToken(record.id)!;
  }

  findAccessTokenByHash(tokenHash: string): AccessTokenRecord | undefined {
    return this.one<AccessTokenRecord>('SELECT * FROM access_tokens WHERE token_hash = $1', [tokenHash]);
  }

  getAccessToken(id: string): AccessTokenRecord | undefined {
    return this.one<AccessTokenRecord>('SELECT * FROM access_tokens WHERE id = $1', [id]);
  }

  listAccessTokens(): AccessTokenRecord[] {
    // Ties on created_at in insertion order, as SQLite's rowid gives: xmin is the inserting transaction.
    return this.q<AccessTokenRecord>('SELECT * FROM access_tokens WHERE revoked_at IS NULL ORDER BY created_at, xmin::text::bigint, id').rows;
  }

  revokeAccessToken(id: string): AccessTokenRecord | undefined {
    this.q('UPDATE access_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [this.stamp(), id]);
    return this.getAccessToken(id);
  }

  // --- rollouts --------------------------------------------------------------------------------

  insertRollout(record: Omit<RolloutRecord, 'created_at' | 'updated_at'>): RolloutRecord {
    const at = this.stamp();
    try {
      this.guarded('INSERT INTO rollouts (id, endpoint, state, spec, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [record.id, record.endpoint, record.status.state, JSON.stringify(record.spec), JSON.stringify(record.status), at, at]);
    } catch (e) {
      if (isForeignKeyViolation(e)) throw new SwitchyardError('EndpointNotFound', `Endpoint ${JSON.stringify(record.endpoint)} does not exist.`);
      throw e;
    }
    return this.getRolloutById(record.id)!;
  }

  getRolloutById(id: string): RolloutRecord | undefined {
    const row = this.one<RolloutRow>('SELECT * FROM rollouts WHERE id = $1', [id]);
    return row && rolloutFromRow(row);
  }

  latestRollout(endpoint: string): RolloutRecord | undefined {
    const row = this.one<RolloutRow>('SELECT * FROM rollouts WHERE endpoint = $1 ORDER BY seq DESC LIMIT 1', [endpoint]);
    return row && rolloutFromRow(row);
  }

  listRollouts(options: { active?: boolean } = {}): RolloutRecord[] {
    const { rows } = options.active
      ? this.q<RolloutRow>("SELECT * FROM rollouts WHERE state IN ('Progressing', 'Paused') ORDER BY seq DESC")
      : this.q<RolloutRow>('SELECT * FROM rollouts ORDER BY seq DESC');
    return rows.map(rolloutFromRow);
  }

  updateRolloutStatus(id: string, status: RolloutStatus): RolloutRecord {
    const { rowCount } = this.q('UPDATE rollouts SET state = $1, status = $2, updated_at = $3 WHERE id = $4',
      [status.state, JSON.stringify(status), this.stamp(), id]);
    if (rowCount === 0) throw new SwitchyardError('RolloutNotFound', `Rollout ${JSON.stringify(id)} does not exist.`);
    return this.getRolloutById(id)!;
  }

  // --- audit -----------------------------------------------------------------------------------

  insertAudit(entry: Omit<AuditEntry, 'id' | 'at'>): void {
    this.q(`INSERT INTO audit (at, principal, role, action, target, status, outcome, code)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [this.stamp(), entry.principal, entry.role, entry.action, entry.target, entry.status,
      entry.outcome, entry.code]);
  }

  listAudit(limit: number): AuditEntry[] {
    return this.q<AuditEntry>('SELECT * FROM audit ORDER BY id DESC LIMIT $1', [limit]).rows;
  }

  pruneAudit(before: string): number {
    return this.q('DELETE FROM audit WHERE at < $1', [before]).rowCount;
  }

  addDeniedAttempts(rows: DeniedAttempt[]): void {
    if (!rows.length) return;
    this.transaction(() => {
      for (const r of rows) {
        this.q(`INSERT INTO audit_denied ("window", source, principal, action, reason, status, count, first_at, last_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
          ON CONFLICT ("window", source, principal, action, reason)
          DO UPDATE SET count = audit_denied.count + excluded.count, status = excluded.status,
            last_at = greatest(audit_denied.last_at, excluded.last_at)`,
        [r.window, r.source, r.principal, r.action, r.reason, r.status, r.count, r.first_at, r.last_at]);
      }
    });
  }

  listDeniedAttempts(limit: number): DeniedAttempt[] {
    return this.q<DeniedAttempt>('SELECT * FROM audit_denied ORDER BY last_at DESC, "window" DESC LIMIT $1', [limit]).rows;
  }

  // --- standalone gateways (docs/gateway.md) ------------------------------------------------------

  nextRoutingVersion(): number {
    // One statement: the row lock orders concurrent replicas, each gets its own strictly greater version.
    return this.one<{ version: number }>('UPDATE routing_version SET version = greatest(version + 1, $1) WHERE one = 1 RETURNING version',
      [this.now().getTime()])!.version;
  }

  recordGateway(gateway: GatewayReport): GatewayRecord {
    const at = this.stamp();
    return this.one<GatewayRecord>(`INSERT INTO gateways (id, address, software_version, acked_version, principal, registered_at, last_seen_at)
      VALUES ($1, $2, $3, $4, $5, $6, $6)
      ON CONFLICT (id) DO UPDATE SET address = excluded.address, software_version = excluded.software_version,
        acked_version = excluded.acked_version, principal = excluded.principal, last_seen_at = excluded.last_seen_at
      RETURNING *`, [gateway.id, gateway.address, gateway.software_version, gateway.acked_version, gateway.principal, at])!;
  }

  listGateways(): GatewayRecord[] {
    return this.q<GatewayRecord>('SELECT * FROM gateways ORDER BY id COLLATE "C"').rows;
  }

  deleteGateway(id: string): boolean {
    return this.q('DELETE FROM gateways WHERE id = $1', [id]).rowCount > 0;
  }

  pruneDeniedAttempts(before: string, maxRows: number): void {
    this.transaction(() => {
      this.q('DELETE FROM audit_denied WHERE "window" < $1', [before]);
      const { n } = this.one<{ n: number }>('SELECT count(*) AS n FROM audit_denied')!;
      if (n > maxRows) {
        this.q(`DELETE FROM audit_denied WHERE ctid IN (SELECT ctid FROM audit_denied ORDER BY "window", last_at LIMIT $1)`, [n - maxRows]);
      }
    });
  }
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

const isUniqueViolation = (e: unknown): boolean => e instanceof PgError && e.code === '23505';
const isForeignKeyViolation = (e: unknown): boolean => e instanceof PgError && e.code === '23503';

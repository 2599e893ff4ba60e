// The SQLite implementation of Store (better-sqlite3), in `<data-dir>/switchyard.db`. WAL with
// synchronous=FULL: a write is on disk when the call returns, so every change the API reported
// survives kill -9 or a power cut. All SQL of the store lives in this file.
// With a SecretCipher, endpoint keys and token secrets are sealed at rest (AES-256-GCM); rows an older
// server wrote in plain text are sealed when the store opens.
import Database from 'better-sqlite3';
import { SwitchyardError } from '../errors.js';
import { createAssetVersion } from './asset-versions.js';
import type {
  ArtifactInfo, DeploymentSpec, EndpointSpec, EnvironmentAsset, ModelAsset, Operation, OperationStatus,
  ProvisioningState,
} from '../spec/types.js';
import type { EnvironmentContent, ModelContent } from '../spec/asset-input.js';
import type {
  AccessTokenRecord, AssetWrite, AuditEntry, DeniedAttempt, DeploymentChanges, DeploymentRecord, EndpointChanges, EndpointRecord, GatewayRecord,
  GatewayReport, Store,
} from './store.js';
import type { RolloutRecord, RolloutSpec, RolloutStatus } from '../spec/rollout.js';
import type { SecretCipher } from './secret-cipher.js';
import { EndpointSecrets, type SecretColumn } from './endpoint-secrets.js';

/** Schema migrations, applied in order; PRAGMA user_version records how many ran. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE endpoints (
    name TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    provisioning_state TEXT NOT NULL,
    primary_key TEXT NOT NULL,
    secondary_key TEXT NOT NULL,
    token_secret TEXT NOT NULL,
    generation INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE deployments (
    endpoint TEXT NOT NULL REFERENCES endpoints(name) ON DELETE CASCADE,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    provisioning_state TEXT NOT NULL,
    conditions TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    generation INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (endpoint, name)
  );
  CREATE TABLE models (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (name, version)
  );
  CREATE TABLE environments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (name, version)
  );
  CREATE TABLE operations (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    deployment TEXT,
    status TEXT NOT NULL,
    error TEXT,
    created_at TEXT NOT NULL,
    ended_at TEXT
  );
  CREATE INDEX operations_running ON operations(status, endpoint);
  CREATE TABLE artifacts (
    digest TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    files INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  `
  CREATE TABLE access_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE INDEX access_tokens_name ON access_tokens(name);
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    principal TEXT NOT NULL,
    role TEXT,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    status INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    code TEXT
  );
  `,
  `
  CREATE INDEX audit_at ON audit(at);
  CREATE TABLE audit_denied (
    window TEXT NOT NULL,
    source TEXT NOT NULL,
    principal TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL,
    status INTEGER NOT NULL,
    count INTEGER NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY (window, source, principal, action, reason)
  );
  CREATE INDEX audit_denied_last ON audit_denied(last_at);
  ALTER TABLE access_tokens ADD COLUMN expires_at TEXT;
  `,
  `
  CREATE TABLE rollouts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    endpoint TEXT NOT NULL REFERENCES endpoints(name) ON DELETE CASCADE,
    state TEXT NOT NULL,
    spec TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX rollouts_endpoint ON rollouts(endpoint, seq);
  `,
  `
  CREATE TABLE gateways (
    id TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    software_version TEXT NOT NULL,
    acked_version INTEGER NOT NULL,
    principal TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
  );
  CREATE TABLE routing_version (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    version INTEGER NOT NULL
  );
  INSERT INTO routing_version (one, version) VALUES (1, 0);
  `,
];

/** The schema version a fully migrated store records in PRAGMA user_version. */
export const SCHEMA_VERSION = MIGRATIONS.length;


export interface EndpointRow {
  name: string; spec: string; provisioning_state: string; primary_key: string; secondary_key: string;
  token_secret: string; generation: number; created_at: string; updated_at: string;
}
export interface DeploymentRow {
  endpoint: string; name: string; spec: string; provisioning_state: string; conditions: string; error: string | null;
  generation: number; created_at: string; updated_at: string;
}
export interface RolloutRow { id: string; endpoint: string; state: string; spec: string; status: string; created_at: string; updated_at: string }
export interface AssetRow { name: string; version: string; body: string; created_at: string }
export interface OperationRow {
  id: string; kind: string; endpoint: string; deployment: string | null; status: string; error: string | null;
  created_at: string; ended_at: string | null;
}

type AssetTable = 'models' | 'environments';

export interface SqliteStoreOptions {
  /** Clock for timestamps (tests pin it). */
  now?: () => Date;
  /**
   * Seals endpoint keys and token secrets at rest (the server always gives one). Without it they are
   * stored in plain text, and a store sealed earlier refuses to open.
   */
  cipher?: SecretCipher;
}


export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly now: () => Date;
  private readonly secrets: EndpointSecrets;

  constructor(file: string, options: SqliteStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.secrets = new EndpointSecrets(options.cipher);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    // Another process holding the file briefly (a backup, sqlite3 CLI) should not fail a request.
    this.db.pragma('busy_timeout = 5000');
    try {
      this.migrate();
      this.sealPlainSecrets();
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  private migrate(): void {
    const done = this.db.pragma('user_version', { simple: true }) as number;
    // schema_migrations records each version applied, as in the PostgreSQL store (pg-schema.ts);
    // user_version stays the count. A store made before the table existed gets its rows backfilled.
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const record = this.db.prepare('INSERT OR IGNORE INTO schema_migrations (version, applied_at) VALUES (?, ?)');
    for (let v = 1; v <= done; v++) record.run(v, this.stamp());
    for (let i = done; i < MIGRATIONS.length; i++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[i]!);
        this.db.pragma(`user_version = ${i + 1}`);
        record.run(i + 1, this.stamp());
      })();
    }
  }

  /** Seals rows an older server wrote in plain text; refuses a master key the store was not sealed with. */
  private sealPlainSecrets(): void {
    const rows = this.db.prepare('SELECT name, primary_key, secondary_key, token_secret FROM endpoints').all() as
      Pick<EndpointRow, 'name' | SecretColumn>[];
    const update = this.db.prepare('UPDATE endpoints SET primary_key = ?, secondary_key = ?, token_secret = ? WHERE name = ?');
    const resealed = this.secrets.resealPlain(rows);
    this.db.transaction(() => { for (const r of resealed) update.run(...r.values, r.name); })();
  }

  private sealSecret(endpoint: string, column: SecretColumn, plain: string): string {
    return this.secrets.seal(endpoint, column, plain);
  }

  private openSecret(endpoint: string, column: SecretColumn, stored: string): string {
    return this.secrets.open(endpoint, column, stored);
  }

  private endpointFromRow(row: EndpointRow): EndpointRecord {
    return endpointFromRow({
      ...row,
      primary_key: this.openSecret(row.name, 'primary_key', row.primary_key),
      secondary_key: this.openSecret(row.name, 'secondary_key', row.secondary_key),
      token_secret: this.openSecret(row.name, 'token_secret', row.token_secret),
    });
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  transaction<T>(fn: () => T): T {
    // Nested calls join the outer transaction (better-sqlite3 uses savepoints for them).
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // --- endpoints -------------------------------------------------------------------------------

  getEndpoint(name: string): EndpointRecord | undefined {
    const row = this.db.prepare('SELECT * FROM endpoints WHERE name = ?').get(name) as EndpointRow | undefined;
    return row && this.endpointFromRow(row);
  }

  listEndpoints(): EndpointRecord[] {
    return (this.db.prepare('SELECT * FROM endpoints ORDER BY created_at, name').all() as EndpointRow[]).map((r) => this.endpointFromRow(r));
  }

  insertEndpoint(name: string, record: Omit<EndpointRecord, 'generation' | 'created_at' | 'updated_at'>): EndpointRecord {
    const at = this.stamp();
    try {
      this.db.prepare(`INSERT INTO endpoints (name, spec, provisioning_state, primary_key, secondary_key, token_secret, generation, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`).run(
        name, JSON.stringify(record.spec), record.provisioning_state, this.sealSecret(name, 'primary_key', record.keys.primaryKey),
        this.sealSecret(name, 'secondary_key', record.keys.secondaryKey), this.sealSecret(name, 'token_secret', record.token_secret), at, at);
    } catch (e) {
      if (isUniqueViolation(e)) throw new SwitchyardError('EndpointExists', `Endpoint ${JSON.stringify(name)} already exists.`);
      throw e;
    }
    return this.getEndpoint(name)!;
  }

  updateEndpoint(name: string, changes: EndpointChanges): EndpointRecord {
    const current = this.getEndpoint(name);
    if (!current) throw new SwitchyardError('EndpointNotFound', `Endpoint ${JSON.stringify(name)} does not exist.`);
    const spec = changes.spec ?? current.spec;
    const keys = changes.keys ?? current.keys;
    const generation = current.generation + (changes.spec ? 1 : 0);
    const tokenSecret = changes.token_secret ?? current.token_secret;
    this.db.prepare(`UPDATE endpoints SET spec = ?, provisioning_state = ?, primary_key = ?, secondary_key = ?, token_secret = ?, generation = ?,
      updated_at = ? WHERE name = ?`).run(
      JSON.stringify(spec), changes.provisioning_state ?? current.provisioning_state, this.sealSecret(name, 'primary_key', keys.primaryKey),
      this.sealSecret(name, 'secondary_key', keys.secondaryKey), this.sealSecret(name, 'token_secret', tokenSecret), generation, this.stamp(), name);
    return this.getEndpoint(name)!;
  }

  deleteEndpoint(name: string): void {
    this.db.prepare('DELETE FROM endpoints WHERE name = ?').run(name);
  }

  // --- deployments -----------------------------------------------------------------------------

  getDeployment(endpoint: string, name: string): DeploymentRecord | undefined {
    const row = this.db.prepare('SELECT * FROM deployments WHERE endpoint = ? AND name = ?').get(endpoint, name) as DeploymentRow | undefined;
    return row && deploymentFromRow(row);
  }

  listDeployments(endpoint?: string): DeploymentRecord[] {
    const rows = endpoint === undefined
      ? this.db.prepare('SELECT * FROM deployments ORDER BY endpoint, created_at, name').all()
      : this.db.prepare('SELECT * FROM deployments WHERE endpoint = ? ORDER BY created_at, name').all(endpoint);
    return (rows as DeploymentRow[]).map(deploymentFromRow);
  }

  insertDeployment(record: Pick<DeploymentRecord, 'spec' | 'provisioning_state'>): DeploymentRecord {
    const { endpoint_name: endpoint, name } = record.spec;
    const at = this.stamp();
    try {
      this.db.prepare(`INSERT INTO deployments (endpoint, name, spec, provisioning_state, conditions, error, generation, created_at, updated_at)
        VALUES (?, ?, ?, ?, '[]', NULL, 1, ?, ?)`).run(endpoint, name, JSON.stringify(record.spec), record.provisioning_state, at, at);
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
    const current = this.getDeployment(endpoint, name);
    if (!current) {
      throw new SwitchyardError('DeploymentNotFound', `Deployment ${JSON.stringify(name)} does not exist in endpoint ${JSON.stringify(endpoint)}.`);
    }
    const error = changes.error === undefined ? current.error : changes.error;
    this.db.prepare(`UPDATE deployments SET spec = ?, provisioning_state = ?, conditions = ?, error = ?, generation = ?, updated_at = ?
      WHERE endpoint = ? AND name = ?`).run(
      JSON.stringify(changes.spec ?? current.spec), changes.provisioning_state ?? current.provisioning_state,
      JSON.stringify(changes.conditions ?? current.conditions), error ? JSON.stringify(error) : null,
      current.generation + (changes.spec ? 1 : 0), this.stamp(), endpoint, name);
    return this.getDeployment(endpoint, name)!;
  }

  deleteDeployment(endpoint: string, name: string): void {
    this.db.prepare('DELETE FROM deployments WHERE endpoint = ? AND name = ?').run(endpoint, name);
  }

  // --- assets ----------------------------------------------------------------------------------

  private getAsset(table: AssetTable, name: string, version: string): AssetRow | undefined {
    return (version === 'latest'
      ? this.db.prepare(`SELECT * FROM ${table} WHERE name = ? ORDER BY seq DESC LIMIT 1`).get(name)
      : this.db.prepare(`SELECT * FROM ${table} WHERE name = ? AND version = ?`).get(name, version)) as AssetRow | undefined;
  }

  private listLatest(table: AssetTable): AssetRow[] {
    return this.db.prepare(`SELECT * FROM ${table} WHERE seq IN (SELECT MAX(seq) FROM ${table} GROUP BY name) ORDER BY name`).all() as AssetRow[];
  }

  private listVersions(table: AssetTable, name: string): AssetRow[] {
    return this.db.prepare(`SELECT * FROM ${table} WHERE name = ? ORDER BY seq`).all(name) as AssetRow[];
  }

  /**
   * Registers name+version with `body`. Same name+version with equal content returns the existing
   * asset; other content is refused (assets are immutable). No version: one above the highest
   * integer version registered under that name.
   */
  private createAsset(table: AssetTable, kind: 'model' | 'environment', content: { name: string; version?: string }): { row: AssetRow; created: boolean } {
    return this.transaction(() => createAssetVersion({
      versions: (name) => this.listVersions(table, name),
      get: (name, version) => this.getAsset(table, name, version),
      insert: (name, version, body) => {
        this.db.prepare(`INSERT INTO ${table} (name, version, body, created_at) VALUES (?, ?, ?, ?)`).run(name, version, body, this.stamp());
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
    this.db.prepare(`INSERT INTO operations (id, kind, endpoint, deployment, status, error, created_at, ended_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
      op.id, op.kind, op.endpoint, op.deployment ?? null, op.status, op.error ? JSON.stringify(op.error) : null,
      op.created_at, op.ended_at ?? null);
  }

  getOperation(id: string): Operation | undefined {
    const row = this.db.prepare('SELECT * FROM operations WHERE id = ?').get(id) as OperationRow | undefined;
    return row && operationFromRow(row);
  }

  runningOperations(endpoint?: string): Operation[] {
    const rows = endpoint === undefined
      ? this.db.prepare("SELECT * FROM operations WHERE status = 'Running' ORDER BY created_at").all()
      : this.db.prepare("SELECT * FROM operations WHERE status = 'Running' AND endpoint = ? ORDER BY created_at").all(endpoint);
    return (rows as OperationRow[]).map(operationFromRow);
  }

  finishOperation(id: string, status: Exclude<OperationStatus, 'Running'>, error?: { code: string; message: string }): Operation {
    this.db.prepare("UPDATE operations SET status = ?, error = ?, ended_at = ? WHERE id = ? AND status = 'Running'")
      .run(status, error ? JSON.stringify(error) : null, this.stamp(), id);
    const op = this.getOperation(id);
    if (!op) throw new SwitchyardError('OperationNotFound', `Operation ${JSON.stringify(id)} does not exist.`);
    return op;
  }

  // --- artifacts -------------------------------------------------------------------------------

  getArtifact(digest: string): ArtifactInfo | undefined {
    return this.db.prepare('SELECT * FROM artifacts WHERE digest = ?').get(digest) as ArtifactInfo | undefined;
  }

  insertArtifact(info: ArtifactInfo): ArtifactInfo {
    this.db.prepare(`INSERT INTO artifacts (digest, kind, name, size, files, created_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (digest) DO NOTHING`).run(info.digest, info.kind, info.name, info.size, info.files, info.created_at);
    return this.getArtifact(info.digest)!;
  }

  // --- access tokens ---------------------------------------------------------------------------

  insertAccessToken(record: Omit<AccessTokenRecord, 'revoked_at'>): AccessTokenRecord {
    this.db.prepare(`INSERT INTO access_tokens (id, name, role, token_hash, created_at, created_by, revoked_at, expires_at)
      VALUES (?, ?, ?, ?, ?, ?, NULL, ?)`).run(record.id, record.name, record.role, record.token_hash, record.created_at, record.created_by,
      record.expires_at ?? null);
    return this.getAccessToken(record.id)!;
  }

  findAccessTokenByHash(tokenHash: string): AccessTokenRecord | undefined {
    return this.db.prepare('SELECT * FROM access_tokens WHERE token_hash = ?').get(tokenHash) as AccessTokenRecord | undefined;
  }

  getAccessToken(id: string): AccessTokenRecord | undefined {
    return this.db.prepare('SELECT * FROM access_tokens WHERE id = ?').get(id) as AccessTokenRecord | undefined;
  }

  listAccessTokens(): AccessTokenRecord[] {
    return this.db.prepare('SELECT * FROM access_tokens WHERE revoked_at IS NULL ORDER BY created_at, rowid').all() as AccessTokenRecord[];
  }

  revokeAccessToken(id: string): AccessTokenRecord | undefined {
    this.db.prepare('UPDATE access_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(this.stamp(), id);
    return this.getAccessToken(id);
  }

  // --- rollouts --------------------------------------------------------------------------------

  insertRollout(record: Omit<RolloutRecord, 'created_at' | 'updated_at'>): RolloutRecord {
    const at = this.stamp();
    try {
      this.db.prepare(`INSERT INTO rollouts (id, endpoint, state, spec, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(record.id, record.endpoint, record.status.state, JSON.stringify(record.spec), JSON.stringify(record.status), at, at);
    } catch (e) {
      if (isForeignKeyViolation(e)) throw new SwitchyardError('EndpointNotFound', `Endpoint ${JSON.stringify(record.endpoint)} does not exist.`);
      throw e;
    }
    return this.getRolloutById(record.id)!;
  }

  getRolloutById(id: string): RolloutRecord | undefined {
    const row = this.db.prepare('SELECT * FROM rollouts WHERE id = ?').get(id) as RolloutRow | undefined;
    return row && rolloutFromRow(row);
  }

  latestRollout(endpoint: string): RolloutRecord | undefined {
    const row = this.db.prepare('SELECT * FROM rollouts WHERE endpoint = ? ORDER BY seq DESC LIMIT 1').get(endpoint) as RolloutRow | undefined;
    return row && rolloutFromRow(row);
  }

  listRollouts(options: { active?: boolean } = {}): RolloutRecord[] {
    const rows = options.active
      ? this.db.prepare("SELECT * FROM rollouts WHERE state IN ('Progressing', 'Paused') ORDER BY seq DESC").all()
      : this.db.prepare('SELECT * FROM rollouts ORDER BY seq DESC').all();
    return (rows as RolloutRow[]).map(rolloutFromRow);
  }

  updateRolloutStatus(id: string, status: RolloutStatus): RolloutRecord {
    const info = this.db.prepare('UPDATE rollouts SET state = ?, status = ?, updated_at = ? WHERE id = ?')
      .run(status.state, JSON.stringify(status), this.stamp(), id);
    if (info.changes === 0) throw new SwitchyardError('RolloutNotFound', `Rollout ${JSON.stringify(id)} does not exist.`);
    return this.getRolloutById(id)!;
  }

  // --- audit -----------------------------------------------------------------------------------

  insertAudit(entry: Omit<AuditEntry, 'id' | 'at'>): void {
    this.db.prepare(`INSERT INTO audit (at, principal, role, action, target, status, outcome, code)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(this.stamp(), entry.principal, entry.role, entry.action, entry.target, entry.status,
      entry.outcome, entry.code);
  }

  listAudit(limit: number): AuditEntry[] {
    return this.db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit) as AuditEntry[];
  }

  pruneAudit(before: string): number {
    return this.db.prepare('DELETE FROM audit WHERE at < ?').run(before).changes;
  }

  addDeniedAttempts(rows: DeniedAttempt[]): void {
    const upsert = this.db.prepare(`INSERT INTO audit_denied (window, source, principal, action, reason, status, count, first_at, last_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (window, source, principal, action, reason)
      DO UPDATE SET count = count + excluded.count, status = excluded.status, last_at = max(last_at, excluded.last_at)`);
    this.transaction(() => {
      for (const r of rows) upsert.run(r.window, r.source, r.principal, r.action, r.reason, r.status, r.count, r.first_at, r.last_at);
    });
  }

  listDeniedAttempts(limit: number): DeniedAttempt[] {
    return this.db.prepare('SELECT * FROM audit_denied ORDER BY last_at DESC, window DESC LIMIT ?').all(limit) as DeniedAttempt[];
  }

  // --- standalone gateways (docs/gateway.md) ------------------------------------------------------

  nextRoutingVersion(): number {
    const row = this.db.prepare('UPDATE routing_version SET version = max(version + 1, ?) WHERE one = 1 RETURNING version')
      .get(this.now().getTime()) as { version: number };
    return row.version;
  }

  recordGateway(gateway: GatewayReport): GatewayRecord {
    const at = this.stamp();
    this.db.prepare(`INSERT INTO gateways (id, address, software_version, acked_version, principal, registered_at, last_seen_at)
      VALUES (@id, @address, @software_version, @acked_version, @principal, @at, @at)
      ON CONFLICT (id) DO UPDATE SET address = excluded.address, software_version = excluded.software_version,
        acked_version = excluded.acked_version, principal = excluded.principal, last_seen_at = excluded.last_seen_at`)
      .run({ ...gateway, at });
    return this.db.prepare('SELECT * FROM gateways WHERE id = ?').get(gateway.id) as GatewayRecord;
  }

  listGateways(): GatewayRecord[] {
    return this.db.prepare('SELECT * FROM gateways ORDER BY id').all() as GatewayRecord[];
  }

  deleteGateway(id: string): boolean {
    return this.db.prepare('DELETE FROM gateways WHERE id = ?').run(id).changes > 0;
  }

  pruneDeniedAttempts(before: string, maxRows: number): void {
    this.db.prepare('DELETE FROM audit_denied WHERE window < ?').run(before);
    const { n } = this.db.prepare('SELECT count(*) AS n FROM audit_denied').get() as { n: number };
    if (n > maxRows) {
      this.db.prepare(`DELETE FROM audit_denied WHERE rowid IN (SELECT rowid FROM audit_denied ORDER BY window, last_at LIMIT ?)`).run(n - maxRows);
    }
  }
}

export function endpointFromRow(row: EndpointRow): EndpointRecord {
  return {
    spec: JSON.parse(row.spec) as EndpointSpec,
    provisioning_state: row.provisioning_state as ProvisioningState,
    keys: { primaryKey: row.primary_key, secondaryKey: row.secondary_key },
    token_secret: row.token_secret,
    generation: row.generation,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function deploymentFromRow(row: DeploymentRow): DeploymentRecord {
  return {
    spec: JSON.parse(row.spec) as DeploymentSpec,
    provisioning_state: row.provisioning_state as ProvisioningState,
    conditions: JSON.parse(row.conditions),
    error: row.error ? JSON.parse(row.error) : null,
    generation: row.generation,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function rolloutFromRow(row: RolloutRow): RolloutRecord {
  return {
    id: row.id, endpoint: row.endpoint, spec: JSON.parse(row.spec) as RolloutSpec, status: JSON.parse(row.status) as RolloutStatus,
    created_at: row.created_at, updated_at: row.updated_at,
  };
}

export function assetFromRow<T>(row: AssetRow): T {
  return { name: row.name, version: row.version, ...JSON.parse(row.body), created_at: row.created_at } as T;
}

export function operationFromRow(row: OperationRow): Operation {
  const op: Operation = {
    id: row.id, kind: row.kind as Operation['kind'], endpoint: row.endpoint, status: row.status as OperationStatus,
    created_at: row.created_at,
  };
  if (row.deployment !== null) op.deployment = row.deployment;
  if (row.error) op.error = JSON.parse(row.error);
  if (row.ended_at) op.ended_at = row.ended_at;
  return op;
}

const isUniqueViolation = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test(String((e as { code?: string }).code));
const isForeignKeyViolation = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY';

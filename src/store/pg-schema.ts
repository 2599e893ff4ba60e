// The PostgreSQL store's schema: versioned migrations, applied in order, each recorded in
// schema_migrations. Version N here is the same logical schema as SQLite's migration N
// (sqlite-store.ts): same tables, columns, nullability and indexes; test/integration/store-schema.test.ts
// compares the two, so a migration added to one backend and not the other fails the tests.
// Types: text stays text (timestamps are ISO 8601 strings, JSON documents are text, as in SQLite);
// SQLite's INTEGER is integer, or bigint where it may pass 2^31 (sizes, identities).
export const PG_MIGRATIONS: string[] = [
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
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (name, version)
  );
  CREATE TABLE environments (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    size BIGINT NOT NULL,
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
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    "window" TEXT NOT NULL,
    source TEXT NOT NULL,
    principal TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL,
    status INTEGER NOT NULL,
    count INTEGER NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY ("window", source, principal, action, reason)
  );
  CREATE INDEX audit_denied_last ON audit_denied(last_at);
  ALTER TABLE access_tokens ADD COLUMN expires_at TEXT;
  `,
  `
  CREATE TABLE rollouts (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    acked_version BIGINT NOT NULL,
    principal TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
  );
  CREATE TABLE routing_version (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    version BIGINT NOT NULL
  );
  INSERT INTO routing_version (one, version) VALUES (1, 0);
  `,
];

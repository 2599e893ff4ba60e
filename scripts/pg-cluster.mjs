// A throwaway PostgreSQL cluster for tests and benches: Debian's binaries (/usr/lib/postgresql/<v>/bin,
// installed by scripts/system-deps.sh when missing), `initdb` into a temporary folder (as the `postgres`
// user when run as root: initdb refuses root), a free loopback port, its unix socket in the same folder,
// `pg_ctl start -w`; a role and a database for the caller; stopped (pg_ctl stop -m immediate, then the
// postmaster's pid) and removed at the end, also when the caller fails or exits early.
//
// As a module:  const pg = await startPgCluster();  pg.url; await pg.createDatabase('x');  pg.stop();
// As a command: node scripts/pg-cluster.mjs                 prints the URL, runs until SIGINT/SIGTERM
//               node scripts/pg-cluster.mjs -- CMD ARGS...  runs CMD with SWITCHYARD_TEST_PG_URL set, then stops
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PG_LIB = '/usr/lib/postgresql';
const ROLE = 'switchyard';

/** The newest installed PostgreSQL's bin folder; installs Debian's `postgresql` when none is. */
export function postgresBinDir() {
  const find = () => {
    if (!existsSync(PG_LIB)) return undefined;
    const versions = readdirSync(PG_LIB).filter((v) => existsSync(join(PG_LIB, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    return versions.length ? join(PG_LIB, versions[0], 'bin') : undefined;
  };
  let bin = find();
  if (!bin) {
    execFileSync('bash', [join(ROOT, 'scripts', 'system-deps.sh'), 'postgresql'], { stdio: 'inherit' });
    bin = find();
  }
  if (!bin) throw new Error(`pg-cluster: no PostgreSQL binaries in ${PG_LIB}/*/bin after installing the postgresql package`);
  return bin;
}

/** A port nothing listens on right now (the cluster start retries when another process takes it first). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary as the cluster's owner: `postgres` when we are root, else ourselves. */
function asOwner(bin, args, asPostgres) {
  const [cmd, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const res = spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (res.status !== 0) {
    throw new Error(`pg-cluster: ${bin.split('/').pop()} ${args.join(' ')} failed (${res.error?.message ?? `exit ${res.status}`}): ${(res.stderr || res.stdout || '').trim()}`);
  }
  return res.stdout;
}

const live = new Set();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when the caller never calls stop() (a crash, process.exit in a test runner).
  process.on('exit', () => { for (const c of [...live]) c.stop(); });
}

/**
 * Starts a throwaway cluster. Options: `durable` (default false: fsync off, for speed; the data
 * is thrown away anyway), `log` (a function for progress lines).
 * Answers { url, port, dir, socketDir, adminUrl, createDatabase(name), stop() }.
 */
export async function startPgCluster(options = {}) {
  const bin = postgresBinDir();
  const asPostgres = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const adminPassword = randomBytes(12).toString('hex');
  const password = randomBytes(12).toString('hex');
  let pid;
  let stopped = false;

  const cluster = {
    dir, socketDir: dir, port: 0, url: '', adminUrl: '',
    /** Creates a database owned by the cluster's role; answers its URL. */
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`pg-cluster: bad database name ${JSON.stringify(name)}`);
      const admin = new pg.Client({ connectionString: cluster.adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name} OWNER ${ROLE}`);
      } finally {
        await admin.end();
      }
      return urlFor(cluster.port, password, name);
    },
    /** Stops the postmaster (immediate) and removes the folder; safe to call twice. Synchronous. */
    stop() {
      if (stopped) return;
      stopped = true;
      live.delete(cluster);
      try {
        const pidFile = join(data, 'postmaster.pid');
        if (existsSync(pidFile)) pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]) || pid;
        asOwner(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-s', '-w', '-t', '10'], asPostgres);
      } catch {
        if (pid) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone already */ } }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(cluster);
  installExitHook();

  try {
    const owner = asPostgres ? postgresIds() : undefined;
    if (owner) chownSync(dir, owner.uid, owner.gid);
    const pwFile = join(dir, 'pwfile');
    writeFileSync(pwFile, `${adminPassword}\n`, { mode: 0o600 });
    if (owner) chownSync(pwFile, owner.uid, owner.gid);
    asOwner(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--pwfile', pwFile, '-A', 'scram-sha-256', '-E', 'UTF8',
      '--locale=C', '--no-sync'], asPostgres);
    rmSync(pwFile);
    const settings = [
      "listen_addresses='127.0.0.1'", `unix_socket_directories='${dir}'`, 'max_connections=200', 'shared_buffers=32MB',
      ...(options.durable ? [] : ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']),
    ];
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        asOwner(join(bin, 'pg_ctl'), ['start', '-D', data, '-l', logFile, '-w', '-t', '60', '-s',
          '-o', [`-p ${port}`, ...settings.map((s) => `-c ${s}`)].join(' ')], asPostgres);
        cluster.port = port;
        break;
      } catch (e) {
        const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
        if (attempt < 3 && /Address already in use|could not bind/.test(log)) continue;
        throw new Error(`${e.message}\n${log.split('\n').slice(-15).join('\n')}`);
      }
    }
    pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    cluster.adminUrl = urlFor(cluster.port, adminPassword, 'postgres', 'postgres');
    const admin = new pg.Client({ connectionString: cluster.adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${password}' CREATEDB`);
      await admin.query(`CREATE DATABASE ${ROLE} OWNER ${ROLE}`);
    } finally {
      await admin.end();
    }
    cluster.url = urlFor(cluster.port, password, ROLE);
    options.log?.(`pg-cluster: PostgreSQL on 127.0.0.1:${cluster.port} (pid ${pid}, ${dir})`);
    return cluster;
  } catch (e) {
    cluster.stop();
    throw e;
  }
}

/** The `postgres` user's uid and gid (the Debian package creates it). */
function postgresIds() {
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function urlFor(port, password, database, user = ROLE) {
  return `postgres://${user}:${password}@127.0.0.1:${port}/${database}`;
}

// Command-line use.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dashdash = process.argv.indexOf('--');
  const command = dashdash >= 0 ? process.argv.slice(dashdash + 1) : [];
  const cluster = await startPgCluster({ log: (l) => console.error(l) });
  const finish = (code) => { cluster.stop(); process.exit(code); };
  process.on('SIGINT', () => finish(130));
  process.on('SIGTERM', () => finish(143));
  if (command.length) {
    const child = spawn(command[0], command.slice(1), {
      stdio: 'inherit', env: { ...process.env, SWITCHYARD_TEST_PG_URL: cluster.url },
    });
    child.on('exit', (code, signal) => finish(code ?? (signal ? 1 : 0)));
  } else {
    console.log(cluster.url);
    setInterval(() => {}, 1 << 30); // until SIGINT/SIGTERM
  }
}

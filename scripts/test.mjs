// `npm test`: installs missing system packages, builds dist/ (server and web console), then runs every test with node's own
// test runner (unit, integration, e2e). `npm test -- unit` (or integration, e2e) runs one group.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from './build.mjs';

const groups = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const wanted = groups.length ? groups : ['unit', 'integration', 'e2e'];

// chromium: the web console's browser tests (test/e2e/console.test.ts) drive Debian's build of it.
// postgresql: the PostgreSQL store's tests (test/integration/store-postgres.test.ts, on-postgres/) start
// throwaway clusters with scripts/pg-cluster.mjs.
execFileSync('bash', ['scripts/system-deps.sh', ...(wanted.includes('e2e') ? ['chromium'] : []),
  ...(wanted.includes('integration') ? ['postgresql'] : [])], { stdio: 'inherit' });
// As root, tests run instances as the unprivileged instance user, as a root server does.
if (process.getuid?.() === 0) execFileSync('bash', ['scripts/instance-user.sh'], { stdio: 'inherit' });
await build();

const files = [];
const walk = (dir) => {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(p);
  }
};
for (const g of wanted) walk(join('test', g));
if (!files.length) { console.error('no test files found in', wanted.join(', ')); process.exit(1); }

const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=420000', ...files], { stdio: 'inherit' });
process.exit(res.status ?? 1);

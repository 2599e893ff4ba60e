// `npm test`: installs missing system packages, builds dist/, then runs every test with node's own
// test runner (unit, integration, e2e). `npm test -- unit` (or integration, e2e) runs one group.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const groups = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const wanted = groups.length ? groups : ['unit', 'integration', 'e2e'];

execFileSync('bash', ['scripts/system-deps.sh'], { stdio: 'inherit' });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { stdio: 'inherit' });

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

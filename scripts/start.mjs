// `npm start`: makes sure the Debian packages the samples need are present, then runs
// `switchyard serve` in the foreground with the embedded SQLite store (data in ~/.switchyard unless
// SWITCHYARD_DATA_DIR is set). Extra arguments go to `serve`: `npm start -- --port 8080`. As root it
// also makes the unprivileged user instances run as (scripts/instance-user.sh).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const deps = spawnSync('bash', [join(root, 'scripts', 'system-deps.sh')], { stdio: 'inherit' });
if (deps.status !== 0) {
  console.error('switchyard: could not install the Debian packages for the Python samples; the server starts anyway.');
}
// As root, instances run as an unprivileged user (docs/security.md); make it when it is missing.
if (process.getuid?.() === 0) {
  const user = spawnSync('bash', [join(root, 'scripts', 'instance-user.sh')], { stdio: 'inherit' });
  if (user.status !== 0) console.error('switchyard: could not create the instance user; `serve` will say what to do.');
}
const child = spawn(process.execPath, [join(root, 'bin', 'switchyard'), 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));

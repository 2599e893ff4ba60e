// `npm run build` (and `npm install`, through prepare.mjs): compiles the TypeScript sources to dist/,
// type-checks the web console and bundles it with Vite into dist/console (served at `/` by the server).
// `node scripts/build.mjs server` skips the console.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');

export async function build({ console: withConsole = true } = {}) {
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });
  if (!withConsole) return;
  execFileSync(process.execPath, [tsc, '-p', 'src/console/tsconfig.json'], { stdio: 'inherit' });
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: 'src/console/vite.config.ts', logLevel: 'warn' });
  const dir = join('dist', 'console', 'assets');
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const files = readdirSync(dir).map((f) => {
    const body = readFileSync(join(dir, f));
    return { f, size: body.length, gzip: gzipSync(body).length };
  });
  const total = files.reduce((a, x) => a + x.size, 0);
  const gzip = files.reduce((a, x) => a + x.gzip, 0);
  console.log(`switchyard: web console built in dist/console: ${files.map((x) => `${x.f} ${kib(x.size)} (${kib(x.gzip)} gzip)`).join(', ')}; ${kib(total)} in all, ${kib(gzip)} gzip`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await build({ console: process.argv[2] !== 'server' });
}

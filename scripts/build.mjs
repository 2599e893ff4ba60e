// `npm run build` (and `npm install`, through prepare.mjs): compiles the TypeScript sources to dist/,
// type-checks the web console and bundles it with Vite into dist/console (served at `/` by the server).
// `node scripts/build.mjs server` skips the console.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');

export async function build({ console: withConsole = true } = {}) {
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });
  await bundleCli();
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

/** Where the CLI bundle goes; bin/switchyard runs it while it is newer than dist/cli/main.js. */
export const CLI_BUNDLE_DIR = join('dist', 'cli-bundle');

/**
 * Bundles the compiled CLI (dist/cli/main.js and what it imports from dist/) into dist/cli-bundle/: one
 * ESM file for what every call runs, plus a chunk per lazily imported command group and YAML schema,
 * so a call loads 3-4 files instead of ~30 (issue 16, CLI start, measured by B6). npm packages stay
 * external, and so does the server (serve imports dist/server/serve.js by a computed URL). A bundled
 * file's `import.meta.url` is rewritten to the URL its dist/ original would have, so the paths it
 * builds from it (package.json, the server, the package root) are the same as unbundled.
 */
export async function bundleCli() {
  const { build: esbuild } = await import('esbuild');
  const outdir = resolve(CLI_BUNDLE_DIR);
  rmSync(outdir, { recursive: true, force: true });
  const fromOutdir = {
    name: 'dist-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const rel = relative(outdir, args.path).split('\\').join('/');
        return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
  await esbuild({
    entryPoints: { main: join('dist', 'cli', 'main.js') }, outdir, bundle: true, splitting: true, format: 'esm',
    platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning', plugins: [fromOutdir],
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await build({ console: process.argv[2] !== 'server' });
}

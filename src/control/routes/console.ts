// The web console (src/console, built by `npm run build` into dist/console) served at `/` on the control
// port. The files are read once at start: only names found in the build are served (no path from a URL
// ever reaches the file system), hashed assets are cached for good, and every answer carries a strict
// Content-Security-Policy (own origin only, no inline script or style). The files are public (they hold
// no data); everything the console shows comes from the REST API under the user's token.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { SwitchyardError } from '../../errors.js';

/** dist/console, from src/control/routes (tsx) or dist/control/routes (compiled) alike. */
export const DEFAULT_CONSOLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'console');

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

interface ConsoleFile {
  body: Buffer;
  type: string;
}

function readBuild(dir: string): { index: ConsoleFile | null; assets: Map<string, ConsoleFile> } {
  const assets = new Map<string, ConsoleFile>();
  let index: ConsoleFile | null = null;
  try {
    index = { body: readFileSync(join(dir, 'index.html')), type: TYPES['.html']! };
    const assetDir = join(dir, 'assets');
    for (const name of readdirSync(assetDir)) {
      const path = join(assetDir, name);
      if (!statSync(path).isFile()) continue;
      assets.set(name, { body: readFileSync(path), type: TYPES[extname(name)] ?? 'application/octet-stream' });
    }
  } catch {
    // not built: `/` says so
  }
  return { index, assets };
}

function send(reply: FastifyReply, file: ConsoleFile, cache: string) {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cache-control', cache)
    .type(file.type)
    .send(file.body);
}

export function registerConsoleRoutes(app: FastifyInstance, dir: string = DEFAULT_CONSOLE_DIR): void {
  const build = readBuild(dir);
  app.get('/', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    if (!build.index) {
      throw new SwitchyardError('NotFound', `The web console is not built in this installation (no ${join(dir, 'index.html')}): run \`npm run build\`, then restart the server.`);
    }
    return send(reply, build.index, 'no-cache');
  });
  app.get<{ Params: { file: string } }>('/assets/:file', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const file = build.assets.get(request.params.file);
    if (!file) throw new SwitchyardError('NotFound', `The web console has no file assets/${request.params.file}.`);
    // Vite names assets by content hash: a changed file gets a new name.
    return send(reply, file, 'public, max-age=31536000, immutable');
  });
}

// Builds the web console into dist/console (served at `/` by the control plane: src/control/routes/console.ts).
// Everything is bundled (no CDN); hashed file names let the server cache assets for good.
import { defineConfig, type Plugin } from 'vite';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The SDK's client packs local folders with node:fs and tar (uploadArtifact, for the CLI). The browser
 * never uploads: its import of ./upload.js resolves to a module that says so, keeping Node code out.
 */
function browserSdk(): Plugin {
  return {
    name: 'switchyard-browser-sdk',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === './upload.js' && importer?.replace(/\\/g, '/').endsWith('/src/sdk/client.ts')) return join(here, 'sdk-upload.ts');
      return null;
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  plugins: [browserSdk()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: join(here, '..', '..', 'dist', 'console'),
    emptyOutDir: true,
    assetsDir: 'assets',
    // One stylesheet and no inline assets: the CSP allows only files of our own origin.
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: true,
    target: 'es2022',
  },
});

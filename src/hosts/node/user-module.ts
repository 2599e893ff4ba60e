// Loads a JavaScript or TypeScript scoring module: `init()` and `run(rawData, requestHeaders)`, either
// possibly async, as named exports, CommonJS exports or properties of the default export. An optional
// `swagger` export (an OpenAPI object, or a function returning one) is served at /swagger.json, as
// inference-schema's decorators do for score.py.
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';

export type RunFunction = (rawData: string, requestHeaders: Record<string, string | string[] | undefined>) => unknown;

export interface UserModule {
  init: () => unknown;
  run: RunFunction;
  /** The module's OpenAPI document, when it exports one. */
  swagger?: () => unknown;
}

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);
const runningUnderTsx = import.meta.url.endsWith('.ts');

async function enableTypeScript(file: string): Promise<void> {
  if (runningUnderTsx) return; // the host itself runs with tsx's loader
  try {
    // Both loaders, as `node --import tsx` does: a .ts file outside a "type": "module" package is
    // loaded as CommonJS, and its imports may be either kind.
    (await import('tsx/esm/api')).register();
    (await import('tsx/cjs/api')).register();
  } catch (e) {
    throw new Error(
      `${file} is TypeScript, which needs the tsx package next to Switchyard (npm install tsx), ` +
        `or compile the scoring script to .js. (${(e as Error).message})`,
    );
  }
}

type Exports = Record<string, unknown> & { default?: unknown };

/** `swagger` as an object, or a function (possibly async) that returns one. */
function pickSwagger(mod: Exports): (() => unknown) | undefined {
  const d = mod.default as Record<string, unknown> | undefined;
  const value = mod.swagger ?? (d && typeof d === 'object' ? d.swagger : undefined);
  if (typeof value === 'function') return (value as () => unknown).bind(mod.swagger === undefined ? d : undefined);
  if (value && typeof value === 'object') return () => value;
  return undefined;
}

function pick(mod: Exports, name: 'init' | 'run'): unknown {
  if (typeof mod[name] === 'function') return mod[name];
  const d = mod.default as Record<string, unknown> | undefined;
  if (d && typeof d[name] === 'function') return (d[name] as (...a: unknown[]) => unknown).bind(d);
  return undefined;
}

export async function loadUserModule(file: string): Promise<UserModule> {
  if (!existsSync(file)) {
    throw new Error(`scoring script not found: ${file} (AZUREML_ENTRY_SCRIPT is relative to AML_APP_ROOT)`);
  }
  if (TYPESCRIPT.has(extname(file))) await enableTypeScript(file);
  const mod = (await import(pathToFileURL(file).href)) as Exports;
  const run = pick(mod, 'run');
  if (typeof run !== 'function') {
    throw new Error(`${file} exports no run() function; a scoring module exports init() and run(rawData, requestHeaders).`);
  }
  const init = pick(mod, 'init');
  const swagger = pickSwagger(mod);
  return {
    init: typeof init === 'function' ? (init as () => unknown) : () => undefined,
    run: run as RunFunction,
    ...(swagger ? { swagger } : {}),
  };
}

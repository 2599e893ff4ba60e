// Where the scoring hosts live. The Python host ships as .py files under src/hosts/python (tsc does
// not copy them), so it is found from the package root both when Switchyard runs from src/ (tsx) and
// from dist/. The Node host runs compiled from dist/, or from its TypeScript source with tsx's loader.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'hosts'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the switchyard package root above ${start}`);
    dir = up;
  }
}

const runningFromSource = import.meta.url.endsWith('.ts');

export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

export const pythonHostScript = join(packageRoot, 'src', 'hosts', 'python', 'run_host.py');

/** The Python zygote (zygote.ts), next to the host so that both start with the same sys.path. */
export const pythonZygoteScript = join(packageRoot, 'src', 'hosts', 'python', 'run_zygote.py');

/** Arguments for `node` that start the Node scoring host. */
export function nodeHostArgs(): string[] {
  const compiled = join(packageRoot, 'dist', 'hosts', 'node', 'main.js');
  if (!runningFromSource && existsSync(compiled)) return [compiled];
  return ['--import', import.meta.resolve('tsx'), join(packageRoot, 'src', 'hosts', 'node', 'main.ts')];
}

// Runs on `npm install`: compiles the TypeScript sources to dist/ so that ./bin/switchyard works at once.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
if (!existsSync('tsconfig.json')) process.exit(0); // installed as a dependency from a packed tarball
const tsc = require.resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });

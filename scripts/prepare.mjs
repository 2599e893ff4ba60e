// Runs on `npm install`: builds dist/ (the server and the web console) so that ./bin/switchyard works at once.
import { existsSync } from 'node:fs';
import { build } from './build.mjs';

if (existsSync('tsconfig.json')) await build(); // not when installed as a dependency from a packed tarball

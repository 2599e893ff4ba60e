// Where things are: the repository root (benchmarks run from anywhere) and the results folder.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const resultsDir = join(repoRoot, 'bench', 'results');
export const benchmarksMd = join(repoRoot, 'BENCHMARKS.md');

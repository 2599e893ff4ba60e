// Entry point of the `switchyard` command (bin/switchyard calls main(argv) and exits with its answer).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { processIo } from './process-io.js';
import { runCli } from './run.js';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function main(argv: string[]): Promise<number> {
  return runCli(argv, {
    io: processIo(),
    env: process.env,
    cwd: process.cwd(),
    home: process.env.HOME || homedir(),
    version: packageVersion(),
  });
}

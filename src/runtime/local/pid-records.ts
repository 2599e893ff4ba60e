// Records of the processes this runtime started, under <dataDir>/run/, so that a server restarted
// after kill -9 can find and stop what the previous one left. A record names the pid and the process's
// start time (from /proc), so a pid reused by an unrelated process is never touched.
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface PidRecord {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot); null where /proc is unavailable. */
  startTime: string | null;
  endpoint: string;
  deployment: string;
  instance: string;
  serverPid: number;
  command: string;
}

export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null; // field 22 overall
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Is the process behind this record still the one we started? */
export function stillOurs(record: PidRecord): boolean {
  if (!isAlive(record.pid)) return false;
  const now = processStartTime(record.pid);
  if (record.startTime !== null && now !== null) return now === record.startTime;
  try {
    const cmdline = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').split('\0').join(' ');
    return cmdline.includes(record.command.split(' ')[0] ?? '');
  } catch {
    return false;
  }
}

export class PidRecords {
  constructor(private readonly dir: string) {}

  private fileOf(pid: number): string {
    return join(this.dir, `${pid}.json`);
  }

  async write(record: PidRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(this.fileOf(record.pid), JSON.stringify(record));
  }

  async remove(pid: number): Promise<void> {
    await rm(this.fileOf(pid), { force: true });
  }

  async list(): Promise<PidRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: PidRecord[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      try {
        out.push(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as PidRecord);
      } catch {
        await rm(join(this.dir, name), { force: true });
      }
    }
    return out;
  }
}

// Instance and storage-initializer logs on disk: one file per instance, each line stamped with the
// time it arrived, rotated by size (e.g. 10 MiB × 3) so a script printing megabytes cannot fill the
// disk; and reading back the last lines of a set of files, merged oldest first.
import { closeSync, fstatSync, openSync, renameSync, writeSync, mkdirSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface LogLimits {
  /** Rotate when the current file would grow past this many bytes. */
  maxBytes: number;
  /** Files kept per log: the current one and files - 1 rotated ones (.1, .2, ...). */
  files: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = { maxBytes: 10 * 1024 * 1024, files: 3 };

const STAMP_LENGTH = '2024-01-01T00:00:00.000Z'.length;

export class RotatingLog {
  private fd: number | null = null;
  private size = 0;

  constructor(
    readonly path: string,
    private readonly limits: LogLimits = DEFAULT_LOG_LIMITS,
  ) {}

  /** Append one line (without its newline), stamped with the current time. */
  write(text: string): void {
    this.writeLines([text]);
  }

  /** Append lines that arrived together (one chunk of a pipe) with one stamp and as few writes as the size limit allows. */
  writeLines(texts: string[]): void {
    if (!texts.length) return;
    const stamp = new Date().toISOString();
    if (this.fd === null) this.openFile();
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = () => {
      if (!pendingBytes) return;
      try {
        writeSync(this.fd!, pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes));
        this.size += pendingBytes;
      } catch {
        // A full or vanished disk must not take the server down; the lines are lost.
      }
      pending = [];
      pendingBytes = 0;
    };
    for (const text of texts) {
      const line = Buffer.from(`${stamp} ${text}\n`);
      if (this.size + pendingBytes > 0 && this.size + pendingBytes + line.length > this.limits.maxBytes) {
        flush();
        this.rotate();
      }
      pending.push(line);
      pendingBytes += line.length;
    }
    flush();
  }

  close(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = null;
    }
  }

  private openFile(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.path, 'a');
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    for (let i = this.limits.files - 1; i >= 1; i--) {
      const from = i === 1 ? this.path : `${this.path}.${i - 1}`;
      try {
        renameSync(from, `${this.path}.${i}`);
      } catch {
        /* nothing to shift */
      }
    }
    if (this.limits.files <= 1) {
      this.fd = openSync(this.path, 'w');
      this.size = 0;
      return;
    }
    this.openFile();
  }
}

/** Splits a byte stream into lines; a line longer than maxLine is cut into pieces. */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingLength = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLine = 16 * 1024,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      this.emit(chunk.subarray(start, nl));
      start = nl + 1;
    }
    let rest = chunk.subarray(start);
    while (this.pendingLength + rest.length > this.maxLine) {
      const take = this.maxLine - this.pendingLength;
      this.emit(rest.subarray(0, take));
      rest = rest.subarray(take);
    }
    if (rest.length) {
      this.pending.push(rest);
      this.pendingLength += rest.length;
    }
  }

  flush(): void {
    if (this.pendingLength) this.emit(Buffer.alloc(0));
  }

  private emit(tail: Buffer): void {
    let bytes = tail;
    if (this.pendingLength) {
      bytes = Buffer.concat([...this.pending, tail]);
      this.pending = [];
      this.pendingLength = 0;
    }
    let text = bytes.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    this.onLine(text);
  }
}

/** The last `n` lines of one file (without their newlines); [] when it does not exist. */
export async function readLastLines(path: string, n: number): Promise<string[]> {
  if (n <= 0) return [];
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    const block = 64 * 1024;
    let position = size;
    let chunks: Buffer[] = [];
    let newlines = 0;
    while (position > 0 && newlines <= n) {
      const length = Math.min(block, position);
      position -= length;
      const buf = Buffer.alloc(length);
      await handle.read(buf, 0, length, position);
      chunks = [buf, ...chunks];
      for (let i = 0; i < length; i++) if (buf[i] === 10) newlines++;
    }
    const lines = Buffer.concat(chunks).toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (position > 0) lines.shift(); // the first line may be cut
    return lines.slice(-n);
  } finally {
    await handle.close();
  }
}

/** The last `n` lines of a rotated log (current file first, then .1, .2 ... as needed), oldest first. */
export async function readLastLinesRotated(path: string, n: number, files: number): Promise<string[]> {
  let lines = await readLastLines(path, n);
  for (let i = 1; i < files && lines.length < n; i++) {
    lines = [...(await readLastLines(`${path}.${i}`, n - lines.length)), ...lines];
  }
  return lines;
}

export interface StampedLine {
  stamp: string;
  source: string;
  text: string;
}

export function splitStamp(line: string): { stamp: string; text: string } {
  if (line.length > STAMP_LENGTH && line[STAMP_LENGTH] === ' ' && line[10] === 'T') {
    return { stamp: line.slice(0, STAMP_LENGTH), text: line.slice(STAMP_LENGTH + 1) };
  }
  return { stamp: '', text: line };
}

/** Merge several sources' stamped lines by time (stable), keep the last n, prefix each with its source. */
export function mergeTails(sources: Array<{ source: string; lines: string[] }>, n: number): string[] {
  const all: StampedLine[] = [];
  for (const { source, lines } of sources) {
    for (const line of lines) all.push({ source, ...splitStamp(line) });
  }
  all.sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : 0));
  return all.slice(-n).map((l) => `[${l.source}] ${l.text}`);
}

/** Instance log files (`<name>.log`) in a deployment's log folder, except the given names. */
export async function instanceLogNames(dir: string, except: Set<string>): Promise<string[]> {
  try {
    return (await readdir(dir))
      .filter((f) => f.endsWith('.log'))
      .map((f) => f.slice(0, -4))
      .filter((name) => !except.has(name))
      .sort();
  } catch {
    return [];
  }
}

export const logPathOf = (dir: string, name: string): string => join(dir, `${name}.log`);

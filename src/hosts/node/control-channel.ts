// Talks to the process that started the host: events as JSON lines on the file descriptor named by
// SWITCHYARD_CONTROL_FD (never mixed with the user's own output), or on stdout when run by hand. The
// host exits as soon as its stdin (a pipe held by the server) closes, so a dead server leaves no host.
import { fstatSync, writeSync } from 'node:fs';

export function announce(event: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ ...fields, event }) + '\n';
  const raw = process.env.SWITCHYARD_CONTROL_FD;
  const fd = raw ? Number(raw) : NaN;
  if (Number.isInteger(fd) && fd >= 0) {
    writeSync(fd, line);
  } else {
    process.stdout.write(line);
  }
}

export function exitOnStdinEof(): void {
  let piped = false;
  try {
    const st = fstatSync(0);
    piped = st.isFIFO() || st.isSocket();
  } catch {
    return;
  }
  if (!piped) return;
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}

// Every process the benchmarks start goes through here, so that all of them are stopped at the end,
// on failure, and on Ctrl-C. Children run in their own process group (detached) so a stop reaches
// their own children too (gunicorn workers, nginx workers), and we only ever signal groups we made.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const live = new Set();

/** Prefix a command with `taskset -c CPUS` when pinning is asked for (and taskset exists). */
export function pinned(cpus, cmd, args) {
  return cpus == null ? [cmd, args] : ['taskset', ['-c', String(cpus), cmd, ...args]];
}

/**
 * Start a long-running process. Its stdout/stderr go to `log` (a file) unless `onStdout` wants the
 * lines. Returns the ChildProcess with `.label` and `.exited` (a promise of the exit code).
 */
export function start(label, cmd, args, { env, cwd, log, cpus, onStdout } = {}) {
  const [c, a] = pinned(cpus, cmd, args);
  const child = spawn(c, a, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.label = label;
  child.commandLine = [c, ...a].join(' ');
  live.add(child);
  child.exited = new Promise((resolve) => child.on('exit', (code, sig) => { live.delete(child); resolve(code ?? sig); }));
  child.on('error', () => {}); // reported through `exited` and the readiness wait
  let out = null;
  if (log) { mkdirSync(dirname(log), { recursive: true }); out = createWriteStream(log); } // a fresh log per process per run
  if (onStdout) {
    let buf = '';
    child.stdout.on('data', (d) => {
      out?.write(d);
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) { onStdout(buf.slice(0, i)); buf = buf.slice(i + 1); }
    });
  } else if (out) child.stdout.pipe(out); else child.stdout.resume();
  if (out) child.stderr.pipe(out); else child.stderr.resume();
  return child;
}

const signalGroup = (child, sig) => { try { process.kill(-child.pid, sig); } catch { /* already gone */ } };

/** Ask politely (SIGTERM or `sig`), then SIGKILL the group after `graceMs`. */
export async function stop(child, { sig = 'SIGTERM', graceMs = 5000 } = {}) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  signalGroup(child, sig);
  const done = await Promise.race([child.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) { signalGroup(child, 'SIGKILL'); await child.exited; }
  signalGroup(child, 'SIGKILL'); // stragglers left in the group (workers that ignored the first signal)
}

export async function stopAll() {
  await Promise.all([...live].map((c) => stop(c)));
}

// Last resort on an abrupt exit: nothing async runs any more, so kill the groups synchronously.
process.on('exit', () => { for (const c of live) signalGroup(c, 'SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    process.stderr.write(`\nbench: ${sig}, stopping ${live.size} process(es)\n`);
    stopAll().finally(() => process.exit(130));
  });
}

/**
 * Run a command to completion with a hard time limit; resolves {code, stdout, stderr, ms}.
 * Used for wrk, the open-loop generator and CLI calls.
 */
export function run(cmd, args, { env, cwd, timeoutMs = 60000, cpus, input } = {}) {
  const [c, a] = pinned(cpus, cmd, args);
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(c, a, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    child.label = `run ${cmd}`;
    live.add(child);
    let stdout = '', stderr = '', timedOut = false;
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (e) => { stderr += String(e); });
    const timer = setTimeout(() => { timedOut = true; signalGroup(child, 'SIGKILL'); }, timeoutMs);
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      live.delete(child);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      resolve({ code: timedOut ? 'timeout' : (code ?? sig), stdout, stderr, ms, commandLine: [c, ...a].join(' ') });
    });
    if (input != null) child.stdin.end(input); else child.stdin.end();
  });
}

/** Poll `url` until it answers `okStatus` (GET), the child died, or the time is up. */
export async function waitHttp(url, { timeoutMs = 15000, child, okStatus = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`${child.label} exited (${child.exitCode ?? child.signalCode}) before ${url} was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === okStatus) return;
      last = `status ${res.status}`;
    } catch (e) { last = e.cause?.code ?? e.message; }
    await sleep(50);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}

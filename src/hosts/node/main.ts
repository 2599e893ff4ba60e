// Switchyard's Node scoring host: serves a .js/.mjs/.cjs/.ts scoring module exporting init() and
// run(rawData, requestHeaders) over the azureml instance routes. WORKER_COUNT > 1 forks cluster workers
// sharing one port; each runs init() before it listens. Readiness is announced once every worker listens.
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { announce, exitOnStdinEof } from './control-channel.js';
import { createScoringServer, drain } from './scoring-server.js';
import { readSettings, type HostSettings } from './settings.js';
import { loadUserModule } from './user-module.js';

const INIT_FAILED = 3;
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 60_000;

type WorkerMessage = { type: 'init_failed'; phase: string; error: string; traceback: string };

function failure(phase: string, e: unknown): WorkerMessage {
  const err = e instanceof Error ? e : new Error(String(e));
  return { type: 'init_failed', phase, error: `${err.name}: ${err.message}`, traceback: `${phase} failed:\n${err.stack ?? err.message}` };
}

/** Load the module, run init(), listen. Resolves with the bound port, or reports the failure and exits. */
async function startWorker(settings: HostSettings, report: (m: WorkerMessage) => void): Promise<number> {
  let phase = `Loading ${settings.entryScript}`;
  try {
    const user = await loadUserModule(settings.entryPath);
    phase = `init() of ${settings.entryScript}`;
    await user.init();
    const server = createScoringServer(user, settings.maxBodyBytes, settings.secret);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.bindHost, () => resolve());
    });
    process.once('SIGTERM', () => {
      void drain(server, settings.drainSeconds).then(() => process.exit(0));
    });
    return (server.address() as AddressInfo).port;
  } catch (e) {
    const message = failure(phase, e);
    process.stderr.write(`${message.traceback}\n`);
    report(message);
    process.exit(INIT_FAILED);
  }
}

function reportToServer(m: WorkerMessage): void {
  announce('init_failed', { phase: m.phase, error: m.error, traceback: m.traceback });
}

async function primary(settings: HostSettings): Promise<void> {
  let ready = 0;
  let port = 0;
  let stopping = false;
  let crashes: number[] = [];
  const fork = () => cluster.fork({ PORT: String(settings.port) });

  cluster.on('message', (_worker, message: WorkerMessage) => {
    if (message?.type === 'init_failed') reportToServer(message);
  });
  cluster.on('listening', (_worker, address) => {
    port = address.port;
    if (++ready === settings.workers) announce('ready', { port, pid: process.pid, workers: settings.workers });
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    if (ready < settings.workers) {
      process.stderr.write(`worker ${worker.process.pid} exited before it was ready (code ${code}, signal ${signal}); stopping the instance\n`);
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(code === INIT_FAILED ? INIT_FAILED : 1);
    }
    const now = Date.now();
    crashes = [...crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    if (crashes.length > MAX_CRASHES) {
      process.stderr.write(`workers died ${crashes.length} times within ${CRASH_WINDOW_MS / 1000}s; stopping the instance\n`);
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(1);
    }
    process.stderr.write(`worker ${worker.process.pid} died (code ${code}, signal ${signal}); starting a new one\n`);
    fork();
  });
  process.on('SIGTERM', () => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const w of workers) w?.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), (settings.drainSeconds + 1) * 1000).unref();
  });
  for (let i = 0; i < settings.workers; i++) fork();
}

async function main(): Promise<void> {
  const settings = readSettings();
  // Read: the scoring module has no use for the name (cluster workers read the file themselves).
  if (cluster.isWorker || settings.workers === 1) delete process.env.SWITCHYARD_INSTANCE_SECRET_FILE;
  if (cluster.isWorker) {
    await startWorker(settings, (m) => process.send?.(m));
    return;
  }
  exitOnStdinEof();
  if (settings.workers > 1) {
    await primary(settings);
    return;
  }
  const port = await startWorker(settings, reportToServer);
  process.env.PORT = String(port);
  announce('ready', { port, pid: process.pid, workers: 1 });
}

main().catch((e) => {
  process.stderr.write(`switchyard node host: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});

// Test instances in a child process of their own, for measurements: in the test's process they would
// share its event loop with the load generator and skew latencies.
//   const remote = await startRemoteInstances([{ name, behaviour: { delayMs } }])
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestInstance, type TestInstanceBehaviour } from './gateway-fixtures.js';

export interface RemoteSpec {
  name: string;
  behaviour?: Omit<TestInstanceBehaviour, 'body'> & { fixedBody?: string };
}

export interface RemoteInstances {
  urls: Record<string, string>;
  close(): Promise<void>;
}

export async function startRemoteInstances(specs: RemoteSpec[]): Promise<RemoteInstances> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [JSON.stringify(specs)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const urls = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Record<string, string>));
    child.once('exit', (code) => reject(new Error(`test instance process exited (${code})`)));
  });
  return {
    urls,
    close: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

// Child side: start the instances, report their URLs, live until the parent goes.
if (process.send !== undefined && process.argv[2]?.startsWith('[')) {
  const specs = JSON.parse(process.argv[2]) as RemoteSpec[];
  const urls: Record<string, string> = {};
  for (const s of specs) {
    const fixed = s.behaviour?.fixedBody;
    const inst = await startTestInstance(s.name, { ...s.behaviour, ...(fixed === undefined ? {} : { body: () => fixed }) });
    urls[s.name] = inst.url;
  }
  process.send(urls);
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}

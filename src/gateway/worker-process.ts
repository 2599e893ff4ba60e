// Entry point of one gateway worker process (`--gateway-workers N`, N > 1: gateway-workers.ts forks N
// of them through node:cluster). The listening socket is shared: cluster hands every worker the same
// handle and the kernel spreads accepted connections over the processes. The configuration comes as the
// first IPC message (never in the environment: it may carry the TLS key), asked for with {op: 'hello'}
// once this module listens (a message sent before would be lost); then the same loop as the worker
// thread runs (worker-loop.ts), talking to the host over process.send.
import type { HostToWorker, WorkerProcessStart, WorkerToHost } from './protocol.js';
import { runGatewayWorker } from './worker-loop.js';

const send = process.send?.bind(process);
if (send === undefined) throw new Error('gateway/worker-process.ts must run as a forked gateway worker (see gateway-workers.ts)');

process.once('message', (first: WorkerProcessStart) => {
  if (first?.op !== 'start') throw new Error('gateway worker process: the first message must be {op: "start"}');
  runGatewayWorker(first.config, {
    post: (m: WorkerToHost) => {
      send(m);
    },
    onMessage: (h: (m: HostToWorker) => void) => {
      process.on('message', h);
    },
  });
});
send({ op: 'hello' });

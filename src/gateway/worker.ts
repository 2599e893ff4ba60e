// Entry point of the gateway's worker thread (the default, one gateway worker): the data path runs on
// its own event loop (worker-loop.ts), so the control plane's synchronous SQLite calls, unpacking and
// reconciling never stall a scoring request.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerConfig } from './protocol.js';
import { runGatewayWorker } from './worker-loop.js';

const port = parentPort;
if (port === null) throw new Error('gateway/worker.ts must run in a worker thread (see GatewayHost)');
runGatewayWorker(workerData as WorkerConfig, { post: (m) => port.postMessage(m), onMessage: (h) => port.on('message', h) });

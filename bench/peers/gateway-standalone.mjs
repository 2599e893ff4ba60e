// Switchyard's gateway alone: the compiled GatewayHost (dist/gateway/host.js, the worker-thread data
// path) fed one routing snapshot (the shared contract of src/gateway/snapshot.ts) by this process
// instead of the control plane. Used by `npm run bench -- B1 --gateway-only` to measure and profile the
// data path in isolation (no control plane, no runtime): the same instances, the same key auth.
//   node bench/peers/gateway-standalone.mjs '<json>'
//   json: {key, endpoints: {NAME: {traffic: {dep: weight}, mirror: {dep: percent}|null,
//          deployments: {dep: [instanceUrl, ...]}}}, maxConcurrent?, workers?}
// Prints {"event":"listening","gatewayUrl":...} and runs until SIGTERM.
import { createHash, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { repoRoot } from '../lib/paths.mjs';

const spec = JSON.parse(process.argv[2]);
const dist = (p) => import(pathToFileURL(join(repoRoot, 'dist', p)).href);
const { GatewayHost } = await dist('gateway/host.js');
const { silentLogger } = await dist('logger.js');

const keyHash = createHash('sha256').update(spec.key).digest('hex');
const endpoints = {};
for (const [name, e] of Object.entries(spec.endpoints)) {
  endpoints[name] = {
    name, authMode: 'key', keyHashes: [keyHash], tokenSecret: randomBytes(32).toString('hex'),
    traffic: Object.entries(e.traffic).map(([deployment, weight]) => ({ deployment, weight })),
    mirror: e.mirror ? { deployment: Object.keys(e.mirror)[0], percent: Object.values(e.mirror)[0] } : null,
    deployments: Object.fromEntries(Object.entries(e.deployments).map(([d, urls]) => [d, {
      name: d, requestTimeoutMs: 10000, maxConcurrentPerInstance: spec.maxConcurrent ?? 128, instanceCount: urls.length,
      instances: urls.map((url, i) => ({ name: `${d}-${i}`, url })), scorePath: '/score', swaggerPath: '/swagger.json',
    }])),
  };
}
// spec.workers > 1: that many gateway worker processes sharing the port (serve --gateway-workers N).
const gw = await GatewayHost.start({ host: '127.0.0.1', port: 0, logger: silentLogger(), ...(spec.workers > 1 ? { workers: spec.workers } : {}) });
await gw.publish({ version: 1, endpoints });
process.stdout.write(JSON.stringify({ event: 'listening', gatewayUrl: gw.url }) + '\n');
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    // Exit promptly (a bench stop), but through process.exit so --cpu-prof writes its profiles.
    Promise.race([gw.close(), new Promise((r) => setTimeout(r, 2000))]).finally(() => process.exit(0));
  });
}

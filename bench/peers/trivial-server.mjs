// The trivial model instance: the smallest scoring server that honours the instance routes of
// docs/compatibility.md, "The scoring script" (GET / liveness, POST /score). It reads the whole body and answers a small JSON document,
// so every benchmark row measures the path to the model, not the model.
//   PORT      port to listen on (0 = any; the chosen port is printed as {"event":"listening","port":N})
//   DELAY_MS  answer /score after this many milliseconds (the "slow shadow" of B2); 0 = at once
import { createServer } from 'node:http';

const delayMs = Number(process.env.DELAY_MS ?? 0);
const answer = Buffer.from(JSON.stringify({ ok: true, model: process.env.MODEL_NAME ?? 'trivial' }));

const server = createServer((req, res) => {
  if (req.method === 'GET' && (req.url === '/' || req.url === '/healthz')) {
    res.writeHead(200, { 'content-type': 'text/plain' });
    return res.end('Healthy');
  }
  if (req.method !== 'POST' || !req.url.startsWith('/score')) {
    res.writeHead(404);
    return res.end();
  }
  let n = 0;
  req.on('data', (d) => { n += d.length; });
  req.on('end', () => {
    const send = () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
      res.end(answer);
    };
    if (delayMs > 0) setTimeout(send, delayMs); else send();
  });
});
// Proxies keep upstream connections open; outlive their idle timeouts so a reused socket is never
// closed under a request in flight (which would show up as spurious 502s).
server.keepAliveTimeout = 120_000;
server.headersTimeout = 125_000;
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ event: 'listening', port: server.address().port }) + '\n');
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => { server.closeAllConnections?.(); server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 500).unref(); });

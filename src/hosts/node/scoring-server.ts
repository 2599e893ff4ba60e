// The instance routes of the azureml inference server over a JavaScript scoring module:
// GET / (liveness, "Healthy"), GET /ready, POST /score, GET /swagger.json (the module's `swagger` export; 404 when it has none).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BAD_VALUE_CHAR } from '../../gateway/http-syntax.js';
import { takeSecret } from './gateway-secret.js';
import type { UserModule } from './user-module.js';

const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain; charset=utf-8';

class BodyTooLarge extends Error {}
/** run() returned a Response with a header that cannot be sent (the request is answered 500). */
class BadHeader extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge(`Payload too large: more than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array, headers: Record<string, string> = {}): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': bytes.length, ...headers });
  res.end(bytes);
}

async function sendResult(res: ServerResponse, result: unknown): Promise<void> {
  if (result instanceof Response) {
    const body = new Uint8Array(await result.arrayBuffer());
    const headers: Record<string, string> = {};
    let bad: string | undefined;
    // Headers already refuses CR, LF, NUL and non-token names; the other control characters it lets
    // through are refused here, with a reason, as the Python host and the gateway do.
    result.headers.forEach((value, key) => {
      if (BAD_VALUE_CHAR.test(value)) bad ??= key;
      if (key !== 'content-length' && key !== 'transfer-encoding' && key !== 'connection') headers[key] = value;
    });
    if (bad !== undefined) throw new BadHeader(`the value of response header '${bad}' holds a control character`);
    send(res, result.status, headers['content-type'] ?? TEXT_TYPE, body, headers);
  } else if (result instanceof Uint8Array) {
    send(res, 200, 'application/octet-stream', result);
  } else {
    // Like the azureml server: every other result, a string included, is sent as JSON.
    send(res, 200, JSON_TYPE, JSON.stringify(result === undefined ? null : result));
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** `secret`: when set, requests without it (the gateway's header) are refused with 401. */
export function createScoringServer(user: UserModule, maxBodyBytes: number, secret: Buffer | null = null): Server {
  const server = createServer({ keepAlive: true, keepAliveTimeout: 65_000 }, (req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (secret !== null && !takeSecret(req, secret)) {
      send(res, 401, TEXT_TYPE, 'This instance answers only the Switchyard gateway: call the endpoint\'s scoring URI instead.', { Connection: 'close' });
      return;
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const method = req.method ?? 'GET';
    if (path === '/score') {
      if (method !== 'POST') {
        send(res, 405, TEXT_TYPE, 'Method not allowed: /score takes POST', { Allow: 'POST' });
        return;
      }
      let body: Buffer;
      try {
        body = await readBody(req, maxBodyBytes);
      } catch (e) {
        if (!res.headersSent) send(res, e instanceof BodyTooLarge ? 413 : 400, TEXT_TYPE, (e as Error).message, { Connection: 'close' });
        return;
      }
      let result: unknown;
      try {
        result = await user.run(body.toString('utf8'), req.headers as Record<string, string | string[] | undefined>);
      } catch (e) {
        process.stderr.write(`Encountered exception in run():\n${e instanceof Error ? e.stack : String(e)}\n`);
        send(res, 500, JSON_TYPE, JSON.stringify({ message: 'An unexpected error occurred in scoring script. Check the logs for more info.', error: describe(e) }));
        return;
      }
      try {
        await sendResult(res, result);
      } catch (e) {
        if (e instanceof BadHeader) {
          process.stderr.write(`run() returned a Response that was refused: ${e.message}\n`);
          send(res, 500, JSON_TYPE, JSON.stringify({ message: `run() returned a response with an invalid header: ${e.message}. Check the logs for more info.` }));
          return;
        }
        send(res, 500, JSON_TYPE, JSON.stringify({ message: `run() returned a result that cannot be sent as JSON: ${describe(e)}` }));
      }
      return;
    }
    if (method === 'GET' || method === 'HEAD') {
      if (path === '/') return send(res, 200, TEXT_TYPE, 'Healthy');
      if (path === '/ready') return send(res, 200, TEXT_TYPE, 'Ready');
      if (path === '/swagger.json') {
        if (!user.swagger) {
          return send(res, 404, JSON_TYPE, JSON.stringify({ message: 'This scoring module publishes no schema: export `swagger` (an OpenAPI object) to serve one.' }));
        }
        let doc: unknown;
        try {
          doc = await user.swagger();
        } catch (e) {
          process.stderr.write(`Encountered exception in swagger():\n${e instanceof Error ? e.stack : String(e)}\n`);
          return send(res, 500, JSON_TYPE, JSON.stringify({ message: 'The scoring module\'s swagger export failed. Check the logs for more info.', error: describe(e) }));
        }
        return send(res, 200, JSON_TYPE, JSON.stringify(doc));
      }
    }
    send(res, 404, JSON_TYPE, JSON.stringify({ message: `Not found: ${method} ${path}` }));
  }

  return server;
}

/** Stop accepting, close idle keep-alive connections, let requests in flight finish, then resolve. */
export function drain(server: Server, seconds: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, seconds * 1000);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
    server.on('request', (_req, res) => res.setHeader('Connection', 'close'));
  });
}

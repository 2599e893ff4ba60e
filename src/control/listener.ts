// The control plane's node:http(s) server, made for Fastify (serverFactory): HTTPS when the server has a
// certificate, a cap on open connections (more are closed at once, so a flood cannot exhaust the
// process's file descriptors, which the gateway shares), and time limits on slow clients: a head must
// arrive within headersTimeout, a whole request within requestTimeout, checked every second.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { SecuritySettings } from './security-settings.js';

/** PEM certificate chain and private key for HTTPS. */
export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export function controlServerFactory(security: SecuritySettings, tls?: TlsMaterial) {
  return (handler: Handler): Server => {
    const timeouts = {
      headersTimeout: security.controlHeadersTimeoutMs,
      requestTimeout: security.controlRequestTimeoutMs,
      connectionsCheckingInterval: 1000,
      keepAliveTimeout: 5000,
    };
    const server: Server = tls
      ? createHttpsServer({ ...timeouts, cert: tls.cert, key: tls.key, handshakeTimeout: security.controlHeadersTimeoutMs }, handler)
      : createHttpServer(timeouts, handler);
    server.maxConnections = security.controlMaxConnections;
    // node:http's own head check did not cut connections held under a flood (seen at 1,500 slow heads):
    // each new connection also gets its own deadline for its first head, cleared when a request starts.
    const heads = new WeakMap<Socket, NodeJS.Timeout>();
    server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      const timer = setTimeout(() => socket.destroy(), security.controlHeadersTimeoutMs);
      timer.unref();
      heads.set(socket, timer);
      socket.once('close', () => clearTimeout(timer));
    });
    server.on('request', (req: IncomingMessage) => {
      const timer = heads.get(req.socket);
      if (timer !== undefined) {
        clearTimeout(timer);
        heads.delete(req.socket);
      }
    });
    return server;
  };
}

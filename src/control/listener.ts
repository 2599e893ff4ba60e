// The control plane's node:http(s) server, made for Fastify (serverFactory): HTTPS when the server has a
// certificate, a cap on open connections (more are closed at once, so a flood cannot exhaust the
// process's file descriptors, which the gateway shares), and time limits on slow clients: a head must
// arrive within headersTimeout, a whole request within requestTimeout, checked every second.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
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
    return server;
  };
}

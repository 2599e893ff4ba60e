// Standalone gateways (an extension, docs/gateway.md): the stream of routing snapshots they serve
// from, their registration/heartbeat/acknowledgement, and the list of them with who lags.
//
// GET /api/v1/gateway/snapshots?after=V answers application/x-ndjson, one JSON object a line, for as
// long as the connection lasts:
//   {"type":"snapshot","snapshot":{"version":...,"endpoints":{...}}}   newer than `after`, newest only
//   {"type":"keepalive","version":V}                                   every few seconds: V is the newest sent
// Snapshots hold instance secrets and the endpoints' key hashes and token secrets: only the Switchyard
// Gateway role (and Owner) may read them (permissions.ts), and over TLS off the machine (docs/security.md).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { SwitchyardError } from '../../errors.js';
import type { GatewayFleet } from '../gateway-fleet.js';
import type { SnapshotFeed } from '../snapshot-feed.js';
import type { RoutingSnapshot } from '../../gateway/snapshot.js';
import { ListOf, errorResponses } from '../schemas/common.js';

/** How often an idle stream says it is alive (the gateway counts a silence of 3× this as a lost control plane). */
export const KEEPALIVE_MS = 3_000;

const GatewayId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$', description: 'The gateway\'s id: 1-128 letters, digits, ".", "_", ":", "@", "-"' });

const SnapshotsQuery = Type.Object({
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'The version the gateway serves: only newer snapshots are sent' })),
}, { additionalProperties: false });

const GatewayReportBody = Type.Object({
  id: GatewayId,
  address: Type.String({ minLength: 1, maxLength: 2048, description: 'The gateway\'s scoring URL' }),
  software_version: Type.String({ minLength: 1, maxLength: 64 }),
  acked_version: Type.Integer({ minimum: 0, description: 'The routing snapshot version it serves now (0: none yet)' }),
}, { additionalProperties: false });

const GatewayViewSchema = Type.Object({
  id: Type.String(),
  address: Type.String(),
  software_version: Type.String(),
  acked_version: Type.Integer({ description: 'The routing snapshot version it serves' }),
  routing_version: Type.Integer({ description: 'The newest routing snapshot version published' }),
  status: Type.String({ description: 'InForce (serves the newest), Lagging (live but behind) or Disconnected (no heartbeat within the window)' }),
  principal: Type.String({ description: 'Whose token it used' }),
  registered_at: Type.String(),
  last_seen_at: Type.String(),
});

export function registerGatewayRoutes(app: FastifyInstance, feed: SnapshotFeed, fleet: GatewayFleet): void {
  app.get<{ Querystring: Static<typeof SnapshotsQuery> }>('/api/v1/gateway/snapshots', {
    schema: {
      summary: 'A stream (application/x-ndjson) of routing snapshots for a standalone gateway: the newest after `after`, then each newer one, with keepalives',
      querystring: SnapshotsQuery,
      response: { 200: Type.String({ description: 'application/x-ndjson lines' }), ...errorResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    let sent = request.query.after ?? 0;
    // Only the newest matters: while the socket is backed up, keep the newest unsent one and send it on drain.
    let pending: RoutingSnapshot | null = null;
    const write = (s: RoutingSnapshot): void => {
      if (s.version <= sent) return;
      if (res.writableNeedDrain) {
        pending = s;
        return;
      }
      sent = s.version;
      res.write(JSON.stringify({ type: 'snapshot', snapshot: s }) + '\n');
    };
    res.on('drain', () => {
      const next = pending;
      pending = null;
      if (next) write(next);
    });
    const keepalive = setInterval(() => {
      if (!res.writableNeedDrain) res.write(JSON.stringify({ type: 'keepalive', version: sent }) + '\n');
    }, KEEPALIVE_MS);
    const unsubscribe = feed.subscribe({ snapshot: write, close: () => res.end() });
    res.on('close', () => {
      clearInterval(keepalive);
      unsubscribe();
    });
    const current = feed.current();
    if (current) write(current);
    request.log.info({ principal: request.principal?.name, after: request.query.after ?? 0 }, 'gateway snapshot stream opened');
  });

  app.post<{ Body: Static<typeof GatewayReportBody> }>('/api/v1/gateways', {
    schema: {
      summary: 'A standalone gateway registers, heartbeats and acknowledges the snapshot version it serves (one report)',
      body: GatewayReportBody,
      response: { 200: GatewayViewSchema, ...errorResponses(400, 401, 403) },
    },
  }, async (request) => {
    const report = { ...request.body, principal: request.principal!.name };
    fleet.report(report);
    request.auditTarget = `gateways/${report.id}`;
    const view = fleet.list().find((g) => g.id === report.id);
    if (!view) throw new SwitchyardError('GatewayNotFound', `Gateway ${JSON.stringify(report.id)} was removed meanwhile; report again.`);
    return view;
  });

  app.delete<{ Params: { id: string } }>('/api/v1/gateways/:id', {
    schema: {
      summary: 'Forget a standalone gateway (it stopped): routing changes no longer wait for it',
      params: Type.Object({ id: Type.String() }),
      response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
    },
  }, async (request, reply) => {
    request.auditTarget = `gateways/${request.params.id}`;
    if (!fleet.remove(request.params.id)) {
      throw new SwitchyardError('GatewayNotFound', `No gateway ${JSON.stringify(request.params.id)} is registered; see GET /api/v1/gateways.`);
    }
    return reply.code(204).send();
  });

  app.get('/api/v1/gateways', {
    schema: {
      summary: 'Registered standalone gateways: the snapshot version each serves and whether it is in force, lagging or disconnected',
      response: { 200: ListOf(GatewayViewSchema), ...errorResponses(401, 403) },
    },
  }, async () => ({ value: fleet.list() }));
}

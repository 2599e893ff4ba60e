import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../schemas/common.js';
import { ReplicaList, type ReplicaView } from '../schemas/replica.js';

/** GET /api/v1/replicas (an extension): the replicas sharing the store and which one leads. */
export function registerReplicaRoutes(app: FastifyInstance, replicas?: () => Promise<ReplicaView[]>): void {
  app.get('/api/v1/replicas', {
    schema: {
      summary: 'The control-plane replicas sharing this PostgreSQL store, which one leads and for how long (empty for a single server)',
      response: { 200: ReplicaList, ...errorResponses(401, 403, 503) },
    },
  }, async () => (replicas ? { replicated: true, value: await replicas() } : { replicated: false, value: [] }));
}

import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';

export function registerHealthRoutes(app: FastifyInstance, version: string): void {
  app.get('/api/v1/health', {
    config: { public: true },
    schema: {
      summary: 'Liveness of the control plane (no token needed)',
      response: { 200: Type.Object({ status: Type.Literal('ok'), version: Type.String() }) },
    },
  }, async () => ({ status: 'ok' as const, version }));
}

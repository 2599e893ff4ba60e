import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../context.js';

export function registerMetricsRoutes(app: FastifyInstance, gateway: GatewayMetrics): void {
  app.get('/metrics', {
    schema: { summary: 'Prometheus text exposition of the gateway\'s counters', hide: false },
  }, async (_request, reply) => {
    const text = await gateway.metricsText();
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
  });
}

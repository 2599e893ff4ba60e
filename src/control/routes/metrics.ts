import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../context.js';

/** `more`: further Prometheus text appended to the gateway's (the comparer's figures). */
export function registerMetricsRoutes(app: FastifyInstance, gateway: GatewayMetrics, more?: () => Promise<string>): void {
  app.get('/metrics', {
    schema: { summary: 'Prometheus text exposition of the gateway\'s counters and the rollouts\' state', hide: false },
  }, async (_request, reply) => {
    const text = (await gateway.metricsText()) + (more ? await more() : '');
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
  });
}

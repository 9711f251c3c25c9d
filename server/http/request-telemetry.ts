import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { redactSecrets } from '../logging/redaction';
import { MetricsService } from '../metrics/metrics.service';

/** One log line and one metrics sample per request; the route label is the pattern, never the raw URL. */
export function installRequestTelemetry(fastify: FastifyInstance, metrics: MetricsService, logger: Logger) {
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, seconds);
    if (route === '/health' || route === '/metrics') return;
    logger.info(
      { method: request.method, url: redactSecrets(request.url), route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, reqId: request.id },
      'request',
    );
  });
}

import type { FastifyInstance } from 'fastify';
import { SourcesService } from '../sources/sources.service';
import { CORS_ALLOWED_HEADERS } from './ingest-gateway';

/**
 * Answers CORS preflights for the ingestion routes. Preflights carry no key, so any origin some enabled
 * source allows passes here; the real request is then checked against its own source's origins.
 */
export function installIngestionCors(fastify: FastifyInstance, sources: SourcesService) {
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'OPTIONS' || !request.url.startsWith('/v1/')) return;
    const origin = request.headers.origin;
    void reply.header('Vary', 'Origin');
    if (origin && (await sources.isKnownOrigin(origin))) {
      void reply
        .header('Access-Control-Allow-Origin', origin)
        .header('Access-Control-Allow-Methods', 'GET, POST')
        .header('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS)
        .header('Access-Control-Max-Age', '600');
    }
    return reply.status(204).send();
  });
}

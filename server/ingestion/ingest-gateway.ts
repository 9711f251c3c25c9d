import { ForbiddenException, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthenticatedSource, SourcesService } from '../sources/sources.service';
import { IngestRejected } from './problems';

export const CORS_ALLOWED_HEADERS = 'Authorization, Content-Type';

/** The write key, from `Authorization` (Bearer, or Basic with the key as user as Segment sends it), `?writeKey=`, or a Segment body's `writeKey`. */
export function writeKeyOf(request: FastifyRequest, body: unknown): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const [scheme, value = ''] = header.trim().split(/\s+/, 2);
    if (/^bearer$/i.test(scheme)) return value || undefined;
    if (/^basic$/i.test(scheme)) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const user = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
      return user || undefined;
    }
    return undefined;
  }
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.writeKey ?? query?.write_key;
  if (typeof fromQuery === 'string' && fromQuery) return fromQuery;
  if (body && typeof body === 'object' && typeof (body as { writeKey?: unknown }).writeKey === 'string') return (body as { writeKey: string }).writeKey;
  return undefined;
}

/** Admits a request to an ingestion route: a valid, enabled write key, and a browser origin the source allows. */
@Injectable()
export class IngestGateway {
  // Refusals are counted in ingest_requests_rejected_total by metrics/ingest-rejections.ts.
  constructor(private readonly sources: SourcesService) {}

  async admit(request: FastifyRequest, reply: FastifyReply, body: unknown): Promise<AuthenticatedSource> {
    const key = writeKeyOf(request, body);
    if (!key) {
      throw new IngestRejected(401, [{ index: null, path: 'Authorization', message: 'missing write key: send "Authorization: Bearer <write key>"' }]);
    }
    const source = await this.sources.authenticate(key);
    if (!source) {
      throw new IngestRejected(401, [{ index: null, path: 'Authorization', message: 'unknown or disabled write key' }]);
    }
    const origin = request.headers.origin;
    if (origin) {
      if (!source.allowedOrigins.includes(origin)) {
        throw new ForbiddenException({ error: 'forbidden', message: `origin ${origin} is not allowed for this source` });
      }
      void reply.header('Access-Control-Allow-Origin', origin).header('Vary', 'Origin');
    }
    return source;
  }
}

import type { FastifyInstance } from 'fastify';
import { MetricsService } from './metrics.service';

/** The ingestion routes whose refusals `ingest_requests_rejected_total` counts. */
const INGESTION_ROUTES = new Set(['/v1/events', '/v1/batch', '/v1/track', '/v1/identify', '/v1/page', '/v1/alias', '/v1/webhooks/shopify']);

interface ErrorBody {
  error?: unknown;
  problems?: Array<{ index?: unknown; path?: unknown }>;
}

/**
 * Why a request was refused, for the `reason` label:
 * - `unauthorized` (401: missing or unknown write key), `bad_signature` (401: Shopify HMAC missing or wrong),
 *   `forbidden_origin` (403),
 * - `invalid_body` (400: unreadable, e.g. malformed JSON or a corrupt gzip stream, or not a batch at all),
 *   `invalid_headers` (400: e.g. Shopify's topic header missing), `invalid_event` (400: a whole-body event is invalid,
 *   or one event of an all-or-nothing `/v1/events` batch),
 * - `too_large` (413), `unsupported_media_type` (415), otherwise `client_error`.
 */
export function rejectionReason(status: number, body: ErrorBody | undefined): string {
  const problems = Array.isArray(body?.problems) ? body.problems : [];
  if (status === 401) return problems.some((p) => typeof p.path === 'string' && p.path.startsWith('headers.x-shopify-hmac')) ? 'bad_signature' : 'unauthorized';
  if (status === 403) return 'forbidden_origin';
  if (status === 413) return 'too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 400) {
    if (problems.some((p) => typeof p.index === 'number')) return 'invalid_event';
    if (problems.length > 0 && problems.every((p) => typeof p.path === 'string' && p.path.startsWith('headers.'))) return 'invalid_headers';
    return 'invalid_body';
  }
  return 'client_error';
}

function parsedError(payload: unknown): ErrorBody | undefined {
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as ErrorBody) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Counts every 4xx answer of an ingestion route, whoever refused it (our routes, or Fastify itself for a body over
 * the size limit), with its reason read from the one error shape every route answers with.
 */
export function installIngestRejectionMetrics(fastify: FastifyInstance, metrics: MetricsService) {
  fastify.addHook('onSend', async (request, reply, payload) => {
    const status = reply.statusCode;
    if (status < 400 || status >= 500 || request.method !== 'POST' || !INGESTION_ROUTES.has(request.routeOptions.url ?? '')) return payload;
    metrics.ingestRejected.inc({ status: String(status), reason: rejectionReason(status, parsedError(payload)) });
    return payload;
  });
}

import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { isDatabaseUnavailable } from '../database/connection-errors';
import { MAX_REQUEST_BYTES } from '../ingestion/limits';
import { IngestRejected } from '../ingestion/problems';

interface ErrorBody {
  error: string;
  message: string;
  problems?: unknown[];
}

const logger = new Logger('HttpErrors');

const TOO_LARGE_MESSAGE = `request body is larger than ${MAX_REQUEST_BYTES / 1024} KB`;
const DATABASE_UNAVAILABLE: ErrorBody = {
  error: 'database_unavailable',
  message: 'the database could not be reached or the connection to it was lost; this request may or may not have been stored: retry it (an event_id or idempotency key already stored is not stored twice)',
};
const TOO_LARGE: ErrorBody = { error: 'payload_too_large', message: TOO_LARGE_MESSAGE, problems: [{ index: null, path: '', message: TOO_LARGE_MESSAGE }] };

/** One error shape for every route, Fastify's own errors (body too large) included: `{ error, message, problems? }`. */
export function errorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof IngestRejected) return { status: error.status, body: error.toBody() };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status === 413) return { status, body: TOO_LARGE };
    const response = error.getResponse();
    if (typeof response === 'object' && response !== null && 'error' in response && 'message' in response && typeof (response as ErrorBody).message === 'string') {
      return { status, body: response as ErrorBody };
    }
    const message = typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? error.message);
    return { status, body: { error: codeFor(status), message: Array.isArray(message) ? message.join('; ') : String(message) } };
  }
  // A lost connection may have cut off the answer to a COMMIT that went through: say so, never "nothing stored".
  if (isDatabaseUnavailable(error)) {
    logger.warn(`database unavailable: ${error instanceof Error ? error.message : String(error)}`);
    return { status: 503, body: DATABASE_UNAVAILABLE };
  }
  logger.error(error instanceof Error ? error.message : String(error), error instanceof Error ? error.stack : undefined);
  return { status: 500, body: { error: 'internal_error', message: 'something went wrong on our side; nothing of this request was stored' } };
}

function codeFor(status: number): string {
  const codes: Record<number, string> = {
    400: 'invalid_request',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    405: 'method_not_allowed',
    409: 'conflict',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    422: 'unprocessable_entity',
    429: 'too_many_requests',
    503: 'unavailable',
  };
  return codes[status] ?? 'error';
}

@Catch()
export class AllErrorsFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost) {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = errorResponse(error);
    void reply.status(status).send(body);
  }
}

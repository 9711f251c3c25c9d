import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonLimitProblem, type JsonLimitProblem } from './json-limits';

/** A body that could not be read as JSON; routes report it after authenticating the caller. */
export class UnreadableBody {
  constructor(
    readonly message: string,
    /** 413: too large once decoded; 415: an encoding or content type the route does not take. */
    readonly status: 400 | 413 | 415 = 400,
  ) {}
}

/**
 * A route's own reader of its raw body, set as Fastify route config `readBody` (Nest: `@RouteConfig({ readBody })`).
 * It replaces the parsers below for that route only, whatever the Content-Type (Segment's and RudderStack's
 * libraries send compressed JSON under other content types).
 */
export type RouteBodyReader = (request: FastifyRequest, body: Buffer) => unknown;

/** A body beyond the JSON limits (depth, lone surrogates, NUL): answered 400 before any route reads it. */
export class BodyOverLimits extends UnreadableBody {
  constructor(readonly problem: JsonLimitProblem) {
    super(`${problem.path || 'body'}: ${problem.message}`, 400);
  }
}

/** The parsed body, or BodyOverLimits when it breaks a JSON limit (an UnreadableBody is passed on as it is). */
function withinLimits(body: unknown): unknown {
  if (body instanceof UnreadableBody) return body;
  const problem = jsonLimitProblem(body);
  return problem ? new BodyOverLimits(problem) : body;
}

function routeBodyReader(request: FastifyRequest): RouteBodyReader | undefined {
  const readBody = (request.routeOptions.config as { readBody?: unknown } | undefined)?.readBody;
  return typeof readBody === 'function' ? (readBody as RouteBodyReader) : undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The body's bytes as received, for signature checks (Shopify HMAC). */
    rawBody?: Buffer;
  }
}

/**
 * JSON bodies are parsed here: a malformed or mistyped body becomes an `UnreadableBody`, so that authentication
 * still answers first and the route can say precisely what was wrong. A body beyond the JSON limits
 * (json-limits.ts) is the exception: it is answered 400 here, before any route or guard touches it.
 * `text/plain` is read as JSON too, because `navigator.sendBeacon` cannot send `application/json` cross-origin.
 */
export function installBodyParsing(fastify: FastifyInstance) {
  fastify.removeAllContentTypeParsers();
  const parseJson = (request: FastifyRequest, body: Buffer, done: (err: null, body: unknown) => void) => {
    request.rawBody = body;
    const ownReader = routeBodyReader(request);
    if (ownReader) return done(null, withinLimits(ownReader(request, body)));
    if (body.length === 0) return done(null, new UnreadableBody('body is empty; expected JSON'));
    try {
      done(null, withinLimits(JSON.parse(body.toString('utf8'))));
    } catch (error) {
      done(null, new UnreadableBody(`malformed JSON: ${(error as Error).message}`));
    }
  };
  fastify.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer' }, parseJson);
  fastify.addContentTypeParser(/^application\/[\w.+-]+\+json$/, { parseAs: 'buffer' }, parseJson);
  // Plain HTML forms (the recovery landing's "complete" button works without scripts).
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    const ownReader = routeBodyReader(request);
    if (ownReader) return done(null, withinLimits(ownReader(request, body as Buffer)));
    done(null, withinLimits(Object.fromEntries(new URLSearchParams((body as Buffer).toString('utf8')))));
  });
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    const ownReader = routeBodyReader(request);
    if (ownReader) return done(null, withinLimits(ownReader(request, body as Buffer)));
    done(null, new UnreadableBody(`Content-Type "${request.headers['content-type'] ?? ''}" is not accepted; send application/json`));
  });
  // Before any route (and its guards) sees the body: nothing downstream has to survive a hostile shape.
  fastify.addHook('preValidation', async (request, reply) => {
    if (!(request.body instanceof BodyOverLimits)) return;
    const { path, message } = request.body.problem;
    return reply.code(400).send({ error: 'invalid_request', message: request.body.message, problems: [{ index: null, path, message }] });
  });
}

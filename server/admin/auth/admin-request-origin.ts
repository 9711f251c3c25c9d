import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * What a write to the admin API must look like, checked before its body is read:
 * - a body only as `application/json`: an HTML form or `text/plain` (what a cross-site page can send without a
 *   CORS preflight, which the admin API never grants) is refused with 415;
 * - from a browser, the console's own origin: a foreign `Origin` (or `Sec-Fetch-Site` other than same-origin) is
 *   refused with 403. Requests with an `Authorization` header (the operations token, scripts) are not made by a
 *   browser on a user's behalf and carry no ambient credential, so they are exempt; so is a client that sends
 *   neither header (not a browser: every current browser sends at least one on a write).
 * This comes on top of the SameSite=Strict session cookies.
 */
export function installAdminWriteChecks(fastify: FastifyInstance, publicUrl: string) {
  const publicOrigin = new URL(publicUrl).origin;
  fastify.addHook('onRequest', async (request, reply) => {
    if (!MUTATIONS.has(request.method) || !isAdminApi(request.url)) return;
    const typeProblem = contentTypeProblem(request);
    if (typeProblem) return refuse(reply, 415, 'unsupported_media_type', 'headers.content-type', typeProblem);
    if (request.headers.authorization !== undefined) return;
    const originProblem = foreignOriginProblem(request, publicOrigin);
    if (originProblem) return refuse(reply, 403, 'forbidden', originProblem.path, originProblem.message);
  });
}

function isAdminApi(url: string): boolean {
  return url === '/admin/api' || url.startsWith('/admin/api/') || url.startsWith('/admin/api?');
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Why the body's type is refused, or undefined (JSON, or no body and no type at all). */
function contentTypeProblem(request: FastifyRequest): string | undefined {
  const header = request.headers['content-type'];
  if (header === undefined && !hasBody(request)) return undefined;
  const type = (header ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') return undefined;
  return `Content-Type ${header === undefined ? '(none)' : `"${header}"`} is not accepted on the admin API; send application/json`;
}

function foreignOriginProblem(request: FastifyRequest, publicOrigin: string): { path: string; message: string } | undefined {
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (origin === publicOrigin || hostOf(origin) === request.host.toLowerCase()) return undefined;
    return { path: 'headers.origin', message: `Origin "${origin}" is not the console's (${publicOrigin}); cross-site writes are refused` };
  }
  const site = request.headers['sec-fetch-site'];
  if (site === undefined || site === 'same-origin') return undefined;
  return { path: 'headers.sec-fetch-site', message: `Sec-Fetch-Site "${String(site)}": only the console's own pages may write` };
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined; // "null" (a sandboxed frame, a privacy redirect) matches nothing
  }
}

function refuse(reply: FastifyReply, status: 403 | 415, error: string, path: string, message: string) {
  return reply.code(status).send({ error, message, problems: [{ path, message }] });
}

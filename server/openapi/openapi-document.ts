import { z } from 'zod';
import { ACCESS_COOKIE } from '../admin/auth/session-tokens';
import { segmentMessageSchema } from '../ingestion/segment/segment-schemas';
import type { ApiResponse, ApiRoute, ApiSecurity } from './api-route';
import { errorBodySchema, ingestErrorSchema } from './common-schemas';
import { API_ROUTES } from './route-table';
import { apiEvent } from './routes/ingestion-routes';

type Json = Record<string, unknown>;

/** zod 4's own JSON Schema output, in the 2020-12 dialect OpenAPI 3.1 uses; bodies as the caller sends them. */
const JSON_SCHEMA = { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' } as const;

/** Schemas several routes share: one component each. */
const SHARED: ReadonlyArray<[z.ZodType, string]> = [
  [errorBodySchema, 'Error'],
  [ingestErrorSchema, 'IngestError'],
  [apiEvent, 'ApiEvent'],
  [segmentMessageSchema, 'SegmentMessage'],
];

const SECURITY_SCHEMES = {
  writeKey: { type: 'http', scheme: 'bearer', description: 'The source\'s write key (`wk_...`): `Authorization: Bearer <write key>`. Public: it sits in storefront pages.' },
  writeKeyBasic: { type: 'http', scheme: 'basic', description: 'Segment\'s form: the write key as the user name, no password.' },
  writeKeyQuery: { type: 'apiKey', in: 'query', name: 'writeKey', description: 'The write key in the address (Shopify webhooks, beacons).' },
  shopifyHmac: { type: 'apiKey', in: 'header', name: 'X-Shopify-Hmac-Sha256', description: 'Base64 HMAC-SHA256 of the raw body with the source\'s Shopify secret.' },
  serverKey: { type: 'http', scheme: 'bearer', description: 'The source\'s server key (`sk_...`, `npm run cli -- sources:server-key`), for the storefront\'s back end only. A write key is refused.' },
  consoleSession: { type: 'apiKey', in: 'cookie', name: ACCESS_COOKIE, description: 'The console session, set by `POST /admin/api/auth/login`.' },
  consoleBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The session\'s access token, or the operations token (ADMIN_API_TOKEN, acting as an admin).' },
  twilioSignature: { type: 'apiKey', in: 'header', name: 'X-Twilio-Signature', description: 'Twilio\'s signature over PUBLIC_URL + path and the form, with the account auth token.' },
} as const;

type SchemeName = keyof typeof SECURITY_SCHEMES;
const SECURITY: Record<ApiSecurity, Partial<Record<SchemeName, string[]>>[]> = {
  writeKey: [{ writeKey: [] }, { writeKeyBasic: [] }, { writeKeyQuery: [] }],
  shopifyWebhook: [{ writeKeyQuery: [], shopifyHmac: [] }],
  serverKey: [{ serverKey: [] }],
  console: [{ consoleSession: [] }, { consoleBearer: [] }],
  twilioSignature: [{ twilioSignature: [] }],
  signedLink: [],
  none: [],
};
/** What authentication itself answers: a missing or wrong key, a refused origin or role, an unconfigured channel. */
const AUTH_ERRORS: Record<ApiSecurity, number[]> = { writeKey: [401, 403], shopifyWebhook: [401], serverKey: [401], console: [401, 403], twilioSignature: [403, 404], signedLink: [], none: [] };

const STATUS_TEXT: Record<number, string> = {
  400: 'The request is invalid; every problem is named by its field.',
  401: 'Missing or wrong credentials.',
  402: 'The payment was declined.',
  403: 'Not allowed (origin, role or signature).',
  404: 'Not found (or not yours).',
  409: 'Conflict: changed by someone else, already used, or the price changed.',
  410: 'The link has expired.',
  413: 'The request or one of its events is too large.',
  422: 'Understood but refused.',
  429: 'Too many requests; see Retry-After.',
  501: 'Not configured on this server.',
  503: 'Unavailable for now.',
};

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: Json;
  jsonSchemaDialect: string;
  tags: Json[];
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; responses: Record<string, Json>; securitySchemes: Json };
}

/** `POST /v1/checkouts/{id}/contact` → `postV1CheckoutsIdContact`. */
export function operationId(r: Pick<ApiRoute, 'method' | 'path'>): string {
  const words = [r.method.toLowerCase(), ...r.path.split(/[^A-Za-z0-9]+/).filter(Boolean)];
  return words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('');
}

function withoutDialect(schema: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

const isJson = (contentType: string | undefined) => contentType === undefined || /json/.test(contentType);

/** Builds the OpenAPI 3.1 document of `routes` from the zod schemas they name. */
export function buildOpenApiDocument(routes: readonly ApiRoute[] = API_ROUTES, info: { version: string }): OpenApiDocument {
  const registry = z.registry<{ id: string }>();
  const names = new Map<z.ZodType, string>();
  const name = (schema: z.ZodType, wanted: string): string => {
    const known = names.get(schema);
    if (known) return known;
    names.set(schema, wanted);
    registry.add(schema, { id: wanted });
    return wanted;
  };
  for (const [schema, id] of SHARED) name(schema, id);
  const ref = (schema: z.ZodType, wanted: string) => ({ $ref: `#/components/schemas/${name(schema, wanted)}` });

  const responses: Record<string, Json> = {};
  const errorResponse = (r: ApiRoute, status: number) => {
    const html = Object.values(r.responses).some((res) => res.contentType?.startsWith('text/html'));
    const byItem = status === 401 ? r.security === 'writeKey' || r.security === 'shopifyWebhook' : (status === 400 || status === 413) && (r.tag === 'Ingestion' || r.security === 'shopifyWebhook');
    const kind = html ? 'Page' : byItem ? 'IngestError' : 'Error';
    const key = `${kind}${status}`;
    responses[key] ??= html
      ? { description: STATUS_TEXT[status] ?? 'Error.', content: { 'text/html; charset=utf-8': { schema: { type: 'string' } } } }
      : { description: STATUS_TEXT[status] ?? 'Error.', content: { 'application/json': { schema: { $ref: `#/components/schemas/${kind === 'IngestError' ? 'IngestError' : 'Error'}` } } } };
    return { $ref: `#/components/responses/${key}` };
  };

  const paths: OpenApiDocument['paths'] = {};
  for (const r of routes) {
    const id = operationId(r);
    const Pascal = id[0].toUpperCase() + id.slice(1);
    const operation: Json = { operationId: id, tags: [r.tag], summary: r.summary };
    if (r.description) operation.description = r.description;
    operation.security = SECURITY[r.security];
    const parameters: Json[] = [];
    for (const [, param] of r.path.matchAll(/\{([^}]+)\}/g)) {
      parameters.push({ name: param, in: 'path', required: true, description: r.params?.[param] ?? param, schema: { type: 'string' } });
    }
    for (const [param, schema] of Object.entries(r.query?.shape ?? {}) as [string, z.ZodType][]) {
      const { description, example, ...json } = withoutDialect(z.toJSONSchema(schema, JSON_SCHEMA) as Json);
      parameters.push({ name: param, in: 'query', required: !schema.safeParse(undefined).success, ...(description ? { description } : {}), ...(example !== undefined ? { example } : {}), schema: json });
    }
    for (const [header, spec] of Object.entries(r.headers ?? {})) {
      parameters.push({ name: header, in: 'header', required: spec.required ?? false, description: spec.description, schema: { type: 'string' } });
    }
    if (parameters.length > 0) operation.parameters = parameters;
    if (r.body) {
      const contentType = r.bodyContentType ?? 'application/json';
      const media: Json = { schema: ref(r.body, `${Pascal}Request`) };
      if (r.examples?.length) media.examples = Object.fromEntries(r.examples.map((e, i) => [`example${i + 1}`, { summary: e.summary, value: e.value }]));
      operation.requestBody = { required: true, content: { [contentType]: media } };
    }
    const answers: Json = {};
    for (const [status, res] of Object.entries(r.responses) as [string, ApiResponse][]) {
      const contentType = res.contentType ?? 'application/json';
      const hasBody = status !== '204' && !status.startsWith('3');
      answers[status] = {
        description: res.description,
        ...(hasBody ? { content: { [contentType]: res.schema ? { schema: ref(res.schema, `${Pascal}Response${status}`) } : isJson(contentType) ? {} : { schema: { type: 'string' } } } } : {}),
      };
    }
    for (const status of [...new Set([...AUTH_ERRORS[r.security], ...(r.errors ?? [])])].sort()) answers[String(status)] = errorResponse(r, status);
    operation.responses = answers;
    (paths[r.path] ??= {})[r.method.toLowerCase()] = operation;
  }

  const generated = z.toJSONSchema(registry, { ...JSON_SCHEMA, uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, Json> };
  const schemas = Object.fromEntries(Object.entries(generated.schemas).map(([id, schema]) => [id, withoutDialect(schema)]));

  return {
    openapi: '3.1.0',
    info: {
      title: 'Checkout recovery API',
      version: info.version,
      description:
        'Event ingestion (our format, Segment, Shopify), the storefront\'s discount, address and one-click checkout API, the links inside recovery messages, and the console\'s admin API. Errors are `{ error, message, problems? }`; request schemas are generated from the zod schemas the routes validate with.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [...new Set(routes.map((r) => r.tag))].map((tag) => ({ name: tag })),
    paths,
    components: { schemas, responses, securitySchemes: SECURITY_SCHEMES },
  };
}

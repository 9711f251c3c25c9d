import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeDiscountCode } from '../server/discounts/discount-code-generator';
import { type ApiRoute, fastifyPath } from '../server/openapi/api-route';
import { errorBodySchema, ingestErrorSchema } from '../server/openapi/common-schemas';
import { openApiDocument } from '../server/openapi/api-docs';
import { operationId } from '../server/openapi/openapi-document';
import { documents, registeredRoutes } from '../server/openapi/registered-routes';
import { API_ROUTES } from '../server/openapi/route-table';
import { EXAMPLE_DISCOUNT_CODE } from '../server/openapi/routes/storefront-routes';
import { type RouteRig, startRouteRig } from './support/route-fixtures';

// The app, its source and keys, and what each example needs (PREPARE) live in support/route-fixtures.ts, shared
// with the fuzz suite.
let rig: RouteRig;
let t: RouteRig['t'];
const document = openApiDocument();

beforeAll(async () => {
  rig = await startRouteRig('openapi');
  t = rig.t;
}, 60_000);

afterAll(async () => {
  await rig?.close();
});

describe('the document', () => {
  it('is valid OpenAPI 3.1 and is what GET /openapi.json serves, without authentication', async () => {
    const validator = new Validator();
    const result = await validator.validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    const served = await fetch(`${t.url}/openapi.json`);
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('documents every route the server registered, and nothing it did not', () => {
    const fastify = t.app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
    const registered = registeredRoutes(fastify).filter((r) => r.method !== 'HEAD');
    expect(registered.length).toBeGreaterThan(80);
    const missing = registered.filter((r) => !API_ROUTES.some((route) => documents(route, r))).map((r) => `${r.method} ${r.url}`);
    expect(missing, 'add each to its table in server/openapi/routes/').toEqual([]);
    const phantom = API_ROUTES.filter((route) => !registered.some((r) => documents(route, r) && r.url === fastifyPath(route.path))).map((r) => `${r.method} ${r.path}`);
    expect(phantom, 'documented but not registered').toEqual([]);
    for (const route of API_ROUTES) expect(document.paths[route.path]?.[route.method.toLowerCase()]?.operationId).toBe(operationId(route));
  });

  it('gives every POST, PUT and PATCH route with a body at least one example', () => {
    const without = API_ROUTES.filter((r) => r.body && !r.examples?.length).map((r) => `${r.method} ${r.path}`);
    expect(without).toEqual([]);
  });
});

/** Ajv 2020 over the whole document, so `$ref`s into components resolve. */
function schemaValidator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi.json', ...JSON.parse(JSON.stringify(document)) });
  return (pointer: string) => ajv.getSchema(`openapi.json#${pointer}`)!;
}
const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const requestSchemaPointer = (r: ApiRoute) => `/paths/${escape(r.path)}/${r.method.toLowerCase()}/requestBody/content/${escape(r.bodyContentType ?? 'application/json')}/schema`;

/** Where a 200 alone would not show the example worked (a refused code is a 200 answer too). */
const ANSWER_CHECKS: Record<string, (text: string) => void> = {
  'POST /v1/discounts/validate': (text) => expect(JSON.parse(text)).toMatchObject({ valid: true }),
  'PUT /v1/checkouts/{id}/discount': (text) => expect(text).toContain(normalizeDiscountCode(EXAMPLE_DISCOUNT_CODE)),
  'PUT /v1/checkouts/{id}/payment-method': (text) => expect(JSON.parse(text)).toMatchObject({ payment_method: { last4: '4242' } }),
  'POST /v1/checkouts/{id}/complete': (text) => expect(JSON.parse(text)).toMatchObject({ status: 'completed' }),
  'POST /c/{token}/complete': (text) => expect(text).toContain('Thank you!'),
  'POST /v1/webhooks/shopify': (text) => expect(JSON.parse(text)).toMatchObject({ accepted: 1 }),
};

describe('documented examples', () => {
  const withExamples = API_ROUTES.filter((r) => r.body && r.examples?.length);

  it.each(withExamples.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: each example fits its schema and the real route takes it', async (_name, r) => {
    const validate = schemaValidator()(requestSchemaPointer(r));
    for (const example of r.examples!) {
      expect(validate(example.value), `${example.summary}: ${JSON.stringify(validate.errors)}`).toBe(true);
      const prepared = await rig.prepare(r);
      const answer = await rig.send(r, example, prepared);
      const expected = example.status ?? Number(Object.keys(r.responses)[0]);
      expect(answer.status, `${example.summary}: ${answer.text.slice(0, 500)}`).toBe(expected);
      const success = r.responses[expected];
      if (success?.schema) {
        const parsed = success.schema.safeParse(JSON.parse(answer.text));
        expect(parsed.success, `${example.summary}: answer ${answer.text.slice(0, 300)}`).toBe(true);
      }
      ANSWER_CHECKS[`${r.method} ${r.path}`]?.(answer.text);
    }
  });
});

describe('documented errors', () => {
  it('are what the routes answer: ingestion problems by item, the admin API by field', async () => {
    const noKey = await rig.call('POST', '/v1/events', { type: 'checkout_started' });
    expect(noKey.status).toBe(401);
    expect(ingestErrorSchema.safeParse(noKey.body).success).toBe(true);
    const bad = await rig.call('POST', '/v1/events', { events: [{ type: 'nope' }] }, { authorization: `Bearer ${rig.writeKey}` });
    expect(bad.status).toBe(400);
    expect(ingestErrorSchema.safeParse(bad.body).success).toBe(true);
    const invalid = await rig.admin('POST', '/admin/api/sources', { name: '' });
    expect(invalid.status).toBe(400);
    expect(errorBodySchema.safeParse(invalid.body).success).toBe(true);
    const unauthenticated = await rig.call('GET', '/admin/api/campaigns');
    expect(unauthenticated.status).toBe(401);
    expect(errorBodySchema.safeParse(unauthenticated.body).success).toBe(true);
    const documented = document.paths['/admin/api/sources'].post.responses as Record<string, unknown>;
    expect(Object.keys(documented)).toEqual(expect.arrayContaining(['201', '400', '401', '403']));
  });
});

describe('the reference page', () => {
  it('answers 200 HTML at /docs whose scripts, styles and icons are all served here', async () => {
    const page = await fetch(`${t.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(urls.length).toBeGreaterThanOrEqual(4);
    for (const url of urls) {
      const absolute = new URL(url, `${t.url}/docs`);
      expect(absolute.origin, url).toBe(t.url);
      const asset = await fetch(absolute);
      expect(asset.status, url).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, url).toBeGreaterThan(0);
    }
    const initializer = await (await fetch(`${t.url}/docs/static/swagger-initializer.js`)).text();
    expect(initializer).toContain("resolveUrl('./json')");
    expect(initializer).toContain('validatorUrl: null');
    const spec = await fetch(`${t.url}/docs/json`);
    expect(await spec.json()).toEqual(JSON.parse(JSON.stringify(document)));
  });
});

import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { createHmac, randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeDiscountCode } from '../server/discounts/discount-code-generator';
import { DiscountCodeService } from '../server/discounts/discount-code.service';
import { DiscountRulesService } from '../server/discounts/discount-rules.service';
import { DATABASE } from '../server/database/database';
import { type ApiExample, type ApiRoute, fastifyPath } from '../server/openapi/api-route';
import { errorBodySchema, ingestErrorSchema } from '../server/openapi/common-schemas';
import { openApiDocument } from '../server/openapi/api-docs';
import { operationId } from '../server/openapi/openapi-document';
import { documents, registeredRoutes } from '../server/openapi/registered-routes';
import { API_ROUTES } from '../server/openapi/route-table';
import { EXAMPLE_ADMIN, EXAMPLE_VARIANT } from '../server/openapi/routes/admin-routes';
import { EXAMPLE_CUSTOMER_ID, EXAMPLE_DISCOUNT_CODE, EXAMPLE_PAYMENT_METHOD_ID } from '../server/openapi/routes/storefront-routes';
import { AdminUsers } from '../server/admin/auth/admin-users.service';
import { SIGNED_LINKS, type SignedLinks } from '../server/recovery/links/signed-links';
import { SourcesService } from '../server/sources/sources.service';
import { startStripePeer, type StripePeer } from './peers/stripe-peer';
import { startTestApp, type TestApp } from './support/test-app';

const ADMIN_TOKEN = 'openapi-suite-operations-token-0123456789';
const SHOPIFY_SECRET = 'shpss_openapi_suite_secret';
const TWILIO_AUTH_TOKEN = 'openapi-suite-twilio-auth-token';

let t: TestApp;
let stripe: StripePeer;
let writeKey: string;
let serverKey: string;
const document = openApiDocument();

beforeAll(async () => {
  stripe = await startStripePeer();
  t = await startTestApp('openapi', {
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_API_BASE: stripe.url,
    PAYMENT_PROVIDERS: 'stripe',
    TWILIO_ACCOUNT_SID: `AC${'0123456789abcdef'.repeat(2)}`,
    TWILIO_AUTH_TOKEN,
    TWILIO_FROM: '+14155550100',
    // Nothing in this suite sends an SMS; a closed local port keeps it that way.
    TWILIO_API_BASE: 'http://127.0.0.1:9',
  });
  const source = await t.createSource({ name: 'OpenAPI store', shopifySecret: SHOPIFY_SECRET });
  writeKey = source.writeKey;
  serverKey = (await t.app.get(SourcesService).rotateServerKey(source.id))!;
}, 60_000);

afterAll(async () => {
  await t?.close();
  await stripe?.close();
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

interface Prepared {
  params?: Record<string, string>;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

const ADDRESS = { line1: '12 main street', city: 'springfield', region: 'IL', postalCode: '62701', countryCode: 'US' };
const CARD = { provider: 'stripe', token: 'pm_card_visa', brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2031 };

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${t.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // HTML, TwiML
  }
  return { status: response.status, body: parsed };
}
const storefront = (method: string, path: string, body?: unknown) => call(method, path, body, { authorization: `Bearer ${serverKey}` });
const admin = (method: string, path: string, body?: unknown) => call(method, path, body, { authorization: `Bearer ${ADMIN_TOKEN}` });

/** The example customer with a saved address and card (the card under the documented example id). */
let profileReady: Promise<void> | undefined;
function exampleProfile(): Promise<void> {
  profileReady ??= (async () => {
    expect((await storefront('POST', `/v1/customers/${EXAMPLE_CUSTOMER_ID}/addresses`, { address: ADDRESS })).status).toBe(201);
    const card = await storefront('POST', `/v1/customers/${EXAMPLE_CUSTOMER_ID}/payment-methods`, CARD);
    expect(card.status).toBe(201);
    await t.pool.query('UPDATE payment_methods SET id = $1 WHERE id = $2', [EXAMPLE_PAYMENT_METHOD_ID, card.body.id]);
  })();
  return profileReady;
}

/** A fresh checkout of the example customer: 2 × 59.50 and 4.99 shipping, 123.99 in all. */
async function exampleCheckout(): Promise<{ publicId: string; checkoutId: string; customerId: string }> {
  await exampleProfile();
  const created = await storefront('POST', '/v1/checkouts', { customer_id: EXAMPLE_CUSTOMER_ID, email: 'ada@example.com', cart: { items: [{ sku: 'BOOT-TRAIL-42', quantity: 2, unit_price: 59.5 }], currency: 'USD' } });
  expect(created.status).toBe(201);
  expect((await storefront('PUT', `/v1/checkouts/${created.body.id}/shipping-method`, { id: 'std', label: 'Standard', amount: 4.99 })).status).toBe(200);
  const { rows } = await t.pool.query<{ id: string; customer_id: string }>(
    `SELECT c.id, c.customer_id FROM checkout_aliases a JOIN checkouts c ON c.id = a.checkout_id WHERE a.kind = 'checkout' AND a.value = $1`,
    [created.body.id],
  );
  return { publicId: created.body.id, checkoutId: rows[0].id, customerId: rows[0].customer_id };
}

/** The documented code, issued by the first percent rule to the example customer. */
async function exampleCode(): Promise<void> {
  const { checkoutId, customerId } = await exampleCheckout();
  const rule = (await t.app.get(DiscountRulesService).list()).find((r) => r.enabled && r.offer.type === 'percent')!;
  const db = t.app.get(DATABASE);
  const issued = await t.app.get(DiscountCodeService).issue(db, { sourceId: await sourceId(), checkoutId, customerId, rule, percent: null, now: new Date() });
  const stored = normalizeDiscountCode(EXAMPLE_DISCOUNT_CODE);
  await t.pool.query('DELETE FROM discount_codes WHERE code = $1', [stored]);
  await t.pool.query('UPDATE discount_codes SET code = $1 WHERE code = $2', [stored, issued.code]);
}

async function sourceId(): Promise<string> {
  return (await t.pool.query<{ id: string }>(`SELECT id FROM sources WHERE name = 'OpenAPI store'`)).rows[0].id;
}

async function campaignWithVariants(): Promise<string> {
  const created = await admin('POST', '/admin/api/campaigns', {
    name: 'A/B reminder',
    steps: [
      {
        delayMinutes: 60,
        channels: ['email'],
        templates: { email: 'reminder-email' },
        variants: [
          { name: EXAMPLE_VARIANT, weight: 50 },
          { name: 'Urgent', weight: 50, templates: { email: 'offer-email' } },
        ],
      },
    ],
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

/** What each route needs before its documented example can be sent: path parameters, a record to change. */
const PREPARE: Record<string, () => Promise<Prepared>> = {
  'POST /v1/discounts/validate': async () => (await exampleCode(), {}),
  'POST /v1/discounts/redeem': async () => (await exampleCode(), {}),
  'PUT /v1/checkouts/{id}/contact': async () => ({ params: { id: (await exampleCheckout()).publicId } }),
  'PUT /v1/checkouts/{id}/shipping-address': async () => ({ params: { id: (await exampleCheckout()).publicId } }),
  'PUT /v1/checkouts/{id}/shipping-method': async () => ({ params: { id: (await exampleCheckout()).publicId } }),
  'PUT /v1/checkouts/{id}/payment-method': async () => ({ params: { id: (await exampleCheckout()).publicId } }),
  'PUT /v1/checkouts/{id}/discount': async () => (await exampleCode(), { params: { id: (await exampleCheckout()).publicId } }),
  'POST /v1/checkouts/{id}/complete': async () => ({ params: { id: (await exampleCheckout()).publicId }, headers: { 'idempotency-key': randomUUID() } }),
  'POST /v1/customers/{customerId}/addresses': async () => ({ params: { customerId: EXAMPLE_CUSTOMER_ID } }),
  'PATCH /v1/customers/{customerId}/addresses/{id}': async () => {
    const saved = await storefront('POST', `/v1/customers/${EXAMPLE_CUSTOMER_ID}/addresses`, { address: ADDRESS });
    return { params: { customerId: EXAMPLE_CUSTOMER_ID, id: saved.body.id } };
  },
  'POST /v1/customers/{customerId}/payment-methods': async () => ({ params: { customerId: EXAMPLE_CUSTOMER_ID } }),
  'PATCH /v1/customers/{customerId}/payment-methods/{id}': async () => (await exampleProfile(), { params: { customerId: EXAMPLE_CUSTOMER_ID, id: EXAMPLE_PAYMENT_METHOD_ID } }),
  'POST /c/{token}/complete': async () => {
    const { checkoutId, customerId } = await exampleCheckout();
    const url = t.app.get<SignedLinks>(SIGNED_LINKS).landing({ checkoutId, customerId, messageId: randomUUID(), expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    return { params: { token: url.slice(url.lastIndexOf('/') + 1) } };
  },
  'POST /admin/api/auth/login': async () => {
    await t.app.get(AdminUsers).create({ ...EXAMPLE_ADMIN, role: 'marketer' });
    return {};
  },
  'PUT /admin/api/campaigns/{id}': async () => ({ params: { id: (await admin('POST', '/admin/api/campaigns', API_ROUTES.find((r) => r.method === 'POST' && r.path === '/admin/api/campaigns')!.examples![0].value)).body.id } }),
  'POST /admin/api/campaigns/{id}/steps/{stepIndex}/promote': async () => ({ params: { id: await campaignWithVariants(), stepIndex: '0' } }),
  'POST /admin/api/customers/{id}/opt-out': async () => ({ params: { id: (await t.pool.query<{ id: string }>('SELECT id FROM customers LIMIT 1')).rows[0].id } }),
  'PUT /admin/api/discount-rules/{id}': async () => {
    const created = await admin('POST', '/admin/api/discount-rules', { id: 'second-reminder-15', name: 'Draft', offer: { type: 'percent', amount: 15 } });
    expect(created.status).toBe(201);
    return { params: { id: 'second-reminder-15' } };
  },
  'PUT /admin/api/sources/{id}': async () => ({ params: { id: await sourceId() } }),
  'PUT /admin/api/templates/{id}': async () => {
    const created = await admin('POST', '/admin/api/templates', { key: 'parka-draft', channel: 'email', name: 'Draft', subject: 'Hi', text: 'Your cart' });
    expect(created.status).toBe(201);
    return { params: { id: 'parka-draft' } };
  },
  'PUT /admin/api/users/{id}': async () => {
    const created = await admin('POST', '/admin/api/users', { email: 'someone@example.com', password: 'another long passphrase', role: 'analyst' });
    expect(created.status).toBe(201);
    return { params: { id: created.body.id } };
  },
};

/** Where a 200 alone would not show the example worked (a refused code is a 200 answer too). */
const ANSWER_CHECKS: Record<string, (text: string) => void> = {
  'POST /v1/discounts/validate': (text) => expect(JSON.parse(text)).toMatchObject({ valid: true }),
  'PUT /v1/checkouts/{id}/discount': (text) => expect(text).toContain(normalizeDiscountCode(EXAMPLE_DISCOUNT_CODE)),
  'PUT /v1/checkouts/{id}/payment-method': (text) => expect(JSON.parse(text)).toMatchObject({ payment_method: { last4: '4242' } }),
  'POST /v1/checkouts/{id}/complete': (text) => expect(JSON.parse(text)).toMatchObject({ status: 'completed' }),
  'POST /c/{token}/complete': (text) => expect(text).toContain('Thank you!'),
  'POST /v1/webhooks/shopify': (text) => expect(JSON.parse(text)).toMatchObject({ accepted: 1 }),
};

/** Sends `example` to the real route, authenticated as the route's security says. */
async function send(r: ApiRoute, example: ApiExample, prepared: Prepared) {
  let path = r.path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(prepared.params?.[name] ?? `missing-${name}`));
  const form = r.bodyContentType === 'application/x-www-form-urlencoded';
  const raw = form ? new URLSearchParams(example.value as Record<string, string>).toString() : JSON.stringify(example.value);
  const headers: Record<string, string> = { 'content-type': r.bodyContentType ?? 'application/json', ...prepared.headers };
  if (r.security === 'writeKey') headers.authorization = `Bearer ${writeKey}`;
  if (r.security === 'serverKey') headers.authorization = `Bearer ${serverKey}`;
  if (r.security === 'console') headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  if (r.security === 'shopifyWebhook') {
    path += `?writeKey=${encodeURIComponent(writeKey)}`;
    // Signed as Shopify signs: base64 HMAC-SHA256 of the raw body.
    headers['x-shopify-hmac-sha256'] = createHmac('sha256', SHOPIFY_SECRET).update(raw).digest('base64');
    headers['x-shopify-topic'] = 'checkouts/update';
    headers['x-shopify-webhook-id'] = randomUUID();
  }
  if (r.security === 'twilioSignature') {
    headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, `${t.config.publicUrl.replace(/\/$/, '')}${path}`, example.value as Record<string, string>);
  }
  const response = await fetch(`${t.url}${path}`, { method: r.method, headers, body: raw, redirect: 'manual' });
  const text = await response.text();
  return { status: response.status, text };
}

describe('documented examples', () => {
  const withExamples = API_ROUTES.filter((r) => r.body && r.examples?.length);

  it.each(withExamples.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: each example fits its schema and the real route takes it', async (_name, r) => {
    const validate = schemaValidator()(requestSchemaPointer(r));
    for (const example of r.examples!) {
      expect(validate(example.value), `${example.summary}: ${JSON.stringify(validate.errors)}`).toBe(true);
      const prepared = (await PREPARE[`${r.method} ${r.path}`]?.()) ?? {};
      const answer = await send(r, example, prepared);
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
    const noKey = await call('POST', '/v1/events', { type: 'checkout_started' });
    expect(noKey.status).toBe(401);
    expect(ingestErrorSchema.safeParse(noKey.body).success).toBe(true);
    const bad = await call('POST', '/v1/events', { events: [{ type: 'nope' }] }, { authorization: `Bearer ${writeKey}` });
    expect(bad.status).toBe(400);
    expect(ingestErrorSchema.safeParse(bad.body).success).toBe(true);
    const invalid = await admin('POST', '/admin/api/sources', { name: '' });
    expect(invalid.status).toBe(400);
    expect(errorBodySchema.safeParse(invalid.body).success).toBe(true);
    const unauthenticated = await call('GET', '/admin/api/campaigns');
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

import { createHmac, randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { expect } from 'vitest';
import { normalizeDiscountCode } from '../../server/discounts/discount-code-generator';
import { DiscountCodeService } from '../../server/discounts/discount-code.service';
import { DiscountRulesService } from '../../server/discounts/discount-rules.service';
import { DATABASE } from '../../server/database/database';
import type { ApiExample, ApiRoute } from '../../server/openapi/api-route';
import { API_ROUTES } from '../../server/openapi/route-table';
import { EXAMPLE_ADMIN, EXAMPLE_VARIANT } from '../../server/openapi/routes/admin-routes';
import { EXAMPLE_CUSTOMER_ID, EXAMPLE_DISCOUNT_CODE, EXAMPLE_PAYMENT_METHOD_ID } from '../../server/openapi/routes/storefront-routes';
import { AdminUsers } from '../../server/admin/auth/admin-users.service';
import { SIGNED_LINKS, type SignedLinks } from '../../server/recovery/links/signed-links';
import { SourcesService } from '../../server/sources/sources.service';
import { startStripePeer, type StripePeer } from '../peers/stripe-peer';
import { startTestApp, type TestApp } from './test-app';

/**
 * Everything needed to send a request to any route of the route table the way a real caller would: a booted app
 * with a source (write key, server key, Shopify secret), the operations token, Twilio's signing token, and the
 * records an example refers to (`prepare`). Shared by the OpenAPI suite (the documented examples are accepted)
 * and the fuzz suite (their mutations are refused cleanly).
 */

export const ADMIN_TOKEN = 'openapi-suite-operations-token-0123456789';
export const SHOPIFY_SECRET = 'shpss_openapi_suite_secret';
export const TWILIO_AUTH_TOKEN = 'openapi-suite-twilio-auth-token';
const STORE_NAME = 'OpenAPI store';

/** What a route needs before its documented example can be sent: path parameters, headers, query. */
export interface Prepared {
  params?: Record<string, string>;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

/** One request to a route: the body as bytes with its content type; authentication is added by `request`. */
export interface RouteRequest {
  /** Path parameters by name; a missing one is sent as `missing-<name>`. */
  params?: Record<string, string>;
  /** The parameters are URL-encoded already (to send encodings `encodeURIComponent` cannot make). */
  paramsEncoded?: boolean;
  /** Appended to the path as it is (routes that serve a subtree, such as `/admin/*`). */
  pathSuffix?: string;
  /** The query string without `?` (the Shopify route's `writeKey` is appended). */
  query?: string;
  headers?: Record<string, string>;
  body?: { raw: string | Uint8Array; contentType?: string };
  /** Sign the Twilio routes over these form fields (default: the body read as a form). */
  twilioParams?: Record<string, string>;
}

export interface RouteAnswer {
  status: number;
  text: string;
  headers: Headers;
}

export interface RouteRig {
  t: TestApp;
  stripe: StripePeer;
  writeKey: string;
  serverKey: string;
  sourceId(): Promise<string>;
  /** A JSON request with the given headers (no authentication added). */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  storefront(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** The records and parameters the route's documented example needs (`{}` for most routes). */
  prepare(route: ApiRoute): Promise<Prepared>;
  /** Sends `example` to the real route, encoded as the route reads it and authenticated as its security says. */
  send(route: ApiRoute, example: ApiExample, prepared: Prepared): Promise<{ status: number; text: string }>;
  /** Sends one request to the route, authenticated as its security says (signatures over the exact bytes). */
  request(route: ApiRoute, request: RouteRequest): Promise<RouteAnswer>;
  /** A checkout of the example customer (saved address and card), by its public and internal ids. */
  exampleCheckout(): Promise<{ publicId: string; checkoutId: string; customerId: string }>;
  /** A signed one-click link token (`/c/<token>`) for a fresh example checkout. */
  landingToken(): Promise<string>;
  /** The signing service of tracking links. */
  links(): SignedLinks;
  close(): Promise<void>;
}

const ADDRESS = { line1: '12 main street', city: 'springfield', region: 'IL', postalCode: '62701', countryCode: 'US' };
const CARD = { provider: 'stripe', token: 'pm_card_visa', brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2031 };

/** Boots the app (with a Stripe peer, the operations token and Twilio configured) and its source. */
export async function startRouteRig(label: string, env: Record<string, string> = {}): Promise<RouteRig> {
  const stripe = await startStripePeer();
  const t = await startTestApp(label, {
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_API_BASE: stripe.url,
    PAYMENT_PROVIDERS: 'stripe',
    TWILIO_ACCOUNT_SID: `AC${'0123456789abcdef'.repeat(2)}`,
    TWILIO_AUTH_TOKEN,
    TWILIO_FROM: '+14155550100',
    // Nothing sent through the rig sends an SMS; a closed local port keeps it that way.
    TWILIO_API_BASE: 'http://127.0.0.1:9',
    ...env,
  });
  const source = await t.createSource({ name: STORE_NAME, shopifySecret: SHOPIFY_SECRET });
  const writeKey = source.writeKey;
  const serverKey = (await t.app.get(SourcesService).rotateServerKey(source.id))!;

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

  const sourceId = async () => (await t.pool.query<{ id: string }>(`SELECT id FROM sources WHERE name = $1`, [STORE_NAME])).rows[0].id;

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

  const links = () => t.app.get<SignedLinks>(SIGNED_LINKS);

  async function landingToken(): Promise<string> {
    const { checkoutId, customerId } = await exampleCheckout();
    const url = links().landing({ checkoutId, customerId, messageId: randomUUID(), expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    return url.slice(url.lastIndexOf('/') + 1);
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
    'POST /c/{token}/complete': async () => ({ params: { token: await landingToken() } }),
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

  async function request(r: ApiRoute, req: RouteRequest): Promise<RouteAnswer> {
    const encode = req.paramsEncoded ? (value: string) => value : encodeURIComponent;
    let path = r.path.replace(/\{([^}]+)\}/g, (_m, name: string) => encode(req.params?.[name] ?? `missing-${name}`)) + (req.pathSuffix ?? '');
    const query = [req.query].filter((q) => q);
    const raw = req.body?.raw;
    const headers: Record<string, string> = { ...(req.body?.contentType ? { 'content-type': req.body.contentType } : {}), ...req.headers };
    if (r.security === 'writeKey') headers.authorization = `Bearer ${writeKey}`;
    if (r.security === 'serverKey') headers.authorization = `Bearer ${serverKey}`;
    if (r.security === 'console') headers.authorization = `Bearer ${ADMIN_TOKEN}`;
    if (r.security === 'shopifyWebhook') {
      query.push(`writeKey=${encodeURIComponent(writeKey)}`);
      // Signed as Shopify signs: base64 HMAC-SHA256 of the raw body.
      headers['x-shopify-hmac-sha256'] = createHmac('sha256', SHOPIFY_SECRET).update(raw ?? '').digest('base64');
      headers['x-shopify-topic'] ??= 'checkouts/update';
      headers['x-shopify-webhook-id'] ??= randomUUID();
    }
    if (query.length) path += `?${query.join('&')}`;
    if (r.security === 'twilioSignature') {
      const fields = req.twilioParams ?? Object.fromEntries(new URLSearchParams(typeof raw === 'string' ? raw : Buffer.from(raw ?? '').toString('utf8')));
      headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, `${t.config.publicUrl.replace(/\/$/, '')}${path}`, fields);
    }
    const response = await fetch(`${t.url}${path}`, { method: r.method, headers, body: typeof raw === 'string' || raw === undefined ? raw : Buffer.from(raw), redirect: 'manual' });
    return { status: response.status, text: await response.text(), headers: response.headers };
  }

  async function send(r: ApiRoute, example: ApiExample, prepared: Prepared) {
    const form = r.bodyContentType === 'application/x-www-form-urlencoded';
    const raw = form ? new URLSearchParams(example.value as Record<string, string>).toString() : JSON.stringify(example.value);
    const answer = await request(r, {
      params: prepared.params,
      headers: prepared.headers,
      query: prepared.query && new URLSearchParams(prepared.query).toString(),
      body: { raw, contentType: r.bodyContentType ?? 'application/json' },
      twilioParams: form ? (example.value as Record<string, string>) : undefined,
    });
    return { status: answer.status, text: answer.text };
  }

  return {
    t,
    stripe,
    writeKey,
    serverKey,
    sourceId,
    call,
    storefront,
    admin,
    prepare: async (r) => (await PREPARE[`${r.method} ${r.path}`]?.()) ?? {},
    send,
    request,
    exampleCheckout,
    landingToken,
    links,
    async close() {
      await t.close();
      await stripe.close();
    },
  };
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourcesService } from '../server/sources/sources.service';
import { CompletionReconciler } from '../server/checkout/completion/completion-reconciler';
import { SIGNED_LINKS, type SignedLinks } from '../server/recovery/links/signed-links';
import { startStripePeer, type StripePeer } from './peers/stripe-peer';
import { startTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let stripe: StripePeer;
let serverKey: string;
let otherKey: string;
let writeKey: string;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, key = serverKey) {
  const response = await fetch(`${t.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const ADDRESS = { name: 'Ada Lovelace', line1: '12 main street', city: 'springfield', region: 'IL', postalCode: '62701', countryCode: 'US' };
const CARD = { provider: 'stripe', token: 'pm_card_visa', brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2031 };
const CART = { items: [{ sku: 'boot-1', name: 'Trail boot', quantity: 2, unit_price: 59.5 }], currency: 'USD' };

async function customerWithProfile(customerId: string, card = CARD) {
  expect((await call('POST', `/v1/customers/${customerId}/addresses`, { address: ADDRESS })).status).toBe(201);
  const added = await call('POST', `/v1/customers/${customerId}/payment-methods`, card);
  expect(added.status).toBe(201);
  return added.body.id as string;
}

beforeAll(async () => {
  stripe = await startStripePeer();
  t = await startTestApp('checkout-api', { STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_BASE: stripe.url, PAYMENT_PROVIDERS: 'stripe', DATABASE_POOL_SIZE: '20', PAYMENT_TIMEOUT_MS: '5000', PAYMENT_MAX_ATTEMPTS_PER_CARD: '1000' });
  const source = await t.createSource({ name: 'Boots & Co' });
  writeKey = source.writeKey;
  serverKey = (await t.app.get(SourcesService).rotateServerKey(source.id))!;
  const other = await t.createSource({ name: 'Other shop' });
  otherKey = (await t.app.get(SourcesService).rotateServerKey(other.id))!;
}, 60_000);

afterAll(async () => {
  await t?.close();
  await stripe?.close();
});

describe('storefront authentication', () => {
  it('needs the server key: none, a write key or an unknown key get 401', async () => {
    expect((await call('GET', '/v1/customers/c1/profile', undefined, {}, '')).status).toBe(401);
    const withWriteKey = await call('GET', '/v1/customers/c1/profile', undefined, {}, writeKey);
    expect(withWriteKey.status).toBe(401);
    expect(withWriteKey.body.message).toMatch(/server key/);
    expect((await call('GET', '/v1/customers/c1/profile', undefined, {}, 'sk_nope')).status).toBe(401);
  });
});

describe('profiles', () => {
  it('stores a normalised address and a tokenized card, the first of each as default', async () => {
    const address = await call('POST', '/v1/customers/p-ada/addresses', { label: 'Home', address: ADDRESS });
    expect(address.status).toBe(201);
    expect(address.body).toMatchObject({ label: 'Home', is_default: true, address: { line1: '12 Main St', city: 'Springfield', countryCode: 'US' } });
    const card = await call('POST', '/v1/customers/p-ada/payment-methods', CARD);
    expect(card.body).toMatchObject({ brand: 'visa', last4: '4242', is_default: true });
    expect(card.body).not.toHaveProperty('token');
    const profile = await call('GET', '/v1/customers/p-ada/profile');
    expect(profile.body).toMatchObject({ default_address_id: address.body.id, default_payment_method_id: card.body.id });
  });

  it('refuses card data and bad input by field, storing nothing', async () => {
    const pan = await call('POST', '/v1/customers/p-bad/payment-methods', { ...CARD, token: '4242 4242 4242 4242' });
    expect(pan.status).toBe(400);
    expect(pan.body.problems).toEqual([{ path: 'token', message: expect.stringMatching(/card number/) }]);
    const cvc = await call('POST', '/v1/customers/p-bad/payment-methods', { ...CARD, cvc: '123' });
    expect(cvc.status).toBe(400);
    expect(cvc.body.message).toMatch(/cvc/);
    const expired = await call('POST', '/v1/customers/p-bad/payment-methods', { ...CARD, exp_year: 2020 });
    expect(expired.body.problems).toEqual([{ path: 'exp_year', message: 'the card has expired' }]);
    const address = await call('POST', '/v1/customers/p-bad/addresses', { address: { ...ADDRESS, postalCode: 'ABC' } });
    expect(address.status).toBe(400);
    expect(address.body.problems[0].path).toBe('address.postalCode');
    expect((await call('GET', '/v1/customers/p-bad/profile')).body).toMatchObject({ addresses: [], payment_methods: [] });
  });

  it('never shows one customer’s data to another customer or another source', async () => {
    const mine = await call('POST', '/v1/customers/p-owner/addresses', { address: ADDRESS });
    const card = await call('POST', '/v1/customers/p-owner/payment-methods', CARD);
    expect((await call('GET', `/v1/customers/p-intruder/addresses/${mine.body.id}`)).status).toBe(404);
    expect((await call('DELETE', `/v1/customers/p-intruder/payment-methods/${card.body.id}`)).status).toBe(404);
    expect((await call('GET', '/v1/customers/p-owner/profile', undefined, {}, otherKey)).body).toMatchObject({ addresses: [], payment_methods: [] });
    expect((await call('GET', '/v1/customers/p-owner/profile')).body.addresses).toHaveLength(1);
  });
});

describe('checkout API and one-click completion', () => {
  it('creates from a cart with the profile’s defaults, records the funnel events and completes in one click', async () => {
    await customerWithProfile('cu-one');
    const created = await call('POST', '/v1/checkouts', { customer_id: 'cu-one', email: 'one@example.com', cart: CART });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'open', totals: { subtotal: 119, total: 119, currency: 'USD' }, payment_method: { last4: '4242' }, shipping_address: { city: 'Springfield' } });
    const id = created.body.id;
    const shipped = await call('PUT', `/v1/checkouts/${id}/shipping-method`, { id: 'std', label: 'Standard', amount: 4.99 });
    expect(shipped.body.totals.total).toBe(123.99);

    const before = stripe.succeededCharges().length;
    const done = await call('POST', `/v1/checkouts/${id}/complete`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', order_id: `or_${id.slice(3)}`, totals: { total: 123.99 }, payment: { provider: 'stripe', last4: '4242' } });
    expect(stripe.succeededCharges().length - before).toBe(1);
    expect(stripe.succeededCharges().at(-1)).toMatchObject({ amount: 12399, currency: 'usd' });

    const { rows } = await t.pool.query(
      `SELECT c.status, c.stage, c.order_id, (SELECT array_agg(type ORDER BY occurred_at, type) FROM events e WHERE e.checkout_id = c.id) AS types
         FROM checkout_aliases a JOIN checkouts c ON c.id = a.checkout_id WHERE a.kind = 'checkout' AND a.value = $1`,
      [id],
    );
    expect(rows[0]).toMatchObject({ status: 'completed', stage: 'completed', order_id: `or_${id.slice(3)}` });
    expect(rows[0].types).toEqual(expect.arrayContaining(['checkout_started', 'checkout_updated', 'order_completed']));
    expect((await t.pool.query(`SELECT revenue FROM orders WHERE order_id = $1`, [`or_${id.slice(3)}`])).rows[0].revenue).toBe('123.9900');
  });

  it('says what is missing, refuses a changed total and a stale card, and changes nothing', async () => {
    const bare = await call('POST', '/v1/checkouts', { cart: CART });
    const missing = await call('POST', `/v1/checkouts/${bare.body.id}/complete`);
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ error: 'checkout_incomplete', missing: ['payment_method', 'shipping_address'] });

    await customerWithProfile('cu-price');
    const created = await call('POST', '/v1/checkouts', { customer_id: 'cu-price', cart: CART });
    const charges = stripe.charges.length;
    const changed = await call('POST', `/v1/checkouts/${created.body.id}/complete`, { expected_total: 100 });
    expect(changed.status).toBe(409);
    expect(changed.body).toMatchObject({ error: 'price_changed', totals: { total: 119 } });
    expect(stripe.charges.length).toBe(charges);
    expect((await call('GET', `/v1/checkouts/${created.body.id}`)).body.status).toBe('open');

    const foreign = await call('PUT', `/v1/checkouts/${created.body.id}/payment-method`, { payment_method_id: '00000000-0000-4000-8000-000000000000' });
    expect(foreign.status).toBe(422);
    expect((await call('GET', `/v1/checkouts/${created.body.id}`, undefined, {}, otherKey)).status).toBe(404);
    expect((await call('POST', '/v1/checkouts', { cart: { items: [], currency: 'usd' } })).body.problems.map((p: { path: string }) => p.path)).toEqual(['cart.items', 'cart.currency']);
  });

  it('a declined card leaves the checkout open, says why, and records a payment error', async () => {
    await customerWithProfile('cu-declined', { ...CARD, token: 'pm_card_chargeDeclinedInsufficientFunds' });
    const created = await call('POST', '/v1/checkouts', { customer_id: 'cu-declined', cart: CART });
    const declined = await call('POST', `/v1/checkouts/${created.body.id}/complete`);
    expect(declined.status).toBe(402);
    expect(declined.body).toMatchObject({ error: 'payment_declined', code: 'insufficient_funds', hard: true, status: 'open' });
    const { rows } = await t.pool.query(`SELECT c.payment_errors FROM checkout_aliases a JOIN checkouts c ON c.id = a.checkout_id WHERE a.value = $1`, [created.body.id]);
    expect(rows[0].payment_errors).toBe(1);
    expect((await t.pool.query(`SELECT status, decline_code FROM payment_attempts WHERE charge_key IS NOT NULL AND checkout_id = (SELECT checkout_id FROM checkout_sessions WHERE public_id = $1)`, [created.body.id])).rows).toEqual([{ status: 'declined', decline_code: 'insufficient_funds' }]);
  });

  it('replays an Idempotency-Key with the same body, and refuses it with another body (422)', async () => {
    await customerWithProfile('cu-idem');
    const created = await call('POST', '/v1/checkouts', { customer_id: 'cu-idem', cart: CART });
    const key = crypto.randomUUID();
    const first = await call('POST', `/v1/checkouts/${created.body.id}/complete`, { expected_total: 119 }, { 'idempotency-key': key });
    const again = await call('POST', `/v1/checkouts/${created.body.id}/complete`, { expected_total: 119 }, { 'idempotency-key': key });
    expect(first.status).toBe(200);
    expect(again).toEqual(first);
    const other = await call('POST', `/v1/checkouts/${created.body.id}/complete`, { expected_total: 120 }, { 'idempotency-key': key });
    expect(other.status).toBe(422);
    expect(other.body.error).toBe('idempotency_key_reused');
  });

  it('charges exactly once when two completes race on each of 200 checkouts', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      if (i % 20 === 0) await customerWithProfile(`cu-race-${i / 20}`);
      ids.push((await call('POST', '/v1/checkouts', { customer_id: `cu-race-${Math.floor(i / 20)}`, cart: CART })).body.id);
    }
    const before = stripe.succeededCharges().length;
    const answers = await Promise.all(
      ids.flatMap((id, i) => [
        call('POST', `/v1/checkouts/${id}/complete`, {}, { 'idempotency-key': `a-${id}` }),
        call('POST', `/v1/checkouts/${id}/complete`, {}, i % 2 ? { 'idempotency-key': `b-${id}` } : { 'idempotency-key': `a-${id}` }),
      ]),
    );
    const tally: Record<string, number> = {};
    for (const a of answers) tally[`${a.status} ${a.body?.error ?? ''}`] = (tally[`${a.status} ${a.body?.error ?? ''}`] ?? 0) + 1;
    expect(Object.keys(tally).every((k) => k === '200 ' || k.startsWith('409'))).toBe(true);
    expect(stripe.succeededCharges().length - before).toBe(200);
    for (let i = 0; i < ids.length; i++) {
      const [a, b] = [answers[2 * i], answers[2 * i + 1]];
      const winners = [a, b].filter((x) => x.status === 200);
      expect(winners.length).toBeGreaterThanOrEqual(1);
      for (const w of winners) expect(w.body.order_id).toBe(`or_${ids[i].slice(3)}`);
      for (const loser of [a, b].filter((x) => x.status !== 200)) expect(loser.status).toBe(409);
    }
    const { rows } = await t.pool.query(`SELECT count(*)::int AS n FROM orders WHERE order_id = ANY($1)`, [ids.map((id) => `or_${id.slice(3)}`)]);
    expect(rows[0].n).toBe(200);
  }, 180_000);

  it('after a crash between the provider’s success and our commit, the reconciler records the order without charging again', async () => {
    await customerWithProfile('cu-crash');
    const created = await call('POST', '/v1/checkouts', { customer_id: 'cu-crash', cart: CART });
    const { rows } = await t.pool.query(`SELECT checkout_id FROM checkout_sessions WHERE public_id = $1`, [created.body.id]);
    const checkoutId = rows[0].checkout_id;
    const { rows: cards } = await t.pool.query(`SELECT * FROM payment_methods WHERE customer_ref = 'cu-crash'`);
    // What a process that died right after the provider answered leaves behind: a charge at the provider, the session charging.
    const chargeKey = crypto.randomUUID();
    const { PaymentRouter } = await import('../server/payments/payment-router');
    const router = t.app.get(PaymentRouter);
    const charged = await router.charge({ checkoutId, chargeKey, paymentMethod: { ...cards[0], fallbackTokens: {}, expMonth: 12, expYear: 2031 }, amount: 119, currency: 'USD', metadata: {} });
    expect(charged.kind).toBe('succeeded');
    await t.pool.query(`UPDATE checkout_sessions SET state = 'charging', charge_key = $2, charging_since = now() - interval '1 hour' WHERE checkout_id = $1`, [checkoutId, chargeKey]);
    await t.pool.query(`UPDATE payment_attempts SET status = 'pending', finished_at = NULL WHERE charge_key = $1`, [chargeKey]);
    const chargesBefore = stripe.succeededCharges().length;

    expect(await t.app.get(CompletionReconciler).reconcileStale()).toBe(1);
    const after = await call('GET', `/v1/checkouts/${created.body.id}`);
    expect(after.body).toMatchObject({ status: 'completed', order_id: `or_${created.body.id.slice(3)}` });
    expect(stripe.succeededCharges().length).toBe(chargesBefore);
    const replay = await call('POST', `/v1/checkouts/${created.body.id}/complete`);
    expect(replay.body.order_id).toBe(`or_${created.body.id.slice(3)}`);
    expect(stripe.succeededCharges().length).toBe(chargesBefore);
  });
});

describe('the checkout page of a reminder', () => {
  it('answers an expired link with a plain 410 page and an unknown checkout with a 404 page', async () => {
    const links = t.app.get<SignedLinks>(SIGNED_LINKS);
    const checkoutId = '00000000-0000-4000-8000-000000000001';
    const expired = links.landing({ checkoutId, messageId: checkoutId, customerId: null, expiresAt: Math.floor(Date.now() / 1000) - 60 });
    const local = (url: string) => `${t.url}${new URL(url).pathname}`;
    const gone = await fetch(local(expired));
    expect(gone.status).toBe(410);
    expect(gone.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await gone.text()).toContain('This link has expired');
    const unknown = await fetch(local(links.landing({ checkoutId, messageId: checkoutId, customerId: null, expiresAt: Math.floor(Date.now() / 1000) + 60 })));
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('This link is not valid');
  });

  it('refuses an incomplete form with a plain 400 page and charges nothing; the complete form pays once', async () => {
    await customerWithProfile('cu-page');
    const created = await call('POST', '/v1/checkouts', { customer_id: 'cu-page', cart: CART });
    const { rows } = await t.pool.query(`SELECT checkout_id FROM checkout_sessions WHERE public_id = $1`, [created.body.id]);
    const links = t.app.get<SignedLinks>(SIGNED_LINKS);
    const page = `${t.url}${new URL(links.landing({ checkoutId: rows[0].checkout_id, messageId: rows[0].checkout_id, customerId: null, expiresAt: Math.floor(Date.now() / 1000) + 600 })).pathname}`;
    const charges = stripe.succeededCharges().length;

    const incomplete = await fetch(`${page}/complete`, { method: 'POST', body: new URLSearchParams({ expected_total: '119' }) });
    expect(incomplete.status).toBe(400);
    expect(await incomplete.text()).toContain('The form was incomplete');
    expect(stripe.succeededCharges()).toHaveLength(charges);
    expect((await call('GET', `/v1/checkouts/${created.body.id}`)).body.status).toBe('open');

    const form = new URLSearchParams({ expected_total: '119', idempotency_key: crypto.randomUUID() });
    const paid = await fetch(`${page}/complete`, { method: 'POST', body: form });
    expect(paid.status).toBe(200);
    expect(await paid.text()).toContain(`Your order or_${created.body.id.slice(3)} is confirmed`);
    const again = await fetch(`${page}/complete`, { method: 'POST', body: form });
    expect(await again.text()).toContain('Your order is complete');
    expect(stripe.succeededCharges()).toHaveLength(charges + 1);
  });
});

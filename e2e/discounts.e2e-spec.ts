import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDiscountRuleInput } from '../campaigns/discount-rule-schema';
import { DEFAULT_DISCOUNT_RULES, DiscountRule } from '../campaigns/discount-rules';
import { Database, DATABASE } from '../server/database/database';
import { DiscountCodeService, IssuedCode } from '../server/discounts/discount-code.service';
import { DiscountRulesService } from '../server/discounts/discount-rules.service';
import { apiEvent, bearer } from './support/events';
import { postJson, startTestApp, TestApp } from './support/test-app';

const HOUR = 3_600_000;
const tenPercent = DEFAULT_DISCOUNT_RULES.find((r) => r.id === 'default-third-step')!;
const fixedFive: DiscountRule = { ...tenPercent, id: 'fixed-five', offer: { type: 'fixed_amount', amount: 5, maxDiscountValue: null, expiryHours: 24 } };

describe('discount codes: /v1/discounts/validate and /redeem', () => {
  let t: TestApp;
  let keyA: string;
  let keyB: string;
  let sourceA: string;
  let sourceB: string;
  let codes: DiscountCodeService;
  let db: Database;

  const validate = (body: unknown, key = keyA) => postJson(`${t.url}/v1/discounts/validate`, body, bearer(key));
  const redeem = (body: unknown, key = keyA) => postJson(`${t.url}/v1/discounts/redeem`, body, bearer(key));

  /** Our ids for a storefront checkout, as ingestion recorded it. */
  async function shopper(externalCheckoutId: string): Promise<{ checkoutId: string; customerId: string | null; sourceId: string }> {
    const { rows } = await t.pool.query(
      "SELECT c.id, c.customer_id, c.source_id FROM checkout_aliases a JOIN checkouts c ON c.id = a.checkout_id WHERE a.kind = 'checkout' AND a.value = $1",
      [externalCheckoutId],
    );
    return { checkoutId: rows[0].id, customerId: rows[0].customer_id, sourceId: rows[0].source_id };
  }

  async function issueFor(externalCheckoutId: string, options: { rule?: DiscountRule; percent?: number | null; now?: Date; bind?: 'checkout' | 'customer' | 'both' } = {}): Promise<IssuedCode> {
    const s = await shopper(externalCheckoutId);
    const bind = options.bind ?? 'both';
    return codes.issue(db, {
      sourceId: s.sourceId,
      checkoutId: bind === 'customer' ? null : s.checkoutId,
      customerId: bind === 'checkout' ? null : s.customerId,
      rule: options.rule ?? tenPercent,
      percent: options.percent ?? null,
      now: options.now ?? new Date(),
    });
  }

  async function startCheckout(key: string, checkoutId: string, customerId: string, value: number) {
    const event = apiEvent({
      type: 'checkout_started',
      checkout_id: checkoutId,
      customer: { id: customerId, email: `${customerId}@example.com` },
      cart: { items: [{ sku: 'BOOT', quantity: 1, unit_price: value }], currency: 'EUR' },
    });
    const response = await postJson(`${t.url}/v1/events`, event, bearer(key));
    expect(response.status).toBe(200);
  }

  beforeAll(async () => {
    t = await startTestApp('discounts');
    ({ writeKey: keyA, id: sourceA } = await t.createSource({ name: 'Store A' }));
    ({ writeKey: keyB, id: sourceB } = await t.createSource({ name: 'Store B' }));
    codes = t.app.get(DiscountCodeService);
    db = t.app.get<Database>(DATABASE);
    expect((await t.app.get(DiscountRulesService).create(fixedFive, new Date())).ok).toBe(true);
    await startCheckout(keyA, 'chk-ann-1', 'u-ann', 120);
    await startCheckout(keyA, 'chk-ann-2', 'u-ann', 80);
    await startCheckout(keyA, 'chk-bob-1', 'u-bob', 200);
    await startCheckout(keyB, 'chk-cy-1', 'u-cy', 90);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('issues, validates and redeems a code once; the same order again gets the same answer, another order 409', async () => {
    const before = Date.now();
    const issued = await issueFor('chk-ann-1');
    expect(issued.code).toMatch(/^[A-HJ-NP-Z2-9]{12}$/);
    expect(issued).toMatchObject({ type: 'percent', percent: 10, amount: null, maxDiscountValue: 50 });
    expect(issued.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 48 * HOUR);
    expect(issued.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 48 * HOUR);

    const typed = `${issued.code.slice(0, 4).toLowerCase()}-${issued.code.slice(4)}`;
    const valid = await validate({ code: typed, checkoutId: 'chk-ann-1', cartValue: 120 });
    expect(valid).toMatchObject({ status: 200 });
    expect(valid.body).toEqual({ valid: true, code: issued.code, type: 'percent', percent: 10, maxDiscountValue: 50, discountValue: 12, expiresAt: issued.expiresAt.toISOString() });
    expect((await validate({ code: issued.code, checkoutId: 'chk-ann-1' })).body.discountValue).toBeNull();
    expect((await validate({ code: issued.code, checkoutId: 'chk-ann-1', cartValue: 900 })).body.discountValue).toBe(50);

    const first = await redeem({ code: issued.code, orderId: 'order-1', checkoutId: 'chk-ann-1', cartValue: 120 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ redeemed: true, code: issued.code, orderId: 'order-1', type: 'percent', percent: 10, cartValue: 120, discountValue: 12 });

    const again = await redeem({ code: issued.code, orderId: 'order-1', checkoutId: 'chk-ann-1', cartValue: 120 });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);

    const other = await redeem({ code: issued.code, orderId: 'order-2', checkoutId: 'chk-ann-1', cartValue: 120 });
    expect(other.status).toBe(409);
    expect(other.body).toEqual({ redeemed: false, reason: 'redeemed', message: 'this discount code has already been used' });
    expect((await validate({ code: issued.code, checkoutId: 'chk-ann-1' })).body).toMatchObject({ valid: false, reason: 'redeemed' });

    const { rows } = await t.pool.query('SELECT redeemed_order_id, redeemed_at IS NOT NULL AS used, redemption FROM discount_codes WHERE code = $1', [issued.code]);
    expect(rows).toEqual([{ redeemed_order_id: 'order-1', used: true, redemption: { orderId: 'order-1', cartValue: 120, discountValue: 12, redeemedAt: first.body.redeemedAt } }]);
  });

  it('issues the percent a policy chose within the range, and refuses one outside it', async () => {
    const chosen = await issueFor('chk-ann-1', { percent: 15 });
    expect((await validate({ code: chosen.code, checkoutId: 'chk-ann-1', cartValue: 120 })).body).toMatchObject({ valid: true, percent: 15, discountValue: 18 });
    await expect(issueFor('chk-ann-1', { percent: 20 })).rejects.toThrow(/up to 15, not 20/);
    await expect(issueFor('chk-ann-1', { percent: 0 })).rejects.toThrow(RangeError);
  });

  it('issues fixed amounts, capped by the cart', async () => {
    const issued = await issueFor('chk-ann-1', { rule: fixedFive });
    expect(issued).toMatchObject({ type: 'fixed_amount', percent: null, amount: 5 });
    expect((await validate({ code: issued.code, checkoutId: 'chk-ann-1' })).body).toMatchObject({ valid: true, type: 'fixed_amount', amount: 5, discountValue: 5 });
    expect((await validate({ code: issued.code, checkoutId: 'chk-ann-1', cartValue: 3 })).body.discountValue).toBe(3);
    expect(issued.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(24 * HOUR);
  });

  it('refuses an expired code with its reason, for validation and redemption', async () => {
    const stale = await issueFor('chk-ann-1', { now: new Date(Date.now() - 49 * HOUR) });
    expect((await validate({ code: stale.code, checkoutId: 'chk-ann-1' })).body).toEqual({ valid: false, reason: 'expired', message: 'this discount code has expired' });
    const refused = await redeem({ code: stale.code, orderId: 'order-stale', checkoutId: 'chk-ann-1' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ redeemed: false, reason: 'expired' });
    expect((await t.pool.query('SELECT redeemed_at FROM discount_codes WHERE code = $1', [stale.code])).rows[0].redeemed_at).toBeNull();
  });

  it('refuses an unknown code', async () => {
    expect((await validate({ code: 'ABCDEFGH2345', checkoutId: 'chk-ann-1' })).body).toEqual({ valid: false, reason: 'unknown', message: 'there is no such discount code' });
    const refused = await redeem({ code: 'ABCDEFGH2345', orderId: 'o', checkoutId: 'chk-ann-1' });
    expect(refused.status).toBe(422);
    expect(refused.body.reason).toBe('unknown');
  });

  it("calls another merchant's code unknown, even with its own checkout id", async () => {
    const theirs = await issueFor('chk-cy-1');
    expect((await validate({ code: theirs.code, checkoutId: 'chk-cy-1' }, keyB)).body.valid).toBe(true);
    expect((await validate({ code: theirs.code, checkoutId: 'chk-cy-1' }, keyA)).body).toMatchObject({ valid: false, reason: 'unknown' });
    const refused = await redeem({ code: theirs.code, orderId: 'o-x', checkoutId: 'chk-cy-1' }, keyA);
    expect(refused).toMatchObject({ status: 422, body: { reason: 'unknown' } });
    expect((await t.pool.query('SELECT source_id FROM discount_codes WHERE code = $1', [theirs.code])).rows[0].source_id).toBe(sourceB);
    expect(sourceA).not.toBe(sourceB);
  });

  it('refuses a code bound to another checkout or customer as foreign; the customer may use it on another checkout', async () => {
    const anns = await issueFor('chk-ann-1');
    expect((await validate({ code: anns.code, checkoutId: 'chk-bob-1' })).body).toMatchObject({ valid: false, reason: 'foreign' });
    expect((await validate({ code: anns.code, customerId: 'u-bob' })).body).toMatchObject({ valid: false, reason: 'foreign' });
    expect((await validate({ code: anns.code, checkoutId: 'chk-nobody-knows' })).body).toMatchObject({ valid: false, reason: 'foreign' });
    expect((await redeem({ code: anns.code, orderId: 'bob-order', checkoutId: 'chk-bob-1' })).status).toBe(422);
    expect((await validate({ code: anns.code, customerId: 'u-ann' })).body.valid).toBe(true);
    expect((await validate({ code: anns.code, checkoutId: 'chk-ann-2' })).body.valid).toBe(true);

    const checkoutOnly = await issueFor('chk-ann-1', { bind: 'checkout' });
    expect((await validate({ code: checkoutOnly.code, checkoutId: 'chk-ann-1' })).body.valid).toBe(true);
    expect((await validate({ code: checkoutOnly.code, checkoutId: 'chk-ann-2' })).body).toMatchObject({ valid: false, reason: 'foreign' });
    expect((await validate({ code: checkoutOnly.code, customerId: 'u-ann' })).body).toMatchObject({ valid: false, reason: 'foreign' });
  });

  it('a code follows its checkout and customer when ingestion merges them', async () => {
    const started = (refs: Record<string, unknown>) =>
      postJson(`${t.url}/v1/events`, apiEvent({ type: 'checkout_started', ...refs, cart: { items: [{ sku: 'HAT', quantity: 1, unit_price: 40 }], currency: 'EUR' } }), bearer(keyA));
    expect((await started({ checkout_id: 'chk-merge-1', customer: { id: 'u-eve' } })).status).toBe(200);
    expect((await started({ cart_id: 'cart-merge-2', customer: { anonymous_id: 'anon-eve' } })).status).toBe(200);
    const { rows } = await t.pool.query(
      "SELECT c.id, c.customer_id FROM checkout_aliases a JOIN checkouts c ON c.id = a.checkout_id WHERE a.kind = 'cart' AND a.value = 'cart-merge-2'",
    );
    const cartOnly = await codes.issue(db, { sourceId: sourceA, checkoutId: rows[0].id, customerId: rows[0].customer_id, rule: tenPercent, percent: null, now: new Date() });
    // One event naming both: the cart's checkout merges into chk-merge-1, the anonymous shopper into u-eve.
    expect((await started({ checkout_id: 'chk-merge-1', cart_id: 'cart-merge-2', customer: { id: 'u-eve', anonymous_id: 'anon-eve' } })).status).toBe(200);
    expect((await t.pool.query('SELECT count(*)::int AS n FROM checkouts WHERE id = $1', [rows[0].id])).rows[0].n).toBe(0);
    expect((await validate({ code: cartOnly.code, checkoutId: 'chk-merge-1' })).body.valid).toBe(true);
    expect((await validate({ code: cartOnly.code, customerId: 'u-eve' })).body.valid).toBe(true);
  });

  it('refuses a withdrawn code as disabled', async () => {
    const issued = await issueFor('chk-ann-1');
    expect(await codes.revoke(db, sourceB, issued.code, new Date())).toBe(false);
    expect(await codes.revoke(db, sourceA, issued.code, new Date())).toBe(true);
    expect((await validate({ code: issued.code, checkoutId: 'chk-ann-1' })).body).toEqual({ valid: false, reason: 'disabled', message: 'this discount code has been withdrawn' });
    expect((await redeem({ code: issued.code, orderId: 'o-d', checkoutId: 'chk-ann-1' })).status).toBe(422);
  });

  it('of 20 concurrent redemptions of one code by different orders, exactly one wins', async () => {
    const issued = await issueFor('chk-bob-1');
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => redeem({ code: issued.code, orderId: `race-${i}`, customerId: 'u-bob', cartValue: 200 })),
    );
    const winners = attempts.filter((a) => a.status === 200);
    expect(winners).toHaveLength(1);
    expect(attempts.filter((a) => a.status === 409)).toHaveLength(19);
    const { rows } = await t.pool.query('SELECT redeemed_order_id FROM discount_codes WHERE code = $1', [issued.code]);
    expect(rows[0].redeemed_order_id).toBe(winners[0].body.orderId);
    expect(winners[0].body.discountValue).toBe(20);
  });

  it('issues inside the caller’s transaction: rolled back, the code never existed', async () => {
    const s = await shopper('chk-ann-1');
    let drawn = '';
    await expect(
      db.transaction(async (tx) => {
        drawn = (await codes.issue(tx, { sourceId: s.sourceId, checkoutId: s.checkoutId, customerId: s.customerId, rule: tenPercent, percent: 5, now: new Date() })).code;
        throw new Error('the engine changed its mind');
      }),
    ).rejects.toThrow('the engine changed its mind');
    expect(drawn).toMatch(/^[A-HJ-NP-Z2-9]{12}$/);
    expect((await validate({ code: drawn, checkoutId: 'chk-ann-1' })).body.reason).toBe('unknown');
  });

  it("lists a customer's and a checkout's previous offers, oldest first", async () => {
    await startCheckout(keyA, 'chk-dee-1', 'u-dee', 60);
    await startCheckout(keyA, 'chk-dee-2', 'u-dee', 70);
    const [first, second] = [await shopper('chk-dee-1'), await shopper('chk-dee-2')];
    expect(await codes.previousOffers(db, { customerId: first.customerId, checkoutId: first.checkoutId })).toEqual([]);
    await issueFor('chk-dee-1', { percent: 5, now: new Date(Date.now() - 2 * HOUR) });
    await issueFor('chk-dee-2', { rule: fixedFive, bind: 'checkout', now: new Date(Date.now() - HOUR) });
    expect(await codes.previousOffers(db, { customerId: first.customerId })).toEqual([{ type: 'percent', percent: 5 }]);
    expect(await codes.previousOffers(db, { checkoutId: second.checkoutId })).toEqual([{ type: 'fixed_amount', percent: 0 }]);
    expect(await codes.previousOffers(db, { customerId: second.customerId, checkoutId: second.checkoutId })).toEqual([
      { type: 'percent', percent: 5 },
      { type: 'fixed_amount', percent: 0 },
    ]);
    expect(await codes.previousOffers(db, {})).toEqual([]);
    await expect(codes.issue(db, { sourceId: sourceA, checkoutId: null, customerId: null, rule: tenPercent, percent: null, now: new Date() })).rejects.toThrow(/bound/);
  });

  describe('refuses bad requests with 400 naming each field', () => {
    it('missing or mistyped fields, unknown fields, no shopper', async () => {
      const missing = await redeem({ checkoutId: 'chk-ann-1' });
      expect(missing.status).toBe(400);
      expect(missing.body.problems).toEqual([
        { index: null, path: 'code', message: 'is required' },
        { index: null, path: 'orderId', message: 'is required' },
      ]);
      const typed = await validate({ code: 42, checkoutId: 'chk-ann-1', cartValue: -3, coupon: 'x' });
      expect(typed.status).toBe(400);
      expect(typed.body.problems).toEqual([
        { index: null, path: 'code', message: 'must be a string: the discount code' },
        { index: null, path: 'cartValue', message: 'must not be negative' },
        { index: null, path: 'coupon', message: 'is not a known field' },
      ]);
      const anonymous = await validate({ code: 'ABCDEFGH2345' });
      expect(anonymous.status).toBe(400);
      expect(anonymous.body.problems).toEqual([{ index: null, path: 'checkoutId', message: 'checkoutId or customerId is required: the checkout or customer using the code' }]);
    });

    it('a body that is not JSON', async () => {
      const response = await validate('{"code": ');
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('invalid_request');
    });
  });

  it('limits validations per source to 600 a minute, with Retry-After', async () => {
    const { writeKey } = await t.createSource({ name: 'Busy store' });
    // Fixed one-minute windows: start well inside one so all 601 requests land in it.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
    const body = { code: 'ABCDEFGH2345', checkoutId: 'chk-busy' };
    for (let batch = 0; batch < 12; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => validate(body, writeKey)));
      expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    }
    const limited = await validate(body, writeKey);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe('too_many_requests');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await validate(body)).status).toBe(200);
  }, 90_000);

  it('refuses requests without a valid write key with 401', async () => {
    const body = { code: 'ABCDEFGH2345', checkoutId: 'chk-ann-1' };
    expect((await postJson(`${t.url}/v1/discounts/validate`, body)).status).toBe(401);
    expect((await postJson(`${t.url}/v1/discounts/redeem`, { ...body, orderId: 'o' })).status).toBe(401);
    expect((await validate(body, 'wk_not_a_key')).status).toBe(401);
  });
});

describe('discount rules', () => {
  let t: TestApp;
  let rules: DiscountRulesService;
  beforeAll(async () => {
    t = await startTestApp('discount_rules');
    rules = t.app.get(DiscountRulesService);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('seeds the default rules on first start, once', async () => {
    const stored = await rules.list();
    expect(stored.map(({ version: _v, createdAt: _c, updatedAt: _u, ...rule }) => rule)).toEqual(DEFAULT_DISCOUNT_RULES);
    expect(await rules.seedDefaults(new Date())).toBe(0);
    expect(await rules.list()).toHaveLength(DEFAULT_DISCOUNT_RULES.length);
  });

  it('creates rules, lists them by priority, and edits them only at the version read', async () => {
    const parsed = parseDiscountRuleInput({ name: 'Returning, free shipping', priority: 5, conditions: { customerType: 'returning' }, offer: { type: 'free_shipping' } });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const created = await rules.create(parsed.rule, new Date());
    if (!created.ok) throw new Error(created.reason);
    expect(created.rule).toMatchObject({ priority: 5, version: 1, offer: { type: 'free_shipping', amount: 0, expiryHours: 48 } });
    expect((await rules.list())[0].id).toBe(created.rule.id);
    expect(await rules.create({ ...parsed.rule, id: created.rule.id }, new Date())).toEqual({ ok: false, reason: 'id_taken' });

    const edited = await rules.update(created.rule.id, { ...parsed.rule, priority: 500 }, 1, new Date());
    expect(edited).toMatchObject({ ok: true, rule: { priority: 500, version: 2 } });
    expect(await rules.update(created.rule.id, { ...parsed.rule, enabled: false }, 1, new Date())).toEqual({ ok: false, reason: 'version_conflict', currentVersion: 2 });
    expect((await rules.get(created.rule.id))?.enabled).toBe(true);
    expect(await rules.update('no-such-rule', parsed.rule, 1, new Date())).toEqual({ ok: false, reason: 'not_found' });
    expect((await rules.list()).at(-1)?.id).toBe(created.rule.id);
  });
});

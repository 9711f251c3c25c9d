import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscountRulesSnapshot } from '../server/ml/discount-rules-snapshot';
import { foldAll } from '../server/reports/report-folder';
import { SourcesService } from '../server/sources/sources.service';
import { startStripePeer, type StripePeer } from './peers/stripe-peer';
import { launchChromium } from './support/browser';
import { screenshot } from './support/console';
import { daytimeZone } from './support/daytime-zone';
import { eventually } from './support/eventually';
import { checkoutJourney, type RecoveryRig, startRecoveryRig } from './support/recovery-rig';
import { getReport, REPORTS_TOKEN } from './support/reports';

/**
 * Issue 6, "Proof": the whole loop in one test, against the real app and its local peers (SMTP, Stripe),
 * campaign time at 1/10000 (30 min idle → 0.18 s, 1 h → 0.36 s, 48 h → 17.3 s; quiet hours stay real, so the
 * shopper lives where it is daytime now):
 *
 *   posted events → abandoned → email (with a 10% code) at the SMTP peer → the tracked link opened in Chromium
 *   → our checkout page with the cart, the code applied and the discounted total → Pay (one click, the saved
 *   address and card) → exactly one charge at the Stripe peer → order recorded → the next reminder cancelled
 *   → the recovery report (after the rollup fold) counts the recovered checkout and its revenue.
 */
describe('one-click recovery loop', () => {
  let rig: RecoveryRig;
  let stripe: StripePeer;
  let browser: Browser;
  let serverKey: string;
  const zone = daytimeZone();

  const ADDRESS = { name: 'Ada Lovelace', line1: '12 main street', city: 'springfield', region: 'IL', postalCode: '62701', countryCode: 'US' };
  const CARD = { provider: 'stripe', token: 'pm_card_visa', brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2031 };

  const storefront = async (path: string, body: unknown) => {
    const response = await fetch(`${rig.t.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serverKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const messagesOf = async (checkout: string) =>
    (
      await rig.t.pool.query(
        `SELECT m.id, m.step_index, m.channel, m.status, m.cancel_reason, m.recovered_revenue FROM messages m JOIN checkouts c ON c.id = m.checkout_id
          WHERE c.external_id = $1 ORDER BY m.step_index, m.created_at`,
        [checkout],
      )
    ).rows;
  const shape = (rows: Awaited<ReturnType<typeof messagesOf>>) => rows.map((r) => `${r.step_index}:${r.channel}:${r.status}`).join();

  beforeAll(async () => {
    browser = await launchChromium(); // first, so a missing Chromium fails the suite at once with its message
    stripe = await startStripePeer();
    rig = await startRecoveryRig('one_click_loop', '0.0001', {
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_API_BASE: stripe.url,
      PAYMENT_PROVIDERS: 'stripe',
      ADMIN_API_TOKEN: REPORTS_TOKEN,
    });
    const sourceId = (await rig.t.pool.query<{ id: string }>(`SELECT id FROM sources WHERE name = 'Boots & Co'`)).rows[0].id;
    serverKey = (await rig.t.app.get(SourcesService).rotateServerKey(sourceId))!;

    // The offer in the first email: a 10% rule for step 0, and a campaign (ahead of the seeded one) whose first
    // step is the offer email an hour after abandonment and whose second is a reminder 48 h after.
    await rig.t.pool.query(
      `INSERT INTO discount_rules (id, name, priority, conditions, offer) VALUES ('loop-first-step', 'First step', 1, '{"steps":[0]}', '{"type":"percent","amount":10,"expiryHours":48}')`,
    );
    rig.t.app.get(DiscountRulesSnapshot).invalidate();
    await rig.t.pool.query(`INSERT INTO campaigns (name, priority, steps) VALUES ('one-click loop', 1, $1)`, [
      JSON.stringify([
        { delayMinutes: 60, channels: ['email'], templates: { email: 'offer-email' } },
        { delayMinutes: 48 * 60, channels: ['email'], templates: { email: 'reminder-email' } },
      ]),
    ]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await rig?.close();
    await stripe?.close();
  });

  it('takes a posted checkout from abandonment to a one-click order the report counts', { timeout: 90_000 }, async () => {
    // The shopper's saved address and card, stored by the storefront under its own customer id.
    expect((await storefront('/v1/customers/cust-loop/addresses', { address: ADDRESS })).status).toBe(201);
    expect((await storefront('/v1/customers/cust-loop/payment-methods', CARD)).status).toBe(201);

    // Posted events: the checkout reaches the contact step and goes idle.
    const events = checkoutJourney({ tag: 'loop', timezone: zone, email: 'ada@example.com', value: 120 }).map((e) => ({
      ...e,
      customer: { ...(e.customer as object), id: 'cust-loop' },
    }));
    const posted = Date.now();
    expect((await rig.send(events)).body).toEqual({ accepted: 2, duplicates: 0 });

    // Abandoned, then the offer email arrives at the SMTP peer with the code issued for that message.
    const email = await rig.smtp.waitFor((m) => m.to.includes('ada@example.com'), 20_000);
    expect(email.html).toContain('Leather boots');
    await eventually(() => messagesOf('co-loop'), (rows) => shape(rows) === '0:email:sent,1:email:planned');
    const { rows: codes } = await rig.t.pool.query(
      `SELECT d.code, d.percent::float8 AS percent FROM discount_codes d JOIN messages m ON m.id = d.message_id JOIN checkouts c ON c.id = m.checkout_id
        WHERE c.external_id = 'co-loop' AND m.step_index = 0`,
    );
    expect(codes).toEqual([{ code: expect.any(String), percent: 10 }]);
    const code = codes[0].code as string;
    expect(email.html).toContain(code);
    const click = email.html!.match(/href="([^"]*\/r\/click\/[^"]+)"/)![1].replace(/&amp;/g, '&');

    // In Chromium: the tracked link leads to our checkout page, the cart restored, the code applied.
    const page = await browser.newPage();
    try {
      const opened = await page.goto(click);
      expect(opened!.status()).toBe(200);
      expect(new URL(page.url()).pathname).toMatch(/^\/c\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      const token = new URL(page.url()).pathname.slice('/c/'.length);
      expect(await page.locator('#cart').textContent()).toContain('Leather boots');
      expect(await page.locator('#offer').textContent()).toContain(`Code ${code} applied`);
      expect(await page.locator('#discount').textContent()).toBe('−€12.00');
      expect(await page.locator('#total').textContent()).toBe('€108.00');
      expect(await page.locator('#ship-to').textContent()).toContain('12 Main St');
      expect(await page.locator('#card').textContent()).toBe('Pay with visa ending 4242');
      await page.setViewportSize({ width: 720, height: 480 });
      await screenshot(page, 'checkout-page');

      // One click.
      await Promise.all([page.waitForURL(/\/complete$/), page.locator('#pay').click()]);
      const thanks = await page.locator('body').textContent();
      expect(thanks).toContain('Thank you!');
      const orderId = thanks!.match(/Your order (\S+) is confirmed/)![1];

      // Exactly one charge, of the discounted amount.
      expect(stripe.succeededCharges()).toHaveLength(1);
      expect(stripe.succeededCharges()[0]).toMatchObject({ amount: 10800, currency: 'eur' });
      expect(stripe.charges).toHaveLength(1);

      // The order, the checkout recovered, the code redeemed, the next reminder cancelled and the email credited.
      const orders = (await rig.t.pool.query(`SELECT order_id, revenue FROM orders`)).rows;
      expect(orders).toEqual([{ order_id: orderId, revenue: '108.0000' }]);
      const checkout = (await rig.t.pool.query(`SELECT status, order_id, recovered_at IS NOT NULL AS recovered FROM checkouts WHERE external_id = 'co-loop'`)).rows[0];
      expect(checkout).toEqual({ status: 'recovered', order_id: orderId, recovered: true });
      const messages = await messagesOf('co-loop');
      expect(messages.map((r) => `${r.step_index}:${r.channel}:${r.status}:${r.cancel_reason ?? ''}`)).toEqual(['0:email:sent:', '1:email:cancelled:order_completed']);
      expect(messages[0].recovered_revenue).toBe('108.0000');
      const redeemed = (await rig.t.pool.query(`SELECT redeemed_order_id FROM discount_codes WHERE code = $1`, [code])).rows[0];
      expect(redeemed.redeemed_order_id).toBe(orderId);

      // The link again: the checkout is paid, nothing more to charge.
      await page.goto(`${rig.t.url}/c/${token}`);
      expect(await page.locator('h1').textContent()).toBe('Your order is complete');
      expect(stripe.charges).toHaveLength(1);

      // A tampered link (one character of the signature changed) gets a plain page, not a stack trace.
      const [payload, signature] = token.split('.');
      const i = 5;
      const tampered = `${payload}.${signature.slice(0, i)}${signature[i] === 'A' ? 'B' : 'A'}${signature.slice(i + 1)}`;
      const bad = await page.goto(`${rig.t.url}/c/${tampered}`);
      expect(bad!.status()).toBe(400);
      expect(await page.locator('h1').textContent()).toBe('This link is not valid');
      const badText = (await page.locator('body').textContent())!;
      expect(badText).not.toMatch(/Error|at \S+ \(|statusCode|node_modules/);
    } finally {
      await page.close();
    }

    // Past the second reminder's time (48 h after abandonment: 0.18 s + 17.3 s here, plus a sweep or two) nothing more went out.
    await new Promise((r) => setTimeout(r, Math.max(0, posted + 180 + 17_280 + 2_500 - Date.now())));
    expect(rig.smtp.messages.filter((m) => m.to.includes('ada@example.com'))).toHaveLength(1);

    // The recovery report, after the rollup fold, counts one recovered checkout and its revenue.
    await foldAll(rig.t.pool);
    const today = new Date().toISOString().slice(0, 10);
    const report = await getReport(rig.t, `recovery?from=${today}&to=${today}`);
    expect(report.status).toBe(200);
    expect(report.body.totals).toMatchObject({ abandoned: 1, contacted: 1, recovered: 1, recoveryRate: 1, recoveredRevenue: 108, discountCost: 12, sent: 1, clicked: 1 });
  });
  it('abandons an API checkout like a posted one; its page shows the new price and charges it, never the old one', { timeout: 60_000 }, async () => {
    expect((await storefront('/v1/customers/cust-api/addresses', { address: ADDRESS })).status).toBe(201);
    expect((await storefront('/v1/customers/cust-api/payment-methods', CARD)).status).toBe(201);
    // The storefront identified the shopper earlier (with a time zone, which the API checkout does not carry).
    await rig.send([{ event_id: crypto.randomUUID(), type: 'identify', occurred_at: new Date().toISOString(), customer: { id: 'cust-api', email: 'api@example.com', timezone: zone } }]);
    const created = await storefront('/v1/checkouts', { customer_id: 'cust-api', email: 'api@example.com', cart: { items: [{ sku: 'HAT-1', name: 'Wool hat', quantity: 1, unit_price: 40 }], currency: 'EUR' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    // Left idle: abandoned by the same sweep, reminded by the same campaign.
    const email = await rig.smtp.waitFor((m) => m.to.includes('api@example.com'), 20_000);
    expect(email.html).toContain('Wool hat');
    const click = email.html!.match(/href="([^"]*\/r\/click\/[^"]+)"/)![1].replace(/&amp;/g, '&');

    // The storefront reports a new price for the hat after the reminder went out.
    await rig.send([
      { event_id: crypto.randomUUID(), type: 'checkout_updated', occurred_at: new Date().toISOString(), checkout_id: id, cart: { items: [{ sku: 'HAT-1', name: 'Wool hat', quantity: 1, unit_price: 45 }], currency: 'EUR' } },
    ]);
    const landing = await fetch(click);
    expect(landing.status).toBe(200);
    const html = await landing.text();
    expect(html).toContain('Wool hat: the price is now €45.00 (was €40.00)');
    expect(html).toMatch(/id="total"><strong>€40\.50</);
    const action = html.match(/action="([^"]+)"/)![1];
    const charges = stripe.succeededCharges().length;

    // The total the reminder promised is refused, and nothing is charged.
    const stale = await fetch(`${rig.t.url}${action}`, { method: 'POST', body: new URLSearchParams({ expected_total: '36', idempotency_key: crypto.randomUUID() }) });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('nothing was charged');
    expect(stripe.succeededCharges()).toHaveLength(charges);

    const paid = await fetch(`${rig.t.url}${action}`, { method: 'POST', body: new URLSearchParams({ expected_total: '40.5', idempotency_key: crypto.randomUUID() }) });
    expect(paid.status).toBe(200);
    expect(await paid.text()).toContain('Thank you!');
    expect(stripe.succeededCharges()).toHaveLength(charges + 1);
    expect(stripe.succeededCharges().at(-1)).toMatchObject({ amount: 4050, currency: 'eur' });
    const checkout = (await rig.t.pool.query(`SELECT c.status, s.state FROM checkout_sessions s JOIN checkouts c ON c.id = s.checkout_id WHERE s.public_id = $1`, [id])).rows[0];
    expect(checkout).toEqual({ status: 'recovered', state: 'completed' });
  });
});

import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdminUsers } from '../server/admin/auth/admin-users.service';
import { launchChromium } from './support/browser';
import { ensureConsoleBuilt, screenshot, signIn, watchPage } from './support/console';
import { apiEvent, bearer } from './support/events';
import { seedSettledDecisions } from './support/seed-decisions';
import { postJson, startTestApp, TestApp } from './support/test-app';

/** Email and SMS configured (pointing nowhere: nothing here sends), so the planner and its preview may use them. */
const CHANNELS_CONFIGURED = { SMTP_URL: 'smtp://127.0.0.1:9', TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: '0'.repeat(32), TWILIO_FROM: '+15005550006', TWILIO_API_BASE: 'http://127.0.0.1:9' };

const PASSWORD = 'correct horse battery';
const MARKETER = 'marketer@shop.example';
const ANALYST = 'analyst@shop.example';
const DAY = 86_400_000;

/** Pages answer within seconds on a busy 2-core machine; poll for up to 20 s. */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

/** Messages the browser logs for answers a test provokes on purpose (the sign-in probe's 401, a refused or stale save). */
const expectedNoise = (message: string) => /Failed to load resource: the server responded with a status of 40[0139]/.test(message);

/**
 * The funnel cohort, sent through the real ingestion API: 10 checkouts started three days ago, minutes apart
 * between steps. 8 reach contact, 6 shipping, 4 payment, 3 complete; with one-day windows every step is settled.
 */
const FUNNEL = { started: 10, contact: 8, shipping: 6, payment: 4, completed: 3 };

describe('the console in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: { errors: string[] };

  beforeAll(async () => {
    browser = await launchChromium(); // first, so a missing Chromium fails the suite at once with its message
    await ensureConsoleBuilt();
    t = await startTestApp('console', { SWEEP_INTERVAL_S: '3600', ML_MIN_TRAINING_EXAMPLES: '200', ...CHANNELS_CONFIGURED });
    const users = t.app.get(AdminUsers);
    for (const [email, role] of [
      ['admin@shop.example', 'admin'],
      [MARKETER, 'marketer'],
      [ANALYST, 'analyst'],
    ] as const) {
      expect(await users.create({ email, password: PASSWORD, role })).toMatchObject({ ok: true });
    }
    const source = await t.createSource({ name: 'Main store' });
    const steps = ['checkout_started', 'contact_entered', 'shipping_entered', 'payment_entered', 'order_completed'] as const;
    const reached = [FUNNEL.started, FUNNEL.contact, FUNNEL.shipping, FUNNEL.payment, FUNNEL.completed];
    const start = Date.now() - 3 * DAY;
    const events = [];
    for (let i = 0; i < FUNNEL.started; i++) {
      const checkout = `chk-funnel-${i}`;
      for (let s = 0; s < steps.length; s++) {
        if (i >= reached[s]) break;
        events.push(
          apiEvent({
            type: steps[s],
            checkout_id: checkout,
            occurred_at: new Date(start + i * 60_000 + s * 5 * 60_000).toISOString(),
            customer: { anonymous_id: `anon-${i}`, email: `shopper${i}@example.com` },
            cart: { items: [{ sku: 'BOOT-42', name: 'Boots', quantity: 1, unit_price: 120 }], currency: 'EUR' },
            context: { user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120' },
            ...(steps[s] === 'order_completed' ? { order_id: `o-${i}`, revenue: 120 } : {}),
          }),
        );
      }
    }
    expect((await postJson(`${t.url}/v1/events`, { events }, bearer(source.writeKey))).status).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    watched = watchPage(page);
  });

  afterEach(async () => {
    await context?.close();
    // No uncaught error, no CSP violation, no failed request a test did not ask for.
    expect(watched.errors.filter((e) => !expectedNoise(e))).toEqual([]);
  });

  const inStep = (n: number) => page.getByTestId(`step-${n}`);
  const choose = async (scope: Locator | Page, label: RegExp | string, option: RegExp | string) => {
    await scope.getByRole('combobox', { name: label }).click();
    await page.getByRole('option', { name: option }).click();
  };

  it('serves the console at /admin with immutable assets, a no-cache page and a strict CSP, and signs in', async () => {
    const pageResponse = await fetch(`${t.url}/admin/campaigns/create`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(pageResponse.status).toBe(200);
    expect(pageResponse.headers.get('content-type')).toMatch(/text\/html/);
    expect(pageResponse.headers.get('cache-control')).toBe('no-cache');
    const csp = pageResponse.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    const html = await pageResponse.text();
    const asset = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const assetResponse = await fetch(`${t.url}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(assetResponse.status).toBe(200);
    expect(assetResponse.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(assetResponse.headers.get('content-encoding')).toBe('gzip');
    expect((await fetch(`${t.url}/admin/assets/gone-1234.js`)).status).toBe(404);
    const unknownApi = await fetch(`${t.url}/admin/api/nope`);
    expect(unknownApi.status).toBe(404);
    expect(unknownApi.headers.get('content-type')).toMatch(/json/);

    await page.goto(`${t.url}/admin/`);
    await page.waitForURL(/\/admin\/login$/);
    await page.locator('input[name="username"]').fill(MARKETER);
    await page.locator('input[name="password"]').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await poll(() => page.getByText('the email or the password is wrong').count()).toBe(1);
    await signIn(page, t.url, MARKETER, PASSWORD);
    await poll(() => page.getByTestId('tile-scheduled').textContent()).toMatch(/Messages scheduled, next 24 h\d+/);
    await poll(() => page.getByTestId('tile-abandoned').textContent()).toMatch(/Abandoned checkouts today\d+/);
    await screenshot(page, 'dashboard');
  });

  it('creates a campaign with three steps and shows the planner timeline preview', { timeout: 90_000 }, async () => {
    await signIn(page, t.url, MARKETER, PASSWORD);
    await page.goto(`${t.url}/admin/campaigns/create`);
    await page.getByLabel('Name').first().fill('Winter boots');
    // Step 1: email after 1 hour.
    await choose(inStep(0), /email template/, /reminder-email/);
    // Step 2: SMS after 1 day.
    await page.locator('.button-add-steps').click();
    await inStep(1).getByTestId('delayMinutes-amount').fill('1');
    await choose(inStep(1), 'unit', 'days');
    await inStep(1).getByRole('button', { name: 'add a channel' }).click();
    await page.getByRole('menuitem', { name: 'SMS' }).click();
    await inStep(1).getByRole('button', { name: 'move sms earlier' }).click();
    await inStep(1).locator('.MuiChip-root', { hasText: 'email' }).locator('.MuiChip-deleteIcon').click();
    await choose(inStep(1), /SMS template/, /reminder-sms/);
    // Step 3: email after 3 days, offering the third-step rule.
    await page.locator('.button-add-steps').click();
    await inStep(2).getByTestId('delayMinutes-amount').fill('3');
    await choose(inStep(2), 'unit', 'days');
    await choose(inStep(2), /email template/, /offer-email/);
    await choose(inStep(2), /Discount rule/, /Third step: 10%/);

    const rows = page.getByTestId('preview-message');
    await poll(() => rows.count()).toBe(3);
    const texts = await rows.allTextContents();
    expect(texts[0]).toMatch(/Step 1 · email/);
    expect(texts[1]).toMatch(/Step 2 · SMS/);
    expect(texts[2]).toMatch(/Step 3 · email/);
    expect(texts[2]).toMatch(/Third step: 10%/);
    await page.getByTestId('timeline-preview').scrollIntoViewIfNeeded();
    await page.waitForTimeout(400); // the last menu's closing fade
    await screenshot(page, 'campaign-timeline');

    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/campaigns\/[0-9a-f-]{36}$/);
    const { rows: saved } = await t.pool.query(`SELECT status, steps FROM campaigns WHERE name = 'Winter boots'`);
    expect(saved).toHaveLength(1);
    expect(saved[0].status).toBe('paused');
    expect(saved[0].steps).toMatchObject([
      { delayMinutes: 60, channels: ['email'], templates: { email: 'reminder-email' } },
      { delayMinutes: 1440, channels: ['sms'], templates: { sms: 'reminder-sms' } },
      { delayMinutes: 4320, channels: ['email'], templates: { email: 'offer-email' }, discountRuleId: 'default-third-step' },
    ]);
  });

  it('shows an API validation error under its input', async () => {
    await signIn(page, t.url, MARKETER, PASSWORD);
    const { rows } = await t.pool.query(`SELECT id, version FROM campaigns ORDER BY created_at LIMIT 1`);
    await page.goto(`${t.url}/admin/campaigns/${rows[0].id}`);
    await page.getByLabel('Quiet from (HH:MM)').fill('08:00');
    await page.getByLabel('until (HH:MM)').fill('08:00');
    await page.getByRole('button', { name: 'Save' }).click();
    // The 400's errors["quietHours.end"], under the "until" input.
    const helper = page.locator('.MuiFormControl-root', { has: page.getByLabel('until (HH:MM)') }).locator('.MuiFormHelperText-root');
    await poll(() => helper.textContent()).toMatch(/must differ from start/);
    const after = await t.pool.query(`SELECT version FROM campaigns WHERE id = $1`, [rows[0].id]);
    expect(after.rows[0].version).toBe(rows[0].version);
  });

  it('edits a discount rule, tests it, and shows a stale edit as such', { timeout: 60_000 }, async () => {
    await signIn(page, t.url, MARKETER, PASSWORD);
    await page.goto(`${t.url}/admin/discount-rules`);
    await page.getByText('Third step, high-value cart: up to 20%').click();
    await page.waitForURL(/\/admin\/discount-rules\/default-high-value-cart$/);
    await page.getByLabel('Default percent').fill('12');
    await page.getByRole('button', { name: 'Save' }).click();
    await poll(() => page.getByText('Saved (version 2)').count()).toBe(1);
    const { rows } = await t.pool.query(`SELECT version, offer FROM discount_rules WHERE id = 'default-high-value-cart'`);
    expect(rows[0]).toMatchObject({ version: 2, offer: { amount: 12 } });

    // A third-step shopper with a 250 cart: the edited rule applies, 12% of 250.
    await page.getByTestId('tester-cart-value').fill('250');
    await page.getByTestId('rule-tester').getByRole('spinbutton', { name: 'campaign step' }).fill('3');
    await page.getByTestId('run-tester').click();
    const result = page.getByTestId('tester-result');
    await poll(() => result.textContent()).toMatch(/12% off/);
    expect(await result.textContent()).toMatch(/Third step, high-value cart/);
    expect(await result.textContent()).toMatch(/30/);
    await screenshot(page, 'discount-rule-tester');

    // Someone else saves meanwhile: this page's save is refused and says so.
    await t.pool.query(`UPDATE discount_rules SET version = version + 1, name = name || ' (edited elsewhere)' WHERE id = 'default-high-value-cart'`);
    await page.getByLabel('Default percent').fill('13');
    await page.getByRole('button', { name: 'Save' }).click();
    await poll(() => page.getByTestId('stale-edit').textContent()).toMatch(/someone else changed this.*now version 3/);
    const after = await t.pool.query(`SELECT version, offer FROM discount_rules WHERE id = 'default-high-value-cart'`);
    expect(after.rows[0]).toMatchObject({ version: 3, offer: { amount: 12 } });
  });

  it('opens the funnel and shows bars with the seeded numbers; a drop-off bar lists its checkouts', async () => {
    await signIn(page, t.url, MARKETER, PASSWORD);
    await page.goto(`${t.url}/admin/reports/funnel`);
    const table = page.getByTestId('funnel-table').first();
    await poll(() => table.locator('tbody tr').count()).toBe(5);
    const cells = async (row: number) => (await table.locator('tbody tr').nth(row).locator('td').allTextContents()).slice(0, 6);
    // step, entered, converted, skipped, in window, lost
    expect(await cells(0)).toEqual(['started', '10', '10', '0', '0', '0']);
    expect(await cells(1)).toEqual(['contact', '10', '8', '0', '0', '2']);
    expect(await cells(2)).toEqual(['shipping', '8', '6', '0', '0', '2']);
    expect(await cells(3)).toEqual(['payment', '6', '4', '0', '0', '2']);
    expect(await cells(4)).toEqual(['completed', '4', '3', '0', '0', '1']);
    // The bars: one converted bar per step, one lost bar for each step that lost someone.
    const chart = page.getByTestId('funnel-chart');
    await poll(() => chart.locator('.recharts-bar-rectangle path').count()).toBeGreaterThanOrEqual(9);
    expect(await chart.locator('.recharts-label-list').first().textContent()).toContain('10');
    await screenshot(page, 'funnel');

    // Click the red bar of the shipping step: the two checkouts lost there.
    const lostBars = chart.locator('.recharts-bar-rectangle path[fill="#d32f2f"]');
    await poll(() => lostBars.count()).toBe(4);
    await lostBars.nth(1).click();
    const list = page.getByTestId('dropoff-list');
    await poll(() => list.locator('h6').textContent()).toMatch(/Lost before shipping: 2/);
    expect((await list.locator('tbody tr td:first-child').allTextContents()).sort()).toEqual(['chk-funnel-6', 'chk-funnel-7']);
  });

  it("shows a one-click checkout's payment card with its attempts, and none for a checkout without a session", async () => {
    const { rows: [paid] } = await t.pool.query(`SELECT id, source_id FROM checkouts WHERE external_id = 'chk-funnel-0'`);
    const { rows: [card] } = await t.pool.query(
      `INSERT INTO payment_methods (source_id, customer_ref, provider, token, brand, last4, exp_month, exp_year) VALUES ($1, 'anon-0', 'stripe', 'pm_card_visa', 'visa', '4242', 12, 2031) RETURNING id`,
      [paid.source_id],
    );
    await t.pool.query(
      `INSERT INTO checkout_sessions (checkout_id, source_id, public_id, cart, payment_method_id, state, order_id, completed_at) VALUES ($1, $2, 'co_funnel0', $3, $4, 'completed', 'o-0', now())`,
      [paid.id, paid.source_id, { items: [{ sku: 'BOOT-42', quantity: 1, unit_price: 120 }], value: 120, currency: 'EUR' }, card.id],
    );
    // A failover: Stripe unavailable and proven not to have charged, then Adyen took the payment.
    await t.pool.query(
      `INSERT INTO payment_attempts (checkout_id, charge_key, sequence, payment_method_id, provider, idempotency_key, amount, currency, status, failure, provider_reference, started_at, finished_at)
       VALUES ($1, $3, 1, $2, 'stripe', 'console-test:1', 120, 'EUR', 'failed', 'server_error 503: An unknown error occurred; settled: not charged (cancelled pi_console)', 'pi_console', now() - interval '2 seconds', now() - interval '1 second'),
              ($1, $3, 2, $2, 'adyen', 'console-test:2', 120, 'EUR', 'succeeded', NULL, 'ch_console', now() - interval '1 second', now())`,
      [paid.id, card.id, randomUUID()],
    );
    await signIn(page, t.url, ANALYST, PASSWORD);
    await page.goto(`${t.url}/admin/checkouts/${paid.id}/show`);
    const payment = page.getByTestId('payment');
    await poll(() => payment.textContent()).toMatch(/Payment co_funnel0\s*completed/);
    const attempt = payment.getByTestId('payment-attempts').locator('tbody tr');
    await poll(() => attempt.count()).toBe(2);
    expect(await attempt.first().textContent()).toMatch(/stripe.*visa •••• 4242.*120.*failed.*not charged.*pi_console/);
    expect(await attempt.nth(1).textContent()).toMatch(/adyen.*visa •••• 4242.*120.*succeeded.*ch_console/);
    await screenshot(page, 'checkout-payment');

    const { rows: [plain] } = await t.pool.query(`SELECT id FROM checkouts WHERE external_id = 'chk-funnel-1'`);
    await page.goto(`${t.url}/admin/checkouts/${plain.id}/show`);
    await poll(() => page.getByTestId('event-timeline').count()).toBe(1);
    expect(await page.getByTestId('payment').count()).toBe(0);
  });

  it('starts a retrain and follows the progress bar to 100%', { timeout: 180_000 }, async () => {
    // Settled history the nightly job would find (well before the funnel's range).
    const seeded = await seedSettledDecisions(t.pool, { checkouts: 600, end: new Date(Date.now() - 40 * DAY) });
    expect(seeded.decisions).toBeGreaterThan(200);
    await signIn(page, t.url, MARKETER, PASSWORD);
    await page.goto(`${t.url}/admin/reports/model`);
    await page.getByRole('button', { name: 'Retrain now' }).click();
    const bar = page.getByRole('progressbar', { name: 'training progress' });
    const seen = new Set<number>();
    const deadline = Date.now() + 150_000;
    for (;;) {
      const value = Number(await bar.getAttribute('aria-valuenow'));
      seen.add(value);
      if (value === 100 || Date.now() > deadline) break;
      await page.waitForTimeout(100);
    }
    expect(Math.max(...seen)).toBe(100);
    await poll(() => page.getByTestId('run-status').textContent()).toBe('succeeded');
    expect(await page.getByTestId('run-verdict').textContent()).toMatch(/promoted/i);
    // The new version is listed with its metrics.
    await poll(() => page.getByTestId('versions').locator('tbody tr').count()).toBe(1);
    expect(await page.getByTestId('versions').locator('tbody tr').first().textContent()).toMatch(/v1/);
    await screenshot(page, 'model');
    const { rows } = await t.pool.query(`SELECT status, progress FROM training_runs ORDER BY created_at DESC LIMIT 1`);
    expect(rows[0]).toEqual({ status: 'succeeded', progress: 100 });
  });

  it('lets an analyst read a campaign but not save it: no save button, and the server refuses', async () => {
    await signIn(page, t.url, ANALYST, PASSWORD);
    const { rows } = await t.pool.query(`SELECT id, name, version FROM campaigns WHERE name = 'Winter boots'`);
    await page.goto(`${t.url}/admin/campaigns/${rows[0].id}`);
    await poll(() => page.getByLabel('Name').first().inputValue()).toBe('Winter boots');
    await poll(() => page.getByTestId('preview-message').count()).toBe(3);
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Activate|Pause/ }).count()).toBe(0);
    await screenshot(page, 'analyst-campaign');
    // The UI is a courtesy; the server is the guard. The analyst's own session tries the save anyway.
    const refused = await page.evaluate(async (id) => {
      const current = await (await fetch(`/admin/api/campaigns/${id}`)).json();
      const response = await fetch(`/admin/api/campaigns/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...current, name: 'Hacked' }) });
      return { status: response.status, body: await response.json() };
    }, rows[0].id as string);
    expect(refused).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    const after = await t.pool.query(`SELECT name, version FROM campaigns WHERE id = $1`, [rows[0].id]);
    expect(after.rows[0]).toEqual({ name: 'Winter boots', version: rows[0].version });
  });
});

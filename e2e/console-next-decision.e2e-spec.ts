import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdminUsers } from '../server/admin/auth/admin-users.service';
import { AbandonCheckout } from '../server/recovery/abandonment/abandon-checkout';
import { launchChromium } from './support/browser';
import { ensureConsoleBuilt, signIn, watchPage } from './support/console';
import { daytimeZone } from './support/daytime-zone';
import { startTestApp, TestApp } from './support/test-app';

/** Email and SMS configured (pointing nowhere: nothing here sends), so the planner and its preview may use them. */
const CHANNELS_CONFIGURED = { SMTP_URL: 'smtp://127.0.0.1:9', TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: '0'.repeat(32), TWILIO_FROM: '+15005550006', TWILIO_API_BASE: 'http://127.0.0.1:9' };

const PASSWORD = 'correct horse battery';
const ANALYST = 'analyst@next.example';
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });
const expectedNoise = (message: string) => /Failed to load resource: the server responded with a status of 401/.test(message);

/**
 * A checkout's page, reached from the Checkouts list: "what the model would do now" for an enrollment still
 * running (its next step and every candidate, with no promoted model the rules' choice), and, for an enrollment
 * the policy ended, why it chose to send nothing more.
 */
describe('the checkout page: the next decision and a policy stop', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: { errors: string[] };

  beforeAll(async () => {
    browser = await launchChromium();
    await ensureConsoleBuilt();
    // Every other decision explores "send nothing more" (the most allowed), so both kinds of enrollment exist.
    t = await startTestApp('console_next_decision', { ROLE: 'api', ML_STOP_EXPLORATION_RATE: '0.2', ...CHANNELS_CONFIGURED });
    expect(await t.app.get(AdminUsers).create({ email: ANALYST, password: PASSWORD, role: 'analyst' })).toMatchObject({ ok: true });
    const { id: sourceId } = await t.createSource({ name: 'Next store' });
    await t.pool.query(`INSERT INTO campaigns (name, priority, trigger_idle_minutes, steps) VALUES ('Next decision', 1, 1, $1)`, [
      JSON.stringify([
        { delayMinutes: 600, channels: ['email'], templates: { email: 'reminder-email' } },
        { delayMinutes: 1440, channels: ['email'], templates: { email: 'reminder-email' } },
      ]),
    ]);
    const idleSince = new Date(Date.now() - 5 * 60_000);
    // Fixed checkout ids: the decisions' draws are seeded by checkout and step, so which ones stop is the same every run.
    for (let i = 0; i < 12; i++) {
      const customer = randomUUID();
      const checkout = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      await t.pool.query(`INSERT INTO customers (id, email, timezone, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)`, [customer, `next-${i}@example.com`, daytimeZone(), idleSince]);
      await t.pool.query(
        `INSERT INTO checkouts (id, external_id, source_id, customer_id, status, stage, email, cart, cart_value, currency, item_count, first_activity_at, last_activity_at)
         VALUES ($1, $2, $3, $4, 'active', 'payment', $5, '{}', 90, 'EUR', 1, $6, $6)`,
        [checkout, `next-${i}`, sourceId, customer, `next-${i}@example.com`, idleSince],
      );
      expect(await t.app.get(AbandonCheckout).run(checkout)).toBe('enrolled');
    }
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    watched = watchPage(page);
  });
  afterEach(async () => {
    await context?.close();
    expect(watched.errors.filter((e) => !expectedNoise(e))).toEqual([]);
  });

  const externalIdOf = async (exitReason: string | null) =>
    (
      await t.pool.query<{ external_id: string }>(
        `SELECT c.external_id FROM enrollments e JOIN checkouts c ON c.id = e.checkout_id WHERE e.exit_reason IS NOT DISTINCT FROM $1 ORDER BY c.external_id LIMIT 1`,
        [exitReason],
      )
    ).rows[0]?.external_id;

  const openFromList = async (externalId: string) => {
    await page.getByRole('menuitem', { name: 'Checkouts' }).click();
    await page.getByRole('cell', { name: externalId, exact: true }).click();
    await page.waitForURL(/\/admin\/checkouts\/[0-9a-f-]+\/show$/);
  };

  it('asks what the model would do now for a running enrollment: its next step and every candidate', async () => {
    const running = await externalIdOf(null);
    expect(running).toBeTruthy();
    await signIn(page, t.url, ANALYST, PASSWORD);
    await openFromList(running!);
    const card = page.getByTestId('next-decision');
    await card.getByRole('button', { name: 'Ask' }).click();
    // The next message is step 1's planned email (due 10 h after abandonment, out of quiet hours): email or nothing
    // more, the rules taking email.
    await poll(() => card.getByTestId('next-decision-action').textContent()).toMatch(/^Step 1, due .*: email, no discount · no promoted model: the rules$/);
    const rows = await card.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    expect(rows.some((r) => /^email, no discount.*the rules’ choice$/.test(r))).toBe(true);
    expect(rows.some((r) => r.startsWith('send nothing more'))).toBe(true);
  });

  it('shows why the policy sent nothing more on an enrollment it ended', async () => {
    const stopped = await externalIdOf('policy_stop');
    expect(stopped).toBeTruthy();
    await signIn(page, t.url, ANALYST, PASSWORD);
    await openFromList(stopped!);
    await poll(() => page.getByTestId('stop-decision').textContent()).toMatch(/^The policy chose to send nothing more \(exploration, probability 0\.20\): exploring: send nothing more instead of the rules' email, no discount/);
    expect(await page.getByTestId('next-decision').count()).toBe(0);
  });
});

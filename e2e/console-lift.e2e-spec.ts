import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdminUsers } from '../server/admin/auth/admin-users.service';
import { launchChromium } from './support/browser';
import { ensureConsoleBuilt, screenshot, signIn, watchPage } from './support/console';
import { startTestApp, TestApp } from './support/test-app';

const PASSWORD = 'correct horse battery';
const ADMIN = 'admin@lift.example';
const MARKETER = 'marketer@lift.example';
const ANALYST = 'analyst@lift.example';
const DAY = 86_400_000;
const HOUR = 3_600_000;

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

/** The refused saves this suite provokes on purpose (and the sign-in probe's 401). */
const expectedNoise = (message: string) => /Failed to load resource: the server responded with a status of 40[01]/.test(message);

/**
 * Decided outcomes, written to the engine's own tables as the engine leaves them: abandoned checkouts of the
 * default campaign 6–13 days ago (its 120 h window has closed), enrolled with a 30 % chance of control, ended, some
 * bought within the window. The treated ones got a push at step 1 in variant A or B; the control ones' push was
 * withheld. A few abandoned yesterday are still inside their window. The settler (run before each Lift read)
 * computes the outcomes and the rollups from these rows; nothing here writes a rollup. Enough conversions in
 * each group (the report gives no interval before 10) for the band to narrow over several days.
 */
const SEED = {
  control: { decided: 200, converted: 24, open: 2 },
  treatment: { decided: 400, open: 5 },
  // Treated, by variant: B converts better.
  variants: { 'Variant A': { decided: 200, converted: 40 }, 'Variant B': { decided: 200, converted: 60 } },
};

async function seedOutcomes(pool: Pool, campaignId: string, sourceId: string): Promise<void> {
  type Unit = { arm: 'control' | 'treatment'; variant: string | null; converted: boolean; abandonedAt: Date; open: boolean };
  const units: Unit[] = [];
  const now = Date.now();
  // Spread over eight abandonment days, the conversions evenly among them.
  const decidedAt = (k: number) => new Date(now - (6 + (k % 8)) * DAY - k * 60_000);
  const group = (arm: Unit['arm'], variant: string | null, n: number, converted: number) => {
    for (let i = 0; i < n; i++) units.push({ arm, variant, converted: (i * converted) % n < converted, abandonedAt: decidedAt(units.length), open: false });
  };
  group('control', null, SEED.control.decided, SEED.control.converted);
  for (const [name, v] of Object.entries(SEED.variants)) group('treatment', name, v.decided, v.converted);
  for (let i = 0; i < SEED.control.open; i++) units.push({ arm: 'control', variant: null, converted: false, abandonedAt: new Date(now - DAY - i * 60_000), open: true });
  for (let i = 0; i < SEED.treatment.open; i++) units.push({ arm: 'treatment', variant: null, converted: false, abandonedAt: new Date(now - DAY - i * 60_000), open: true });
  const rows = units.map((u, i) => ({
    n: i,
    arm: u.arm,
    variant: u.variant,
    converted: u.converted,
    abandoned_at: u.abandonedAt.toISOString(),
    message_at: new Date(u.abandonedAt.getTime() + HOUR).toISOString(),
    ordered_at: new Date(u.abandonedAt.getTime() + 10 * HOUR).toISOString(),
    open: u.open,
  }));
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `CREATE TEMP TABLE seed ON COMMIT DROP AS
         SELECT x.*, gen_random_uuid() AS checkout, gen_random_uuid() AS enrollment
           FROM json_to_recordset($1) AS x(n int, arm text, variant text, converted boolean, abandoned_at timestamptz, message_at timestamptz, ordered_at timestamptz, open boolean)`,
      [JSON.stringify(rows)],
    );
    await client.query(
      `INSERT INTO checkouts (id, external_id, source_id, status, stage, email, cart_value, currency, item_count, first_activity_at, last_activity_at, abandoned_at)
       SELECT checkout, 'lift-' || n, $1, CASE WHEN converted THEN 'recovered' ELSE 'abandoned' END, 'payment', 'lift-' || n || '@example.com', 80, 'EUR', 1,
              abandoned_at - interval '30 minutes', abandoned_at - interval '30 minutes', abandoned_at
         FROM seed`,
      [sourceId],
    );
    await client.query(
      `INSERT INTO enrollments (id, checkout_id, campaign_id, status, exit_reason, abandoned_at, ended_at, arm, control_probability)
       SELECT enrollment, checkout, $1, CASE WHEN converted THEN 'exited' ELSE 'completed' END, CASE WHEN converted THEN 'ordered' END,
              abandoned_at, CASE WHEN converted THEN ordered_at ELSE message_at END, arm, 0.3
         FROM seed`,
      [campaignId],
    );
    // Step 1's push: sent to the treated (in their variant, drawn with probability ½), withheld from the control group.
    await client.query(
      `INSERT INTO messages (key, enrollment_id, checkout_id, campaign_id, step_index, channel, status, arm, variant, scheduled_for, sent_at, withheld_at, decision)
       SELECT enrollment || '.0.push', enrollment, checkout, $1, 0, 'push', CASE arm WHEN 'control' THEN 'withheld' ELSE 'sent' END, arm, variant,
              message_at, CASE WHEN arm = 'treatment' THEN message_at END, CASE WHEN arm = 'control' THEN message_at END,
              CASE WHEN variant IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('variant', jsonb_build_object('name', variant, 'probability', 0.5)) END
         FROM seed WHERE NOT open`,
      [campaignId],
    );
    await client.query(`INSERT INTO orders (order_id, checkout_id, revenue, currency, occurred_at) SELECT 'lift-order-' || n, checkout, 80, 'EUR', ordered_at FROM seed WHERE converted`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

describe('the Lift report and A/B tests in the console', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: { errors: string[] };
  let campaignId: string;

  beforeAll(async () => {
    browser = await launchChromium();
    await ensureConsoleBuilt();
    t = await startTestApp('console_lift', { SWEEP_INTERVAL_S: '3600' });
    const users = t.app.get(AdminUsers);
    for (const [email, role] of [
      [ADMIN, 'admin'],
      [MARKETER, 'marketer'],
      [ANALYST, 'analyst'],
    ] as const) {
      expect(await users.create({ email, password: PASSWORD, role })).toMatchObject({ ok: true });
    }
    const source = await t.createSource({ name: 'Lift store' });
    campaignId = (await t.pool.query(`SELECT id FROM campaigns WHERE name = 'Abandoned checkout'`)).rows[0].id;
    await seedOutcomes(t.pool, campaignId, source.id);
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
    expect(watched.errors.filter((e) => !expectedNoise(e))).toEqual([]);
  });

  const menu = (name: string) => page.getByRole('menuitem', { name }).click();
  const choose = async (scope: Locator | Page, label: RegExp | string, option: RegExp | string) => {
    await scope.getByRole('combobox', { name: label }).click();
    await page.getByRole('option', { name: option }).click();
  };
  const variantRow = (step: number, index: number) => page.getByTestId(`variant-${step}-${index}`);
  const openCampaignFromList = async () => {
    await menu('Campaigns');
    await page.getByRole('cell', { name: 'Abandoned checkout' }).click();
    await page.waitForURL(new RegExp(`/admin/campaigns/${campaignId}$`));
    await poll(() => page.getByLabel('Name').first().inputValue()).toBe('Abandoned checkout');
  };

  it('sets a holdout and an A/B test on step 1: the weights are summed inline, a wrong sum is refused, 50/50 is kept', { timeout: 90_000 }, async () => {
    await signIn(page, t.url, MARKETER, PASSWORD);
    await openCampaignFromList();
    await page.getByLabel('Holdout (%)').fill('30');

    const step = page.getByTestId('step-0');
    await step.getByRole('button', { name: 'Add variant' }).click();
    await step.getByRole('button', { name: 'Add variant' }).click();
    await poll(() => variantRow(0, 1).getByLabel('Variant name').inputValue()).toBe('Variant B');
    await choose(variantRow(0, 1), /push template/, /offer-push/);
    const sum = page.getByTestId('variant-weights-0');
    await poll(() => sum.textContent()).toMatch(/^weights: 100 \/ 100$/);
    // 50 + 40: flagged at once, in the error colour.
    await variantRow(0, 1).getByLabel('Weight (%)').fill('40');
    await poll(() => sum.textContent()).toMatch(/weights: 90 \/ 100/);
    expect(await sum.getAttribute('data-ok')).toBe('false');
    expect(await sum.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(211, 47, 47)');
    // The planner's preview still works with the test in the draft.
    await poll(() => page.getByTestId('preview-message').count()).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Save' }).click();
    // The API's 400 errors["steps.0.variants"], under the list.
    const abTest = page.getByTestId('ab-test-0');
    await poll(() => abTest.locator('.MuiFormHelperText-root.Mui-error').first().textContent()).toMatch(/weights must sum to 100 \(they sum to 90\)/);
    const refused = await t.pool.query(`SELECT version, holdout_percent, steps FROM campaigns WHERE id = $1`, [campaignId]);
    expect(refused.rows[0]).toMatchObject({ version: 1, holdout_percent: 0 });
    expect(refused.rows[0].steps[0].variants ?? null).toBeNull();

    await variantRow(0, 1).getByLabel('Weight (%)').fill('50');
    await poll(() => sum.textContent()).toMatch(/^weights: 100 \/ 100$/);
    expect(await sum.getAttribute('data-ok')).toBe('true');
    await page.getByRole('button', { name: 'Save' }).click();
    await poll(() => page.getByText('Saved (version 2)').count()).toBe(1);

    // Reopened from the list, as a person would: the values are kept.
    await openCampaignFromList();
    await poll(() => page.getByLabel('Holdout (%)').inputValue()).toBe('30');
    expect(await variantRow(0, 0).getByLabel('Variant name').inputValue()).toBe('Variant A');
    expect(await variantRow(0, 0).getByLabel('Weight (%)').inputValue()).toBe('50');
    expect(await variantRow(0, 1).getByLabel('Variant name').inputValue()).toBe('Variant B');
    expect(await variantRow(0, 1).getByLabel('Weight (%)').inputValue()).toBe('50');
    await poll(() => variantRow(0, 1).getByRole('combobox', { name: /push template/ }).textContent()).toMatch(/offer-push/);
    await poll(() => page.getByTestId('variant-weights-0').textContent()).toMatch(/^weights: 100 \/ 100$/);
    expect(await page.getByTestId('step-1').getByTestId('variant-weights-1').count()).toBe(0);

    // And through the API, in the marketer's own session.
    const stored = await page.evaluate(async (id) => (await fetch(`/admin/api/campaigns/${id}`)).json(), campaignId);
    expect(stored.holdoutPercent).toBe(30);
    expect(stored.version).toBe(2);
    expect(stored.steps[0].variants).toEqual([
      { name: 'Variant A', weight: 50 },
      { name: 'Variant B', weight: 50, templates: { push: 'offer-push' } },
    ]);
    expect(stored.steps[1].variants ?? null).toBeNull();
  });

  it('shows control against treatment, the verdict, the narrowing band and the variants', { timeout: 60_000 }, async () => {
    await signIn(page, t.url, MARKETER, PASSWORD);
    await menu('Lift');
    await page.waitForURL(/\/admin\/reports\/lift$/);
    const control = page.getByTestId('lift-card-control');
    const treatment = page.getByTestId('lift-card-treatment');
    await poll(() => control.getByTestId('lift-control-decided').textContent()).toBe(String(SEED.control.decided));
    expect(await control.getByTestId('lift-control-open').textContent()).toBe(`+ ${SEED.control.open} still open`);
    expect(await control.getByTestId('lift-control-conversion').textContent()).toBe('12.0% (24)');
    expect(await control.getByTestId('lift-control-sent').textContent()).toBe('0');
    expect(await treatment.getByTestId('lift-treatment-decided').textContent()).toBe(String(SEED.treatment.decided));
    expect(await treatment.getByTestId('lift-treatment-open').textContent()).toBe(`+ ${SEED.treatment.open} still open`);
    expect(await treatment.getByTestId('lift-treatment-conversion').textContent()).toBe('25.0% (100)');
    expect(await treatment.getByTestId('lift-treatment-sent').textContent()).toBe('400');

    expect((await page.getByTestId('lift-verdict').textContent())?.trim().length).toBeGreaterThan(10);
    const estimate = await page.getByTestId('lift-estimate').textContent();
    expect(estimate).toMatch(/Conversion lift\+13\.0 pp[+−]\d+\.\d to \+\d+\.\d pp\+\d+\.\d to \+\d+\.\d pp/);
    expect(estimate).toMatch(/95 %, valid however often you look/);
    expect(estimate).toMatch(/fixed-horizon, valid only if you look once/);
    // The band: a filled area path with a shape, the estimate's line, the dashed zero line.
    const band = page.getByTestId('lift-band');
    await poll(() => band.locator('path.recharts-area-area').count()).toBe(1);
    expect((await band.locator('path.recharts-area-area').getAttribute('d'))?.length).toBeGreaterThan(20);
    expect(await band.locator('.recharts-line path.recharts-line-curve').count()).toBe(1);
    expect(await band.locator('.recharts-reference-line line').getAttribute('stroke-dasharray')).toBe('5 5');
    // What it draws narrows as outcomes come in: the first day with an interval against the last.
    const { series } = await page.evaluate(async () => (await fetch('/admin/api/reports/lift')).json());
    const widths = (series as Array<{ low: number | null; high: number | null }>).filter((p) => p.low !== null && p.high !== null).map((p) => p.high! - p.low!);
    expect(widths.length).toBeGreaterThan(3);
    expect(widths.at(-1)!).toBeLessThan(widths[0]);

    // One campaign: its own holdout share beside the store-wide one; the variants of its step 1.
    await choose(page, 'campaign', 'Abandoned checkout');
    await poll(() => page.getByTestId('holdout-campaign').textContent()).toBe('This campaign: 30 %');
    expect(await page.getByTestId('holdout-period').textContent()).toMatch(/^Period 1, since /);
    const variants = page.getByTestId('lift-variants');
    await poll(() => variants.getByTestId('lift-variant-0-Variant A').count()).toBe(1);
    const a = await variants.getByTestId('lift-variant-0-Variant A').locator('td').allTextContents();
    const b = await variants.getByTestId('lift-variant-0-Variant B').locator('td').allTextContents();
    expect(a.slice(0, 5)).toEqual(['Variant Abaseline', '50 %', '200', '20.0%', expect.any(String)]);
    expect(b.slice(0, 5)).toEqual(['Variant B', '50 %', '200', '30.0%', expect.any(String)]);
    expect(b[5]).toMatch(/^\+10\.0 pp[+−]\d+\.\d to \+\d+\.\d pp/);
    // A marketer may promote either, the baseline too, and start a new period.
    expect(await variants.getByRole('button', { name: 'Promote winner' }).count()).toBe(2);
    expect(await page.getByRole('button', { name: 'Start a new experiment period' }).count()).toBe(1);
    // Tall enough for the cards, the intervals and the band in one picture (the README's).
    const viewport = page.viewportSize();
    await page.setViewportSize({ width: 1440, height: 1500 });
    await page.getByTestId('lift-verdict').scrollIntoViewIfNeeded();
    await screenshot(page, 'lift');
    if (viewport) await page.setViewportSize(viewport);
  });

  it('headlines the dashboard with the incremental revenue, and puts it beside the attributed in the Recovery report', async () => {
    await signIn(page, t.url, ANALYST, PASSWORD);
    // (20.00 − 9.60) per treated abandonment × 400 treated: 4,160 caused by the reminders.
    const headline = page.getByTestId('tile-incremental');
    await poll(() => headline.textContent()).toMatch(/€4,160\.00/);
    expect(await headline.textContent()).toMatch(/400 reminded and 200 held-out abandonments decided/);
    await menu('Recovery');
    const incremental = page.getByTestId('recovery-incremental');
    await poll(() => incremental.textContent()).toMatch(/Incremental revenue \(holdout\)€4,160\.00/);
    expect(await incremental.textContent()).toMatch(/95 %: .* · 400 reminded vs 200 held out, decided/);
  });

  it('lets an analyst read the report and its CSV, without the promote and new-period buttons', async () => {
    await signIn(page, t.url, ANALYST, PASSWORD);
    await menu('Lift');
    await poll(() => page.getByTestId('lift-control-decided').textContent()).toBe(String(SEED.control.decided));
    await poll(() => page.getByTestId('lift-variants').locator('tbody tr').count()).toBe(3);
    expect(await page.getByRole('button', { name: 'Promote winner' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Start a new experiment period' }).count()).toBe(0);
    expect(await page.getByTestId('holdout-global-input').count()).toBe(0);
    expect(await page.getByTestId('holdout-global').textContent()).toBe('Store-wide: 0 %');
    // The CSV: the series as the chart draws it, one row per day of the range.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV' }).click()]);
    const { readFile } = await import('node:fs/promises');
    const csv = (await readFile((await download.path())!, 'utf8')).trim().split(/\r?\n/);
    expect(csv[0]).toBe('day,controlDecided,treatmentDecided,absoluteLift,low,high,lowFixed,highFixed');
    expect(csv).toHaveLength(31);
    expect(csv.at(-1)).toMatch(new RegExp(`,${SEED.control.decided},${SEED.treatment.decided},0\\.13,`));
  });

  it("promotes a winner and starts a new period (marketer), and changes the store-wide holdout (admin)", { timeout: 60_000 }, async () => {
    await signIn(page, t.url, MARKETER, PASSWORD);
    await menu('Lift');
    await choose(page, 'campaign', 'Abandoned checkout');
    const b = page.getByTestId('lift-variant-0-Variant B');
    await b.getByRole('button', { name: 'Promote winner' }).click();
    const dialog = page.getByRole('dialog');
    await poll(() => dialog.textContent()).toMatch(/Promote "Variant B" in step 1\?.*the A\/B test ends/);
    await dialog.getByRole('button', { name: 'Promote' }).click();
    await poll(() => page.getByText('"Variant B" promoted (campaign version 3)').count()).toBe(1);
    const { rows } = await t.pool.query(`SELECT version, steps FROM campaigns WHERE id = $1`, [campaignId]);
    expect(rows[0].version).toBe(3);
    expect(rows[0].steps[0]).toMatchObject({ channels: ['push', 'email', 'sms'], templates: { push: 'offer-push' }, variants: null });
    // The test's results stay readable; nothing is left to promote.
    await poll(() => b.textContent()).toMatch(/no longer in the campaign/);
    expect(await page.getByRole('button', { name: 'Promote winner' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Start a new experiment period' }).click();
    await poll(() => dialog.textContent()).toMatch(/reshuffled from now on/);
    await dialog.getByRole('button', { name: 'Start new period' }).click();
    await poll(() => page.getByTestId('holdout-period').textContent()).toMatch(/^Period 2, since /);
    const settings = await t.pool.query(`SELECT value FROM settings WHERE key = 'experiments'`);
    expect(settings.rows[0].value.period).toBe(2);
    expect(watched.errors.filter((e) => !expectedNoise(e))).toEqual([]);
    await context.close();

    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    watched = watchPage(page);
    await signIn(page, t.url, ADMIN, PASSWORD);
    await menu('Lift');
    const input = page.getByTestId('holdout-global-input');
    await poll(() => input.inputValue()).toBe('0');
    await input.fill('60');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await poll(() => page.getByTestId('lift-holdout').locator('.MuiFormHelperText-root.Mui-error').textContent()).toMatch(/must be at most 50/);
    await input.fill('5');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await poll(() => page.getByText('Store-wide holdout: 5 %').count()).toBe(1);
    await poll(() => input.inputValue()).toBe('5');
    expect((await t.pool.query(`SELECT value FROM settings WHERE key = 'experiments'`)).rows[0].value.globalHoldoutPercent).toBe(5);
  });
});

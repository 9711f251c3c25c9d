import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN, PREVIOUS_DEFAULT_CAMPAIGNS } from '../campaigns/default-campaign';
import { SeedDefaults } from '../server/recovery/seed/seed-defaults';
import { ADMIN_PASSWORD, adminClient, signInEveryRole, type AdminClient } from './support/admin-client';
import { launchChromium } from './support/browser';
import { ensureConsoleBuilt, screenshot, signIn, watchPage } from './support/console';
import { daytimeZone } from './support/daytime-zone';
import { eventually } from './support/eventually';
import { seedRecovery } from './support/seed-recovery';
import { checkoutJourney, type RecoveryRig, startRecoveryRig } from './support/recovery-rig';
import { postJson, startTestApp, type TestApp } from './support/test-app';

/**
 * Channels whose configuration is missing are never planned, and the first reminder comes within the hour.
 * Campaign time runs at 1/1000 (30 min idle → 1.8 s, 1 h → 3.6 s, 24 h → 86.4 s); quiet hours stay real, so the
 * shoppers live where it is daytime now.
 */
const SCALE = 0.001;
const HOUR_MS = 3_600_000 * SCALE;
const zone = daytimeZone();

/** The enrollment of a checkout and every message planned for it, whatever became of them. */
async function enrollmentOf(t: TestApp, checkout: string) {
  const { rows } = await t.pool.query<{ status: string; exit_reason: string | null; abandoned_at: Date }>(
    `SELECT e.status, e.exit_reason, e.abandoned_at FROM enrollments e JOIN checkouts c ON c.id = e.checkout_id WHERE c.external_id = $1`,
    [checkout],
  );
  const { rows: messages } = await t.pool.query<{ step_index: number; channel: string; status: string; error: string | null; scheduled_for: Date; sent_at: Date | null }>(
    `SELECT m.step_index, m.channel, m.status, m.error, m.scheduled_for, m.sent_at FROM messages m JOIN checkouts c ON c.id = m.checkout_id
      WHERE c.external_id = $1 ORDER BY m.step_index, m.created_at`,
    [checkout],
  );
  return { enrollment: rows[0], messages };
}

describe('without SMTP or Twilio', () => {
  let t: TestApp;
  let key: string;
  let as: Record<'admin' | 'marketer' | 'analyst' | 'nobody', AdminClient>;
  const send = (events: unknown[]) => postJson(`${t.url}/v1/events`, { events }, { authorization: `Bearer ${key}` });

  beforeAll(async () => {
    // The server reads the console's index.html when it starts: build first.
    await ensureConsoleBuilt();
    t = await startTestApp('disabled_channels', { CAMPAIGN_TIME_SCALE: String(SCALE), SWEEP_INTERVAL_S: '1' });
    ({ writeKey: key } = await t.createSource({ name: 'No mail store' }));
    as = await signInEveryRole(t);
  });
  afterAll(async () => {
    await t?.close();
  }, 60_000);

  it('GET /admin/api/channels says which channels are disabled and why, to every signed-in role', async () => {
    const answer = await as.analyst.get('/channels');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      { channel: 'email', enabled: false, reason: 'SMTP_URL is not set', detail: expect.stringContaining('SMTP_URL') },
      { channel: 'push', enabled: true, reason: null, detail: expect.stringContaining('VAPID') },
      { channel: 'sms', enabled: false, reason: 'TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM are not set', detail: expect.any(String) },
    ]);
    expect((await as.nobody.get('/channels')).status).toBe(401);
  });

  it('an email-only shopper gets no email planned: the enrollment ends with nothing on a disabled channel', { timeout: 30_000 }, async () => {
    expect((await send(checkoutJourney({ tag: 'mail-only', timezone: zone, email: 'ann@example.com' }))).status).toBe(200);
    const { enrollment, messages } = await eventually(
      () => enrollmentOf(t, 'co-mail-only'),
      (e) => e.enrollment?.status === 'exited',
      15_000,
    );
    expect(enrollment.exit_reason).toBe('no_reachable_channel');
    expect(messages).toEqual([]);
  });

  it('nor an SMS for a shopper who opted in to SMS, and nothing anywhere failed channel_disabled', { timeout: 30_000 }, async () => {
    expect((await send(checkoutJourney({ tag: 'mail-and-sms', timezone: zone, email: 'bea@example.com', phone: '+14155552671', smsConsent: true }))).status).toBe(200);
    const { enrollment, messages } = await eventually(
      () => enrollmentOf(t, 'co-mail-and-sms'),
      (e) => e.enrollment?.status === 'exited',
      15_000,
    );
    expect(enrollment.exit_reason).toBe('no_reachable_channel');
    expect(messages).toEqual([]);
    const { rows } = await t.pool.query(`SELECT count(*)::int AS n FROM messages WHERE channel IN ('email', 'sms') OR error LIKE 'channel_disabled%'`);
    expect(rows[0].n).toBe(0);
  });

  it("the campaign preview plans as the engine does: around the disabled channels, saying so", async () => {
    const preview = await as.marketer.post('/campaigns/preview', {
      campaign: DEFAULT_CAMPAIGN,
      abandonedAt: '2026-11-26T09:00:00Z',
      timezone: 'Europe/Paris',
      channels: ['email', 'push', 'sms'],
    });
    expect(preview.status).toBe(200);
    expect(preview.body.messages.map((m: { stepIndex: number; channel: string }) => [m.stepIndex, m.channel])).toEqual([[0, 'push']]);
    expect(preview.body.end.reason).toBe('no_reachable_channel');
  });

  it('the console shows which channels are disabled and why (dashboard, campaign steps, timeline preview), and discount-rule steps 1-based', { timeout: 120_000 }, async () => {
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
      const watched = watchPage(page);
      const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });
      await signIn(page, t.url, 'marketer@shop.example', ADMIN_PASSWORD);
      const panel = page.getByTestId('channel-status');
      await poll(() => panel.textContent()).toMatch(/Email and SMS are disabled/);
      expect(await page.getByTestId('channel-reason-email').textContent()).toMatch(/SMTP_URL is not set/);
      expect(await page.getByTestId('channel-reason-sms').textContent()).toMatch(/TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM are not set/);
      expect(await page.getByTestId('channel-push').getAttribute('data-enabled')).toBe('true');

      const { rows } = await t.pool.query<{ id: string }>('SELECT id FROM campaigns ORDER BY priority LIMIT 1');
      await page.goto(`${t.url}/admin/campaigns/${rows[0].id}`);
      await poll(() => page.getByTestId('channel-status').textContent()).toMatch(/Email: SMTP_URL is not set/);
      // Step 1 lists push, email, SMS: email and SMS struck through; step 2 (email only) cannot send at all.
      await poll(() => page.getByTestId('step-0').locator('[data-disabled-channel]').count()).toBe(2);
      expect(await page.getByTestId('step-0-cannot-send').count()).toBe(0);
      expect(await page.getByTestId('step-1-cannot-send').textContent()).toMatch(/Step 2 cannot send: email: SMTP_URL is not set/);
      // The preview plans as the engine does: the push, then nothing (every later channel is disabled here).
      await poll(() => page.getByTestId('preview-message').count()).toBe(1);
      expect(await page.getByTestId('preview-message').first().textContent()).toMatch(/Step 1 · push/);
      expect(await page.getByTestId('preview-disabled-channels').textContent()).toMatch(/Email cannot send \(SMTP_URL is not set\)/);
      expect(await page.getByTestId('preview-end').textContent()).toMatch(/no reachable channel/);
      await screenshot(page, 'campaign-disabled-channels');

      // Discount rules: the seeded rules are for the third step (stored 0-based as 2); the list says step 3, as the editor does.
      await page.goto(`${t.url}/admin/discount-rules`);
      const ruleRows = page.locator('tbody tr');
      await poll(() => ruleRows.count()).toBeGreaterThan(0);
      const listed = (await ruleRows.allTextContents()).join('\n');
      expect(listed).toMatch(/steps: 3/);
      expect(listed).not.toMatch(/steps: 2/);
      await ruleRows.filter({ hasText: 'steps: 3' }).first().click();
      await poll(() => page.locator('.MuiChip-label', { hasText: /^step 3$/ }).count()).toBeGreaterThan(0);
      expect(watched.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('moves a campaign still exactly as the old seed left it to the new seed, and leaves an edited one alone', async () => {
    const [old] = PREVIOUS_DEFAULT_CAMPAIGNS;
    const { rows } = await t.pool.query<{ id: string }>('SELECT id FROM campaigns');
    expect(rows).toHaveLength(1);
    const seeded = rows[0].id;
    // A store from before: the seed's push-only first step, never edited (the test app set the holdout to 0: put it back).
    await t.pool.query(`UPDATE campaigns SET steps = $2, holdout_percent = $3, version = 1 WHERE id = $1`, [seeded, JSON.stringify(old.steps), old.holdoutPercent]);
    const { rows: edited } = await t.pool.query<{ id: string }>(
      `INSERT INTO campaigns (name, status, priority, trigger_idle_minutes, eligibility, steps, quiet_hours, frequency_cap, expiry_hours, attribution_window_hours, holdout_percent, version)
       SELECT name, 'paused', 200, trigger_idle_minutes, eligibility, steps, quiet_hours, frequency_cap, expiry_hours, attribution_window_hours, holdout_percent, 2 FROM campaigns WHERE id = $1
       RETURNING id`,
      [seeded],
    );
    await new SeedDefaults(t.pool).onApplicationBootstrap();
    const { rows: after } = await t.pool.query<{ id: string; steps: unknown; version: number }>('SELECT id, steps, version FROM campaigns ORDER BY priority');
    expect(after).toEqual([
      { id: seeded, steps: DEFAULT_CAMPAIGN.steps, version: 2 },
      { id: edited[0].id, steps: old.steps, version: 2 },
    ]);
    const { rows: audit } = await t.pool.query(`SELECT actor, action, resource, resource_id FROM audit_log WHERE resource = 'campaigns'`);
    expect(audit).toEqual([{ actor: 'system', action: 'upgrade_default', resource: 'campaigns', resource_id: seeded }]);
    // Starting again changes nothing more.
    await new SeedDefaults(t.pool).onApplicationBootstrap();
    expect((await t.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE resource = 'campaigns'`)).rows[0].n).toBe(1);
    await t.pool.query('DELETE FROM campaigns WHERE id = $1', [edited[0].id]);
    await t.pool.query('UPDATE campaigns SET holdout_percent = 0 WHERE id = $1', [seeded]);
  });

  it('an email planned elsewhere (by a process with SMTP) is re-planned at send time here, never handed over or failed', { timeout: 30_000 }, async () => {
    const { messages } = await seedRecovery(t.pool, { tag: 'planned-elsewhere', count: 1, firstDue: new Date(), spacingMs: 0, timezone: zone });
    // No wake-up was queued: the reconciler finds the row, the worker re-plans it under its lock before sending.
    const { rows } = await eventually(
      () => t.pool.query<{ status: string; cancel_reason: string | null; error: string | null }>('SELECT status, cancel_reason, error FROM messages WHERE id = $1', [messages[0].id]),
      (r) => r.rows[0].status !== 'planned',
      20_000,
    );
    expect(rows[0]).toEqual({ status: 'cancelled', cancel_reason: 'no_reachable_channel', error: null });
  });
});

describe('with SMTP (the local SMTP peer)', () => {
  let rig: RecoveryRig;

  beforeAll(async () => {
    rig = await startRecoveryRig('enabled_channels', String(SCALE));
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('reports every channel enabled', async () => {
    const { admin } = await signInEveryRole(rig.t);
    const answer = await admin.get('/channels');
    expect(answer.body.map((c: { channel: string; enabled: boolean; reason: string | null }) => [c.channel, c.enabled, c.reason])).toEqual([
      ['email', true, null],
      ['push', true, null],
      ['sms', true, null],
    ]);
    expect(JSON.stringify(answer.body)).not.toContain(rig.twilio.authToken);
    expect((await adminClient(rig.t, null).get('/channels')).status).toBe(401);
  });

  it('an email-only shopper gets the first email within the hour of campaign time', { timeout: 30_000 }, async () => {
    expect((await rig.send(checkoutJourney({ tag: 'mail-first', timezone: zone, email: 'cid@example.com' }))).status).toBe(200);
    const mail = await rig.smtp.waitFor((m) => m.to.includes('cid@example.com'), 20_000);
    expect(mail.subject).toMatch(/cart is waiting/);
    const { enrollment, messages } = await eventually(
      () => enrollmentOf(rig.t, 'co-mail-first'),
      (e) => e.messages.some((m) => m.step_index === 0 && m.status === 'sent'),
    );
    const first = messages.find((m) => m.step_index === 0)!;
    expect(first).toMatchObject({ channel: 'email', status: 'sent', error: null });
    // Planned for abandonment + 1 h, sent then (give or take the worker picking it up).
    expect(first.scheduled_for.getTime() - enrollment.abandoned_at.getTime()).toBeLessThanOrEqual(HOUR_MS + 50);
    expect(first.sent_at!.getTime() - enrollment.abandoned_at.getTime()).toBeLessThan(HOUR_MS + 2_000);
    // The 24 h email follows, planned at its own time.
    expect(messages).toContainEqual(expect.objectContaining({ step_index: 1, channel: 'email', status: 'planned' }));
  });
});

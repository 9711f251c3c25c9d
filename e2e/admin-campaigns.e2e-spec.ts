import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN } from '../campaigns/default-campaign';
import { DiscountRulesSnapshot } from '../server/ml/discount-rules-snapshot';
import { signInEveryRole } from './support/admin-client';
import { startTestApp, TestApp } from './support/test-app';

/** Email and SMS configured (pointing nowhere: nothing here sends), so the planner and its preview may use them. */
const CHANNELS_CONFIGURED = { SMTP_URL: 'smtp://127.0.0.1:9', TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: '0'.repeat(32), TWILIO_FROM: '+15005550006', TWILIO_API_BASE: 'http://127.0.0.1:9' };

/** Campaigns, discount rules and templates through the admin API, as the console uses them. */
describe('admin API: campaigns, discount rules, templates', () => {
  let t: TestApp;
  let as: Awaited<ReturnType<typeof signInEveryRole>>;
  const draft = (overrides: Record<string, unknown> = {}) => ({ ...JSON.parse(JSON.stringify(DEFAULT_CAMPAIGN)), name: 'Weekend push', status: 'paused', ...overrides });
  const auditRows = async (resource: string, resourceId: string) =>
    (await t.pool.query(`SELECT actor, action, before, after FROM audit_log WHERE resource = $1 AND resource_id = $2 ORDER BY at, id`, [resource, resourceId])).rows;

  beforeAll(async () => {
    t = await startTestApp('admin-campaigns', { ROLE: 'api', ...CHANNELS_CONFIGURED });
    as = await signInEveryRole(t);
  });
  afterAll(async () => t?.close());

  describe('campaigns', () => {
    it('lists in the react-admin dialect, with filters, sort, range and Content-Range', async () => {
      for (const name of ['Alpha', 'Beta', 'Gamma']) expect((await as.marketer.post('/campaigns', draft({ name }))).status).toBe(201);
      const page = await as.analyst.get('/campaigns', { sort: ['name', 'ASC'], range: [1, 2] });
      expect(page.status).toBe(200);
      expect(page.body.map((c: { name: string }) => c.name)).toEqual(['Alpha', 'Beta']);
      expect(page.headers.get('content-range')).toBe('campaigns 1-2/4');
      expect(page.headers.get('access-control-expose-headers')).toContain('Content-Range');
      const filtered = await as.analyst.get('/campaigns', { filter: { q: 'amm', status: 'paused' } });
      expect(filtered.body.map((c: { name: string }) => c.name)).toEqual(['Gamma']);
      expect(filtered.headers.get('content-range')).toBe('campaigns 0-0/1');
      expect(filtered.body[0].last7Days).toEqual({ enrolled: 0, messagesSent: 0, recovered: 0, recoveredRevenue: 0 });
      const bad = await as.analyst.get('/campaigns', { sort: ['password', 'ASC'] });
      expect(bad.status).toBe(400);
      expect(bad.body.problems[0].path).toBe('sort');
    });

    it("counts each campaign's last 7 days from its enrollments and messages", async () => {
      const created = await as.marketer.post('/campaigns', draft({ name: 'Counted' }));
      const id = created.body.id as string;
      const { rows: [source] } = await t.pool.query(`INSERT INTO sources (name, write_key_hash, write_key_prefix) VALUES ('s', md5(random()::text), 'wk_x') RETURNING id`);
      const recent = new Date(Date.now() - 86_400_000);
      const old = new Date(Date.now() - 10 * 86_400_000);
      for (const [i, at] of [recent, recent, old].entries()) {
        const { rows: [k] } = await t.pool.query(
          `INSERT INTO checkouts (id, external_id, source_id, status, stage, first_activity_at, last_activity_at, cart_value) VALUES (gen_random_uuid(), $1, $2, 'abandoned', 'payment', $3, $3, 80) RETURNING id`,
          [`k${i}`, source.id, at],
        );
        const { rows: [e] } = await t.pool.query(`INSERT INTO enrollments (checkout_id, campaign_id, abandoned_at) VALUES ($1, $2, $3) RETURNING id`, [k.id, id, at]);
        const { rows: [m] } = await t.pool.query(
          `INSERT INTO messages (key, enrollment_id, checkout_id, campaign_id, step_index, channel, status, scheduled_for, sent_at, recovered_revenue)
           VALUES ($1, $2, $3, $4, 0, 'email', 'sent', $5, $5, $6) RETURNING id`,
          [`m${i}`, e.id, k.id, id, at, i === 0 ? 80 : null],
        );
        if (i === 0) await t.pool.query(`UPDATE checkouts SET status = 'recovered', recovered_at = $2, recovered_by_message_id = $3 WHERE id = $1`, [k.id, at, m.id]);
      }
      expect((await as.analyst.get(`/campaigns/${id}`)).body.last7Days).toEqual({ enrolled: 2, messagesSent: 2, recovered: 1, recoveredRevenue: 80 });
    });

    it('names every invalid field, and stores nothing', async () => {
      const before = (await t.pool.query('SELECT count(*)::int AS n FROM campaigns')).rows[0].n;
      const body = draft({ quietHours: { start: '9pm', end: '08:00' } });
      body.steps[1].delayMinutes = -1;
      body.steps[2].templates.sms = 'no-such-template';
      const refused = await as.marketer.post('/campaigns', body);
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual({ 'steps.1.delayMinutes': 'must be 0 or more', 'quietHours.start': 'must be a time "HH:MM" (00:00–23:59)' });
      body.steps[1].delayMinutes = 1440;
      body.quietHours.start = '21:00';
      const unknownTemplate = await as.marketer.post('/campaigns', body);
      expect(unknownTemplate.status).toBe(400);
      expect(unknownTemplate.body.errors).toEqual({ 'steps.2.templates.sms': 'no sms template "no-such-template"' });
      expect((await t.pool.query('SELECT count(*)::int AS n FROM campaigns')).rows[0].n).toBe(before);
      expect((await t.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE resource = 'campaigns' AND action = 'create' AND after->>'name' = 'Weekend push'`)).rows[0].n).toBe(0);
    });

    it('refuses a stale edit with 409 and keeps the newer one; audits each change with before and after', async () => {
      const created = await as.marketer.post('/campaigns', draft({ name: 'Versioned' }));
      const id = created.body.id as string;
      expect(created.body.version).toBe(1);
      // react-admin sends the whole record back: read-only fields are ignored.
      const first = await as.admin.put(`/campaigns/${id}`, { ...created.body, name: 'Versioned v2' });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ name: 'Versioned v2', version: 2 });
      const stale = await as.marketer.put(`/campaigns/${id}`, { ...created.body, name: 'Overwrite' });
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({ error: 'version_conflict', currentVersion: 2 });
      expect((await as.analyst.get(`/campaigns/${id}`)).body).toMatchObject({ name: 'Versioned v2', version: 2 });
      const missingVersion = await as.marketer.put(`/campaigns/${id}`, { ...draft() });
      expect(missingVersion.status).toBe(400);
      expect(missingVersion.body.errors).toHaveProperty('version');
      const rows = await auditRows('campaigns', id);
      expect(rows.map((r) => [r.actor, r.action])).toEqual([
        ['marketer@shop.example', 'create'],
        ['admin@shop.example', 'update'],
      ]);
      expect(rows[1].before).toMatchObject({ name: 'Versioned', version: 1 });
      expect(rows[1].after).toMatchObject({ name: 'Versioned v2', version: 2 });
    });

    it('activates and pauses, audited; 404 for an unknown id, 400 naming a malformed one', async () => {
      const { body: created } = await as.marketer.post('/campaigns', draft({ name: 'Switch' }));
      const activated = await as.marketer.post(`/campaigns/${created.id}/activate`);
      expect(activated.status).toBe(200);
      expect(activated.body.status).toBe('active');
      expect((await as.marketer.post(`/campaigns/${created.id}/pause`)).body.status).toBe('paused');
      expect((await auditRows('campaigns', created.id)).map((r) => r.action)).toEqual(['create', 'activate', 'pause']);
      expect((await as.analyst.post(`/campaigns/${created.id}/activate`)).status).toBe(403);
      expect((await as.analyst.get('/campaigns/9b7a3c1e-0000-4000-8000-000000000000')).status).toBe(404);
      const malformed = await as.analyst.get('/campaigns/not-a-uuid');
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors).toEqual({ id: 'must be a UUID' });
    });

    it('previews the timeline with the planner: push at +1 h, email deferred past quiet hours, SMS offer inside the SMS window', async () => {
      const campaign = draft();
      campaign.steps[1].delayMinutes = 8 * 60; // abandoned 14:00 local → 22:00, inside quiet hours
      const preview = await as.analyst.post('/campaigns/preview', {
        campaign,
        abandonedAt: '2026-11-26T13:00:00Z', // 14:00 in Paris
        timezone: 'Europe/Paris',
        channels: ['push', 'email', 'sms'],
        phone: '+33612345678',
        checkout: { cartValue: 200, stage: 'payment', isNewCustomer: true },
      });
      expect(preview.status).toBe(200);
      expect(preview.body.messages.map((m: any) => [m.stepIndex, m.channel, m.localTime, m.deferredBy])).toEqual([
        [0, 'push', '2026-11-26 15:00', []],
        [1, 'email', '2026-11-27 08:00', ['quiet_hours']],
        // last_engaged: nothing engaged with; SMS comes before email after an unanswered email.
        [2, 'sms', '2026-11-28 14:00', []],
      ]);
      expect(preview.body.messages[2].offer).toMatchObject({ ruleId: 'default-high-value-cart', percent: 15 });
      expect(preview.body.end).toMatchObject({ reason: 'sequence_done' });

      // Abandoned at 06:30 local: quiet until 08:00 for the push too; an SMS-only step waits for the SMS window.
      const smsOnly = draft({ steps: [{ delayMinutes: 0, channels: ['sms'], templates: { sms: 'offer-sms' } }], quietHours: { start: '23:00', end: '06:00' } });
      const early = await as.analyst.post('/campaigns/preview', { campaign: smsOnly, abandonedAt: '2026-11-26T05:30:00Z', timezone: 'Europe/Paris', channels: ['sms'] });
      expect(early.body.messages).toMatchObject([{ channel: 'sms', localTime: '2026-11-26 08:00', deferredBy: ['sms_window'] }]);

      const invalid = await as.analyst.post('/campaigns/preview', { campaign: { ...campaign, steps: [] }, abandonedAt: 'yesterday', timezone: 'Mars/Olympus', channels: [] });
      expect(invalid.status).toBe(400);
      expect(Object.keys(invalid.body.errors).sort()).toEqual(['abandonedAt', 'timezone']);
      const invalidDraft = await as.analyst.post('/campaigns/preview', { campaign: { ...campaign, steps: [] }, abandonedAt: '2026-11-26T05:30:00Z', timezone: 'Europe/Paris', channels: [] });
      expect(invalidDraft.body.errors).toEqual({ 'campaign.steps': 'must have at least one step' });
    });
  });

  describe('discount rules', () => {
    const rule = { id: 'vip-offer', name: 'VIP: 25%', priority: 5, conditions: { minLifetimeValue: 1000 }, offer: { type: 'percent', amount: 25, minPercent: 10, maxPercent: 30 } };

    it('creates and edits with versions, names invalid fields, and planning here sees the edit at once', async () => {
      const snapshot = t.app.get(DiscountRulesSnapshot);
      expect((await snapshot.current()).map((r) => r.id)).not.toContain('vip-offer');
      const invalid = await as.marketer.post('/discount-rules', { ...rule, offer: { ...rule.offer, maxPercent: 5 }, colour: 'red' });
      expect(invalid.status).toBe(400);
      expect(invalid.body.errors).toMatchObject({ colour: 'is not a known field', 'offer.maxPercent': 'must be at least minPercent (10)' });
      const created = await as.marketer.post('/discount-rules', rule);
      expect(created.status).toBe(201);
      expect((await snapshot.current()).map((r) => r.id)).toContain('vip-offer');
      expect((await as.marketer.post('/discount-rules', rule)).status).toBe(409);
      const edited = await as.marketer.put('/discount-rules/vip-offer', { ...created.body, enabled: false });
      expect(edited.body).toMatchObject({ enabled: false, version: 2 });
      expect((await snapshot.current()).find((r) => r.id === 'vip-offer')?.enabled).toBe(false);
      const stale = await as.admin.put('/discount-rules/vip-offer', { ...created.body, name: 'late' });
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({ error: 'version_conflict', currentVersion: 2 });
      expect((await auditRows('discount_rules', 'vip-offer')).map((r) => r.action)).toEqual(['create', 'update']);
      expect((await as.analyst.put('/discount-rules/vip-offer', { ...edited.body, name: 'x' })).status).toBe(403);
      expect((await as.analyst.get('/discount-rules/no such id')).status).toBe(400);
      expect((await as.analyst.get('/discount-rules/nope')).status).toBe(404);
      const list = await as.analyst.get('/discount-rules', { filter: { enabled: true }, sort: ['priority', 'ASC'] });
      expect(list.body.map((r: { id: string }) => r.id)).toEqual(['default-high-value-cart', 'default-valuable-customer', 'default-third-step']);
      expect(list.headers.get('content-range')).toBe('discount-rules 0-2/3');
    });

    it('tests a context against the stored rules or drafts, saying why each other rule does not apply', async () => {
      const context = { cartValue: 180, ordersCount: 0, lifetimeValue: 0, isNewCustomer: true, stage: 'payment', stepIndex: 2, previousOffers: [] };
      const stored = await as.analyst.post('/discount-rules/test', { context });
      expect(stored.status).toBe(200);
      expect(stored.body).toMatchObject({ rule: { id: 'default-high-value-cart' }, allowedPercents: [0, 5, 10, 15, 20], defaultPercent: 15, discountValue: 27 });
      expect(stored.body.rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: 'vip-offer', mismatch: 'disabled' }),
          expect.objectContaining({ id: 'default-valuable-customer', mismatch: 'lifetime_value' }),
          expect.objectContaining({ id: 'default-third-step', mismatch: 'earlier_rule_matched' }),
        ]),
      );
      const firstStep = await as.analyst.post('/discount-rules/test', { context: { ...context, stepIndex: 0 } });
      expect(firstStep.body).toMatchObject({ rule: null, allowedPercents: [0], defaultPercent: 0, discountValue: 0 });
      const drafts = await as.analyst.post('/discount-rules/test', { context, rules: [{ ...rule, conditions: {} }, { name: 'fixed', offer: { type: 'fixed_amount', amount: 10 } }] });
      expect(drafts.body).toMatchObject({ rule: { id: 'vip-offer' }, defaultPercent: 25, discountValue: 45 });
      const badDraft = await as.analyst.post('/discount-rules/test', { context, rules: [rule, { name: 'x', offer: { type: 'percent', amount: 500 } }] });
      expect(badDraft.status).toBe(400);
      expect(Object.keys(badDraft.body.errors)).toEqual(['rules.1.offer.amount']);
    });
  });

  describe('templates', () => {
    it('creates, refuses a template that does not render (naming the part), and edits with versions', async () => {
      const broken = await as.marketer.post('/templates', { key: 'weekend-email', channel: 'email', name: 'Weekend', subject: 'Hi {{#customer}}', text: 'Come back' });
      expect(broken.status).toBe(400);
      expect(Object.keys(broken.body.errors)).toEqual(['subject']);
      expect(broken.body.errors.subject).toMatch(/^does not render: /);
      expect((await as.marketer.post('/templates', { key: 'weekend-sms', channel: 'sms', name: 'x', subject: 'no', text: 'y' })).body.errors).toEqual({ subject: 'an SMS has no subject' });
      const created = await as.marketer.post('/templates', { key: 'weekend-email', channel: 'email', name: 'Weekend', subject: 'Your cart', text: 'Come back {{links.resume}}' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ id: 'weekend-email', version: 1 });
      const edited = await as.marketer.put('/templates/weekend-email', { ...created.body, subject: 'Still here' });
      expect(edited.body).toMatchObject({ subject: 'Still here', version: 2 });
      expect((await as.marketer.put('/templates/weekend-email', { ...created.body, subject: 'Late' })).status).toBe(409);
      expect((await as.marketer.put('/templates/weekend-email', { ...edited.body, channel: 'sms' })).body.errors).toHaveProperty('channel');
      expect((await as.analyst.post('/templates', { key: 'a', channel: 'sms', name: 'a', text: 'a' })).status).toBe(403);
      expect((await auditRows('templates', 'weekend-email')).map((r) => r.action)).toEqual(['create', 'update']);
      const list = await as.analyst.get('/templates', { filter: { channel: 'email' }, sort: ['key', 'ASC'] });
      expect(list.body.map((r: { key: string }) => r.key)).toEqual(['offer-email', 'reminder-email', 'weekend-email']);
    });

    it('previews a draft on a sample checkout: customer data escaped, SMS segments counted', async () => {
      const email = await as.analyst.post('/templates/preview', {
        template: { channel: 'email', subject: 'For {{customer.firstName}}', html: '<p>Hi {{customer.firstName}}</p>', text: 'Hi' },
        sample: { firstName: '<script>x</script>' },
      });
      expect(email.status).toBe(200);
      expect(email.body.html).toBe('<p>Hi &lt;script&gt;x&lt;/script&gt;</p>');
      expect(email.body.subject).toBe('For <script>x</script>');
      const gsm = await as.analyst.post('/templates/preview', { template: { channel: 'sms', text: 'x'.repeat(161) } });
      expect(gsm.body).toMatchObject({ channel: 'sms', encoding: 'GSM-7', units: 161, segments: 2 });
      const ucs = await as.analyst.post('/templates/preview', { template: { channel: 'sms', text: 'Ваша корзина ждёт {{cart.total}}' } });
      expect(ucs.body).toMatchObject({ encoding: 'UCS-2', segments: 1 });
      expect(ucs.body.body).toContain('$84.50');
      const failing = await as.analyst.post('/templates/preview', { template: { channel: 'push', subject: 'ok', text: '{{/cart}}' } });
      expect(failing.status).toBe(400);
      expect(Object.keys(failing.body.errors)).toEqual(['template.text']);
    });
  });
});

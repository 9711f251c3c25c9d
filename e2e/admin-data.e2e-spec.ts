import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInEveryRole } from './support/admin-client';
import { apiEvent, bearer } from './support/events';
import { postJson, startTestApp, TestApp } from './support/test-app';

const NOBODY_ID = '9b7a3c1e-0000-4000-8000-000000000000';

/** Checkouts, customers, sources, users and the audit log through the admin API; every route's role rule. */
describe('admin API: checkouts, customers, sources, users, audit log', () => {
  let t: TestApp;
  let as: Awaited<ReturnType<typeof signInEveryRole>>;
  let writeKey: string;
  let sourceId: string;
  const ingest = async (...events: Record<string, unknown>[]) => {
    const response = await postJson(`${t.url}/v1/events`, { events: events.map((e) => apiEvent(e as { type: string })) }, bearer(writeKey));
    return response.status;
  };
  const auditCount = async () => (await t.pool.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n as number;

  beforeAll(async () => {
    t = await startTestApp('admin-data', { ROLE: 'api' });
    as = await signInEveryRole(t);
    const created = await as.admin.post('/sources', { name: 'Main store', shopifySecret: 'shpss_s3cret_value', allowedOrigins: ['https://shop.example'] });
    expect(created.status).toBe(201);
    writeKey = created.body.writeKey;
    sourceId = created.body.id;
    const at = (minutes: number) => new Date(Date.parse('2026-11-20T10:00:00Z') + minutes * 60_000).toISOString();
    const cart = (value: number) => ({ items: [{ sku: 'BOOT', quantity: 1, unit_price: value }], currency: 'EUR' });
    expect(
      await ingest(
        { type: 'checkout_started', occurred_at: at(0), checkout_id: 'chk-small', customer: { id: 'u-ann', email: 'ann@example.com', phone: '+33612345678', timezone: 'Europe/Paris' }, cart: cart(20) },
        { type: 'consent_changed', occurred_at: at(1), customer: { id: 'u-ann' }, properties: { channel: 'sms', granted: true } },
        { type: 'checkout_started', occurred_at: at(10), checkout_id: 'chk-medium', customer: { id: 'u-bob', email: 'bob@example.com' }, cart: cart(120) },
        { type: 'payment_entered', occurred_at: at(12), checkout_id: 'chk-medium', customer: { id: 'u-bob' } },
        { type: 'checkout_started', occurred_at: at(20), checkout_id: 'chk-large', customer: { id: 'u-cat', email: 'cat@example.com' }, cart: cart(900) },
      ),
    ).toBe(200);
  });
  afterAll(async () => t?.close());

  it('shows a source write key once, never the Shopify secret, and lets only admins change sources', async () => {
    const list = await as.analyst.get('/sources');
    expect(list.status).toBe(200);
    expect(list.headers.get('content-range')).toBe('sources 0-0/1');
    expect(list.body[0]).toEqual({
      id: sourceId,
      name: 'Main store',
      enabled: true,
      writeKeyPrefix: writeKey.slice(0, 10),
      allowedOrigins: ['https://shop.example'],
      requireEmailOptIn: false,
      defaultCurrency: 'USD',
      hasShopifySecret: true,
      createdAt: expect.any(String),
      disabledAt: null,
    });
    expect((await as.marketer.post('/sources', { name: 'Other' })).status).toBe(403);
    expect((await as.marketer.put(`/sources/${sourceId}`, { name: 'Renamed' })).status).toBe(403);
    const invalid = await as.admin.post('/sources', { name: '', allowedOrigins: ['https://shop.example/path'] });
    expect(invalid.status).toBe(400);
    expect(Object.keys(invalid.body.errors).sort()).toEqual(['allowedOrigins.0', 'name']);

    const other = await as.admin.post('/sources', { name: 'Pop-up store' });
    expect(await postJson(`${t.url}/v1/events`, apiEvent({ type: 'page_viewed' }), bearer(other.body.writeKey)).then((r) => r.status)).toBe(200);
    const disabled = await as.admin.put(`/sources/${other.body.id}`, { ...other.body, writeKey: undefined, enabled: false, shopifySecret: 'another-secret-1' });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ enabled: false, hasShopifySecret: true });
    expect(disabled.body).not.toHaveProperty('shopifySecret');
    expect(await postJson(`${t.url}/v1/events`, apiEvent({ type: 'page_viewed' }), bearer(other.body.writeKey)).then((r) => r.status)).toBe(401);
    expect((await as.admin.put(`/sources/${other.body.id}`, { shopifySecret: null })).body.hasShopifySecret).toBe(false);
    const { rows } = await t.pool.query(`SELECT action, coalesce(before::text, '') || coalesce(after::text, '') AS text FROM audit_log WHERE resource = 'sources' ORDER BY at`);
    expect(rows.map((r) => r.action)).toEqual(['create', 'create', 'update', 'update']);
    for (const row of rows) expect(row.text).not.toMatch(/s3cret|another-secret|write_key_hash|writeKeyHash/);
  });

  it('searches checkouts by id or email, status, stage, value and date, sorted by value', async () => {
    const byValue = await as.analyst.get('/checkouts', { sort: ['cartValue', 'ASC'], range: [0, 1] });
    expect(byValue.body.map((c: { externalId: string }) => c.externalId)).toEqual(['chk-small', 'chk-medium']);
    expect(byValue.headers.get('content-range')).toBe('checkouts 0-1/3');
    const inRange = await as.analyst.get('/checkouts', { filter: { minValue: 100, maxValue: 500 } });
    expect(inRange.body.map((c: { externalId: string }) => c.externalId)).toEqual(['chk-medium']);
    expect((await as.analyst.get('/checkouts', { filter: { q: 'CAT@example' } })).body.map((c: { externalId: string }) => c.externalId)).toEqual(['chk-large']);
    expect((await as.analyst.get('/checkouts', { filter: { stage: 'payment', status: 'active' } })).body.map((c: { externalId: string }) => c.externalId)).toEqual(['chk-medium']);
    const dated = await as.analyst.get('/checkouts', { filter: { from: '2026-11-20T10:05:00Z', to: '2026-11-20T10:15:00Z' } });
    expect(dated.body.map((c: { externalId: string }) => c.externalId)).toEqual(['chk-medium']);
    const bad = await as.analyst.get('/checkouts', { filter: { minValue: 'lots' } });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([{ path: 'filter.minValue', message: 'must be a number' }]);
  });

  it("shows a checkout's events, enrollment, messages with the policy's decision and engagements, and its order", async () => {
    const { rows: [k] } = await t.pool.query(`SELECT id, customer_id FROM checkouts WHERE external_id = 'chk-medium'`);
    const { rows: [campaign] } = await t.pool.query(`SELECT id, name FROM campaigns LIMIT 1`);
    const { rows: [e] } = await t.pool.query(`INSERT INTO enrollments (checkout_id, campaign_id, customer_id, abandoned_at) VALUES ($1, $2, $3, now()) RETURNING id`, [k.id, campaign.id, k.customer_id]);
    const decision = { policy: { action: { channel: 'email', discountPct: 10 }, source: 'model', modelVersion: 'v3', reason: 'email with 10% off: expected margin 7.92', discountRuleId: 'default-third-step', expectedMargin: 7.92 } };
    const { rows: [m] } = await t.pool.query(
      `INSERT INTO messages (key, enrollment_id, checkout_id, customer_id, campaign_id, step_index, channel, status, scheduled_for, sent_at, decision)
       VALUES ($1, $2, $3, $4, $5, 2, 'email', 'sent', now(), now(), $6) RETURNING id`,
      [randomUUID(), e.id, k.id, k.customer_id, campaign.id, decision],
    );
    await t.pool.query(`INSERT INTO message_engagements (message_id, kind, at) VALUES ($1, 'opened', now())`, [m.id]);
    expect(await ingest({ type: 'order_completed', checkout_id: 'chk-medium', customer: { id: 'u-bob' }, order_id: 'o-1', revenue: 120 })).toBe(200);

    const shown = await as.analyst.get(`/checkouts/${k.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.events.map((ev: { type: string }) => ev.type)).toEqual(['checkout_started', 'payment_entered', 'order_completed']);
    expect(shown.body.enrollment).toMatchObject({ id: e.id, campaignId: campaign.id, campaignName: campaign.name });
    expect(shown.body.messages).toMatchObject([
      { id: m.id, stepIndex: 2, channel: 'email', policy: { channel: 'email', discountPct: 10, modelVersion: 'v3', reason: 'email with 10% off: expected margin 7.92' }, engagements: [{ kind: 'opened' }] },
    ]);
    expect(shown.body.order).toMatchObject({ orderId: 'o-1', revenue: 120 });
    expect((await as.analyst.get(`/checkouts/${NOBODY_ID}`)).status).toBe(404);
    expect((await as.analyst.get('/checkouts/chk-medium')).body.errors).toEqual({ id: 'must be a UUID' });
  });

  it("shows a one-click checkout's session and every payment attempt in order with its card, never a token", async () => {
    const { rows: [k] } = await t.pool.query(`SELECT id FROM checkouts WHERE external_id = 'chk-large'`);
    const card = (brand: string, last4: string) =>
      t.pool
        .query(
          `INSERT INTO payment_methods (source_id, customer_ref, provider, token, fallback_tokens, brand, last4, exp_month, exp_year)
           VALUES ($1, 'u-cat', 'stripe', $2, $3, $4, $5, 12, 2031) RETURNING id`,
          [sourceId, `pm_SECRET_${last4}`, { adyen: `adyen_SECRET_${last4}` }, brand, last4],
        )
        .then((r) => r.rows[0].id as string);
    const visa = await card('visa', '4242');
    const amex = await card('amex', '0005');
    const [firstKey, secondKey] = [randomUUID(), randomUUID()];
    await t.pool.query(
      `INSERT INTO checkout_sessions (checkout_id, source_id, public_id, cart, shipping_method, payment_method_id, discount_code, discount_value, state, charge_key, order_id, completed_at)
       VALUES ($1, $2, 'co_large', $3, $4, $5, 'WINTER10', 90, 'completed', $6, 'or_large', '2026-11-20T10:31:00Z')`,
      [k.id, sourceId, { items: [{ sku: 'BOOT', quantity: 2, unit_price: 450 }], value: 900, currency: 'EUR' }, { id: 'std', label: 'Standard', amount: 9.9 }, amex, secondKey],
    );
    const attempt = (key: string, sequence: number, method: string, provider: string, status: string, at: string, extra: { declineCode?: string; failure?: string; reference?: string }) =>
      t.pool.query(
        `INSERT INTO payment_attempts (checkout_id, charge_key, sequence, payment_method_id, provider, idempotency_key, amount, currency, status, decline_code, failure, provider_reference, started_at, finished_at)
         VALUES ($1, $2, $3, $4, $5, $6, 819.9, 'EUR', $7, $8, $9, $10, $11, $11::timestamptz + interval '1 second')`,
        [k.id, key, sequence, method, provider, `${key}:${sequence}`, status, extra.declineCode ?? null, extra.failure ?? null, extra.reference ?? null, at],
      );
    // Stored out of order: the detail orders them by when they started, then by sequence.
    await attempt(secondKey, 1, amex, 'stripe', 'succeeded', '2026-11-20T10:30:00Z', { reference: 'ch_ok' });
    await attempt(firstKey, 2, visa, 'adyen', 'declined', '2026-11-20T10:25:00Z', { declineCode: 'insufficient_funds', reference: 'psp_declined' });
    await attempt(firstKey, 1, visa, 'stripe', 'failed', '2026-11-20T10:25:00Z', { failure: 'timeout after 5000 ms' });

    const shown = await as.analyst.get(`/checkouts/${k.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.session).toEqual({
      publicId: 'co_large',
      state: 'completed',
      totals: { currency: 'EUR', subtotal: 900, discount: 90, shipping: 9.9, total: 819.9 },
      discountCode: 'WINTER10',
      orderId: 'or_large',
      chargingSince: null,
      completedAt: '2026-11-20T10:31:00.000Z',
    });
    expect(shown.body.paymentAttempts).toMatchObject([
      { sequence: 1, provider: 'stripe', status: 'failed', brand: 'visa', last4: '4242', amount: 819.9, currency: 'EUR', declineCode: null, failure: 'timeout after 5000 ms', providerReference: null },
      { sequence: 2, provider: 'adyen', status: 'declined', brand: 'visa', last4: '4242', declineCode: 'insufficient_funds', providerReference: 'psp_declined' },
      { sequence: 1, provider: 'stripe', status: 'succeeded', brand: 'amex', last4: '0005', providerReference: 'ch_ok', startedAt: '2026-11-20T10:30:00.000Z', finishedAt: '2026-11-20T10:30:01.000Z' },
    ]);
    expect(JSON.stringify(shown.body)).not.toMatch(/token|SECRET|chargeKey|idempotency/i);

    const { rows: [plain] } = await t.pool.query(`SELECT id FROM checkouts WHERE external_id = 'chk-small'`);
    const withoutSession = await as.analyst.get(`/checkouts/${plain.id}`);
    expect(withoutSession.body).toMatchObject({ session: null, paymentAttempts: [] });
  });

  it('shows a customer, and opts them out through the OptOutService: planned messages cancelled, audited', async () => {
    const list = await as.analyst.get('/customers', { filter: { q: 'ann@' } });
    expect(list.body).toHaveLength(1);
    const ann = list.body[0];
    expect(ann.consent.sms).toMatchObject({ granted: true });
    const shown = await as.analyst.get(`/customers/${ann.id}`);
    expect(shown.body.contactPoints).toEqual(expect.arrayContaining([{ kind: 'email', value: 'ann@example.com' }, { kind: 'phone', value: '+33612345678' }, { kind: 'user', value: 'u-ann' }]));
    expect(shown.body.checkouts.map((c: { externalId: string }) => c.externalId)).toEqual(['chk-small']);

    const { rows: [k] } = await t.pool.query(`SELECT id FROM checkouts WHERE external_id = 'chk-small'`);
    const { rows: [campaign] } = await t.pool.query(`SELECT id FROM campaigns LIMIT 1`);
    const { rows: [e] } = await t.pool.query(`INSERT INTO enrollments (checkout_id, campaign_id, customer_id, abandoned_at) VALUES ($1, $2, $3, now()) RETURNING id`, [k.id, campaign.id, ann.id]);
    const { rows: [planned] } = await t.pool.query(
      `INSERT INTO messages (key, enrollment_id, checkout_id, customer_id, campaign_id, step_index, channel, status, scheduled_for)
       VALUES ($1, $2, $3, $4, $5, 0, 'sms', 'planned', now() + interval '1 hour') RETURNING id`,
      [randomUUID(), e.id, k.id, ann.id, campaign.id],
    );

    expect((await as.analyst.post(`/customers/${ann.id}/opt-out`, { channel: 'sms' })).status).toBe(403);
    expect((await as.marketer.post(`/customers/${ann.id}/opt-out`, { channel: 'fax' })).body.errors).toEqual({ channel: 'must be one of email, sms, push' });
    expect((await as.marketer.post(`/customers/${NOBODY_ID}/opt-out`, { channel: 'sms' })).status).toBe(404);
    const optedOut = await as.marketer.post(`/customers/${ann.id}/opt-out`, { channel: 'sms' });
    expect(optedOut.status).toBe(200);
    expect(optedOut.body).toMatchObject({ customerId: ann.id, channel: 'sms', cancelledMessages: 1, consent: { sms: { granted: false, by: 'admin:marketer@shop.example' } } });
    expect((await t.pool.query(`SELECT status, cancel_reason FROM messages WHERE id = $1`, [planned.id])).rows[0]).toEqual({ status: 'cancelled', cancel_reason: 'unsubscribed' });
    const { rows: audit } = await t.pool.query(`SELECT actor, action, before, after FROM audit_log WHERE resource = 'customers' AND resource_id = $1`, [ann.id]);
    expect(audit).toMatchObject([{ actor: 'marketer@shop.example', action: 'opt_out', before: { consent: { sms: { granted: true } } }, after: { channel: 'sms', cancelledMessages: 1, consent: { sms: { granted: false } } } }]);
    expect((await as.analyst.get(`/customers/${ann.id}`)).body.messages).toMatchObject([{ id: planned.id, status: 'cancelled', cancelReason: 'unsubscribed' }]);
  });

  it('lets admins manage users (no password hashes), keeps one enabled admin, and ends a disabled user’s sessions', async () => {
    expect((await as.marketer.get('/users')).status).toBe(403);
    const created = await as.admin.post('/users', { email: 'New.Person@Shop.example', password: 'a long enough password', role: 'marketer', name: 'New' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), email: 'new.person@shop.example', name: 'New', role: 'marketer', disabled: false, disabledAt: null, lastLoginAt: null, createdAt: expect.any(String) });
    expect((await as.admin.post('/users', { email: 'new.person@shop.example', password: 'a long enough password', role: 'marketer' })).status).toBe(409);
    expect((await as.admin.post('/users', { email: 'x', password: 'short', role: 'owner' })).body.errors).toMatchObject({ email: expect.any(String), password: expect.any(String), role: expect.any(String) });
    const list = await as.admin.get('/users', { filter: { role: 'marketer' }, sort: ['email', 'ASC'] });
    expect(list.body.map((u: { email: string }) => u.email)).toEqual(['marketer@shop.example', 'new.person@shop.example']);
    expect(JSON.stringify(list.body)).not.toMatch(/\$2[aby]\$|passwordHash/);

    const login = () => postJson(`${t.url}/admin/api/auth/login`, { email: 'new.person@shop.example', password: 'a long enough password' }, { 'x-forwarded-for': '192.0.2.50' });
    const session = await login();
    expect(session.status).toBe(200);
    const refreshCookie = session.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect((await fetch(`${t.url}/admin/api/campaigns`, { headers: { cookie: refreshCookie } })).status).toBe(200);
    const disabled = await as.admin.put(`/users/${created.body.id}`, { ...created.body, disabled: true });
    expect(disabled.body).toMatchObject({ disabled: true });
    // The access token still has minutes to live, but a disabled account is out at once.
    expect((await fetch(`${t.url}/admin/api/campaigns`, { headers: { cookie: refreshCookie } })).status).toBe(401);
    expect((await login()).status).toBe(401);
    expect((await postJson(`${t.url}/admin/api/auth/refresh`, {}, { cookie: refreshCookie })).status).toBe(401);

    const { rows: [admin] } = await t.pool.query(`SELECT id FROM admin_users WHERE email = 'admin@shop.example'`);
    const demoteSelf = await as.admin.put(`/users/${admin.id}`, { role: 'analyst' });
    expect(demoteSelf.status).toBe(409);
    expect(demoteSelf.body.error).toBe('last_admin');
    expect((await as.admin.get(`/users/${admin.id}`)).body.role).toBe('admin');
    const { rows } = await t.pool.query(`SELECT action, after FROM audit_log WHERE resource = 'users' AND resource_id = $1 ORDER BY at`, [created.body.id]);
    expect(rows.map((r) => r.action)).toEqual(['create', 'update']);
    expect(JSON.stringify(rows)).not.toMatch(/\$2[aby]\$|a long enough password/);
  });

  it('lists the audit log for admins only, filtered by resource, actor and date', async () => {
    expect((await as.marketer.get('/audit-log')).status).toBe(403);
    expect((await as.analyst.get('/audit-log')).status).toBe(403);
    const sources = await as.admin.get('/audit-log', { filter: { resource: 'sources' }, sort: ['at', 'ASC'] });
    expect(sources.body.map((r: { action: string }) => r.action)).toEqual(['create', 'create', 'update', 'update']);
    expect(sources.headers.get('content-range')).toBe('audit-log 0-3/4');
    const byMarketer = await as.admin.get('/audit-log', { filter: { actor: 'marketer@' } });
    expect(byMarketer.body.map((r: { resource: string }) => r.resource)).toEqual(['customers']);
    expect((await as.admin.get('/audit-log', { filter: { from: '2999-01-01T00:00:00Z' } })).body).toEqual([]);
    const one = await as.admin.get(`/audit-log/${byMarketer.body[0].id}`);
    expect(one.body).toMatchObject({ action: 'opt_out', actor: 'marketer@shop.example' });
  });

  it('enforces every route’s roles on the server: 401 without a session, 403 for the wrong role, nothing stored', async () => {
    const id = NOBODY_ID;
    const reads = ['/campaigns', `/campaigns/${id}`, '/discount-rules', '/discount-rules/x', '/templates', '/templates/x', '/checkouts', `/checkouts/${id}`, '/customers', `/customers/${id}`, '/sources', `/sources/${id}`, '/users', `/users/${id}`, '/audit-log', `/audit-log/${id}`];
    const marketingWrites: [string, string][] = [
      ['POST', '/campaigns'],
      ['PUT', `/campaigns/${id}`],
      ['POST', `/campaigns/${id}/activate`],
      ['POST', `/campaigns/${id}/pause`],
      ['POST', '/discount-rules'],
      ['PUT', '/discount-rules/x'],
      ['POST', '/templates'],
      ['PUT', '/templates/x'],
      ['POST', `/customers/${id}/opt-out`],
    ];
    const adminWrites: [string, string][] = [
      ['POST', '/sources'],
      ['PUT', `/sources/${id}`],
      ['POST', '/users'],
      ['PUT', `/users/${id}`],
    ];
    const previews: [string, string][] = [
      ['POST', '/campaigns/preview'],
      ['POST', '/discount-rules/test'],
      ['POST', '/templates/preview'],
    ];
    const before = await auditCount();
    const call = (who: keyof typeof as, method: string, path: string) => (method === 'GET' ? as[who].get(path) : method === 'PUT' ? as[who].put(path, { version: 1 }) : as[who].post(path, {}));
    for (const path of reads) expect([path, (await as.nobody.get(path)).status]).toEqual([path, 401]);
    for (const [method, path] of [...marketingWrites, ...adminWrites, ...previews]) expect([method, path, (await call('nobody', method, path)).status]).toEqual([method, path, 401]);
    for (const [method, path] of [...marketingWrites, ...adminWrites]) expect([method, path, (await call('analyst', method, path)).status]).toEqual([method, path, 403]);
    for (const [method, path] of adminWrites) expect([method, path, (await call('marketer', method, path)).status]).toEqual([method, path, 403]);
    for (const path of ['/users', `/users/${id}`, '/audit-log', `/audit-log/${id}`]) {
      expect([path, (await as.marketer.get(path)).status]).toEqual([path, 403]);
      expect([path, (await as.analyst.get(path)).status]).toEqual([path, 403]);
    }
    // Reads and previews are open to every role (here: reaching validation or 404, not 401/403).
    for (const path of reads.filter((p) => !p.startsWith('/users') && !p.startsWith('/audit-log'))) expect([path, (await as.analyst.get(path)).status]).not.toContainEqual(403);
    for (const [method, path] of previews) expect([path, (await call('analyst', method, path)).status]).toEqual([path, 400]);
    expect(await auditCount()).toBe(before);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNED_LINKS, SignedLinks } from '../server/recovery/links/signed-links';
import { startTestApp, TestApp } from './support/test-app';

/** The links inside messages: open pixel, tracked click, RFC 8058 one-click unsubscribe, tampering. */
describe('engagement links', () => {
  let t: TestApp;
  let links: SignedLinks;
  let ids: { customer: string; checkout: string; email: string; sms: string };

  beforeAll(async () => {
    t = await startTestApp('engagement', { ROLE: 'api' });
    links = t.app.get(SIGNED_LINKS);
    const { id: sourceId } = await t.createSource();
    const campaign = (await t.pool.query('SELECT id FROM campaigns LIMIT 1')).rows[0].id;
    const customer = randomUUID();
    const checkout = randomUUID();
    const now = new Date();
    await t.pool.query(`INSERT INTO customers (id, email, phone, consent, first_seen_at, last_seen_at) VALUES ($1, 'e@example.com', '+14155552671', $2, $3, $3)`, [
      customer,
      { sms: { granted: true, at: '2026-01-01T00:00:00.000Z', by: 'seed' } },
      now,
    ]);
    await t.pool.query(
      `INSERT INTO checkouts (id, external_id, source_id, customer_id, status, stage, first_activity_at, last_activity_at) VALUES ($1, 'c-eng', $2, $3, 'abandoned', 'contact', $4, $4)`,
      [checkout, sourceId, customer, now],
    );
    const enrollment = (await t.pool.query(`INSERT INTO enrollments (checkout_id, campaign_id, customer_id, abandoned_at) VALUES ($1, $2, $3, $4) RETURNING id`, [checkout, campaign, customer, now])).rows[0].id;
    const message = async (step: number, channel: string, status: string) =>
      (
        await t.pool.query(
          `INSERT INTO messages (key, enrollment_id, checkout_id, customer_id, campaign_id, step_index, channel, status, scheduled_for)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
          [`${enrollment}.${step}.${channel}`, enrollment, checkout, customer, campaign, step, channel, status, now],
        )
      ).rows[0].id;
    ids = { customer, checkout, email: await message(1, 'email', 'sent'), sms: await message(2, 'sms', 'planned') };
  });
  afterAll(async () => {
    await t?.close();
  });

  const path = (url: string) => url.replace(/^https?:\/\/[^/]+/, t.url);

  it('records every open from the pixel (the message keeps the first), and serves the pixel even for a forged link', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await fetch(path(links.open(ids.email)));
      expect(response.headers.get('content-type')).toBe('image/gif');
    }
    const forged = await fetch(path(links.open(ids.email)).replace(/\.[^.]+$/, '.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
    expect(forged.status).toBe(200);
    const row = (await t.pool.query('SELECT opened_at IS NOT NULL AS opened FROM messages WHERE id = $1', [ids.email])).rows[0];
    expect(row.opened).toBe(true);
    expect((await t.pool.query(`SELECT count(*)::int AS n FROM message_engagements WHERE message_id = $1 AND kind = 'opened'`, [ids.email])).rows[0].n).toBe(2);
  });

  it('redirects a signed click to its target and refuses a tampered one with a clear page', async () => {
    const url = path(links.click(ids.email, 'https://shop.example/checkout/c-eng'));
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://shop.example/checkout/c-eng');
    const [prefix, token] = url.split('/r/click/');
    const forgedClaims = Buffer.from(JSON.stringify({ action: 'click', messageId: ids.email, target: 'https://evil.example' })).toString('base64url');
    const tampered = await fetch(`${prefix}/r/click/${forgedClaims}.${token.split('.')[1]}`, { redirect: 'manual' });
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain('This link is not valid');
  });

  it('follows a short SMS link to the message\'s checkout page and refuses a forged one', async () => {
    await t.pool.query(`UPDATE checkouts SET context = '{"page":{"url":"https://shop.example/checkout/c-eng"}}' WHERE id = $1`, [ids.checkout]);
    const url = path(links.short(ids.sms));
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const landing = response.headers.get('location')!;
    expect(landing).toMatch(/\/c\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(links.verifyLanding(landing.split('/c/')[1], new Date())).toMatchObject({ ok: true, claims: { checkoutId: ids.checkout, messageId: ids.sms } });
    expect((await t.pool.query('SELECT clicked_at IS NOT NULL AS clicked FROM messages WHERE id = $1', [ids.sms])).rows[0].clicked).toBe(true);
    expect((await fetch(url.replace(/\.[^.]+$/, '.AAAAAAAAAAAAAAAA'), { redirect: 'manual' })).status).toBe(400);
  });

  it('records a push click reported by the service worker, and ignores a forged report', async () => {
    const forged = await fetch(path(links.url({ action: 'push-click', messageId: ids.email })).replace(/\.[^.]+$/, '.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), { method: 'POST' });
    expect(forged.status).toBe(404);
    const before = (await t.pool.query(`SELECT count(*)::int AS n FROM message_engagements WHERE message_id = $1 AND kind = 'clicked'`, [ids.email])).rows[0].n;
    expect((await fetch(path(links.url({ action: 'push-click', messageId: ids.email })), { method: 'POST' })).status).toBe(204);
    const after = (await t.pool.query(`SELECT count(*)::int AS n FROM message_engagements WHERE message_id = $1 AND kind = 'clicked'`, [ids.email])).rows[0].n;
    expect(after).toBe(before + 1);
  });

  it('unsubscribes in one click (RFC 8058 POST, no cookie) and cancels what is planned on that channel at once', async () => {
    const url = path(links.unsubscribe(ids.sms, 'sms'));
    const page = await fetch(url);
    expect(await page.text()).toContain('<form method="post">');
    expect((await t.pool.query('SELECT status FROM messages WHERE id = $1', [ids.sms])).rows[0].status).toBe('planned');

    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('You will not get text message reminders');
    const customer = (await t.pool.query(`SELECT consent->'sms'->>'granted' AS sms FROM customers WHERE id = $1`, [ids.customer])).rows[0];
    expect(customer.sms).toBe('false');
    expect((await t.pool.query('SELECT status, cancel_reason FROM messages WHERE id = $1', [ids.sms])).rows[0]).toEqual({ status: 'cancelled', cancel_reason: 'unsubscribed' });
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daytimeZone } from './support/daytime-zone';
import { eventually } from './support/eventually';
import { checkoutJourney, RecoveryRig, startRecoveryRig } from './support/recovery-rig';

/**
 * The default campaign end to end, at 1/10000 of real time (1 h → 0.36 s, 24 h → 8.6 s, 48 h → 17.3 s; quiet
 * hours stay real, so the shopper lives in a zone where it is daytime now).
 */
describe.concurrent('recovery, end to end', () => {
  let rig: RecoveryRig;
  const zone = daytimeZone();

  beforeAll(async () => {
    rig = await startRecoveryRig('recovery_flow', '0.0001');
  });
  afterAll(async () => {
    await rig?.close();
  });

  const messagesOf = async (checkout: string) =>
    (
      await rig.t.pool.query(
        `SELECT m.step_index, m.channel, m.status, m.cancel_reason, m.recovered_revenue FROM messages m JOIN checkouts c ON c.id = m.checkout_id
          WHERE c.external_id = $1 ORDER BY m.step_index, m.created_at`,
        [checkout],
      )
    ).rows;

  it('sends push, then email, then the offer by SMS, each at its time and with the cart', { timeout: 60_000 }, async () => {
    const subscription = rig.push.createSubscription({ applicationServerKey: rig.vapidPublicKey });
    const started = Date.now();
    const response = await rig.send(
      checkoutJourney({ tag: 'full', timezone: zone, email: 'ann@example.com', phone: '+14155552671', smsConsent: true, pushSubscription: { endpoint: subscription.endpoint, keys: subscription.keys } }),
    );
    expect(response.body).toEqual({ accepted: 5, duplicates: 0 });

    const push = await rig.push.waitFor((p) => p.subscriptionId === subscription.id, 15_000);
    expect(push.payload.title).toBeTruthy();
    expect(push.payload.url).toMatch(/\/r\/click\//);
    const email = await rig.smtp.waitFor((m) => m.to.includes('ann@example.com'), 20_000);
    expect(email.html).toContain('Leather boots');
    expect(email.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const sms = await rig.twilio.waitFor((m) => m.to === '+14155552671', 30_000);
    expect(sms.body).toMatch(/\/r\/click\//);

    // Abandoned after 30 min (0.18 s); push due 1 h later, email 24 h, offer 48 h (scaled), give or take the sweep.
    const after = (ms: number, d: Date) => d.getTime() - started >= ms;
    expect(after(360, push.receivedAt)).toBe(true);
    expect(after(8_640, email.receivedAt)).toBe(true);
    expect(after(17_280, sms.receivedAt ?? new Date())).toBe(true);
    expect(email.receivedAt.getTime() - started).toBeLessThan(8_640 + 180 + 3_000);

    await eventually(
      () => messagesOf('co-full'),
      (rows) => rows.map((r) => `${r.step_index}:${r.channel}:${r.status}`).join() === '0:push:sent,1:email:sent,2:sms:sent',
    );
  });

  it('an order after a click on the email cancels the offer and credits the email', { timeout: 60_000 }, async () => {
    const response = await rig.send(checkoutJourney({ tag: 'buyer', timezone: zone, email: 'bob@example.com', phone: '+14155552672', smsConsent: true }));
    expect(response.status).toBe(200);
    // No push subscription: the push step is skipped and the email comes at 24 h (8.6 s).
    const email = await rig.smtp.waitFor((m) => m.to.includes('bob@example.com'), 20_000);
    const shape = (rows: Awaited<ReturnType<typeof messagesOf>>) => rows.map((r) => `${r.step_index}:${r.channel}:${r.status}`);
    // Once the email is recorded as sent, the offer is planned (by SMS: the email has not been answered yet).
    await eventually(() => messagesOf('co-buyer'), (rows) => shape(rows).join() === '1:email:sent,2:sms:planned');
    const click = email.html!.match(/href="([^"]*\/r\/click\/[^"]+)"/)![1];
    const redirected = await fetch(click, { redirect: 'manual' });
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe('https://boots.example/checkout/buyer');

    const order = await rig.send([
      { event_id: randomUUID(), type: 'order_completed', occurred_at: new Date().toISOString(), checkout_id: 'co-buyer', order_id: 'order-buyer', revenue: 120 },
    ]);
    expect(order.status).toBe(200);
    const rows = await messagesOf('co-buyer');
    expect(rows.map((r) => `${r.step_index}:${r.channel}:${r.status}:${r.cancel_reason ?? ''}`)).toEqual(['1:email:sent:', '2:sms:cancelled:order_completed']);
    expect(rows[0].recovered_revenue).toBe('120.0000');
    const checkout = (await rig.t.pool.query("SELECT status, recovered_at IS NOT NULL AS recovered FROM checkouts WHERE external_id = 'co-buyer'")).rows[0];
    expect(checkout).toEqual({ status: 'recovered', recovered: true });
    // Past the offer's time (48 h after abandonment, scaled), nothing more reached the shopper.
    await new Promise((r) => setTimeout(r, 10_000));
    expect(rig.smtp.messages.filter((m) => m.to.includes('bob@example.com'))).toHaveLength(1);
    expect(rig.twilio.messages.filter((m) => m.to === '+14155552672')).toEqual([]);
  });

  it('when two checkouts of one shopper compete for a slot, the bigger cart is reminded first', { timeout: 60_000 }, async () => {
    const shopper = { timezone: zone, email: 'carol@example.com' };
    const small = checkoutJourney({ ...shopper, tag: 'small', value: 50 }).map((e) => ({ ...e, customer: { ...(e.customer as object), anonymous_id: 'anon-carol' } }));
    expect((await rig.send(small)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_000));
    const big = checkoutJourney({ ...shopper, tag: 'big', value: 300 }).map((e) => ({ ...e, customer: { ...(e.customer as object), anonymous_id: 'anon-carol' } }));
    expect((await rig.send(big)).status).toBe(200);

    // Emails are due 24 h after each abandonment (8.6 s here) and the cap keeps them 12 h (4.3 s) apart: the
    // bigger cart's reminders take the slots first, the smaller cart's comes after them.
    const smallMail = await rig.smtp.waitFor((m) => m.to.includes('carol@example.com') && (m.html ?? '').includes('50.00') && !(m.html ?? '').includes('300.00'), 40_000);
    const toCarol = rig.smtp.messages.filter((m) => m.to.includes('carol@example.com'));
    expect(toCarol[0].html).toContain('300.00');
    expect(toCarol.at(-1)).toBe(smallMail);
    const before = toCarol.at(-2)!;
    expect(smallMail.receivedAt.getTime() - before.receivedAt.getTime()).toBeGreaterThanOrEqual(4_320 - 50);
  });
});

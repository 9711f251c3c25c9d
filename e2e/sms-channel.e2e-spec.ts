import { randomUUID } from 'node:crypto';
import { connect, createServer, Server, Socket } from 'node:net';
import type Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS } from '../server/redis/redis.module';
import { PermanentSendError, TransientSendError } from '../server/recovery/channels/channel';
import { SMS_SENDER, SmsSender } from '../server/recovery/channels/sms/sms-sender';
import { signTwilioRequest, startTwilioPeer, TwilioPeer } from './peers/twilio-peer';
import { freePort } from './support/server-process';
import { startTestApp, TestApp } from './support/test-app';

const ACCOUNT_SID = `AC${'5e'.repeat(16)}`;
const AUTH_TOKEN = 'sms-e2e-auth-token-0123456789abcdef';
const OUR_NUMBER = '+15005550006';

/**
 * A TCP forwarder on a port chosen before the app starts, so that PUBLIC_URL (what Twilio calls, and signs) can be
 * known up front while the test app listens on a port of its own: a reverse proxy in miniature.
 */
async function startForwarder(port: number, targetPort: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        sockets.forEach((s) => s.destroy());
      }),
  };
}

interface Shopper {
  customerId: string;
  checkoutId: string;
  enrollmentId: string;
  phone: string;
}

describe('SMS channel through Twilio (peer)', () => {
  let peer: TwilioPeer;
  let test: TestApp;
  let forwarder: { close(): Promise<void> };
  let publicUrl: string;
  let sender: SmsSender;
  let sourceId: string;
  let campaignId: string;
  let phoneCounter = 0;

  beforeAll(async () => {
    peer = await startTwilioPeer({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, callbackDelayMs: 150 });
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    test = await startTestApp('sms_channel', {
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: OUR_NUMBER,
      TWILIO_API_BASE: peer.url,
      PUBLIC_URL: publicUrl,
      // Keep the engine's periodic sweep and reconciler out of the rows these tests write by hand.
      SWEEP_INTERVAL_S: '3600',
    });
    forwarder = await startForwarder(port, Number(new URL(test.url).port));
    sender = test.app.get<SmsSender>(SMS_SENDER);
    sourceId = (await test.createSource()).id;
    campaignId = (await test.pool.query<{ id: string }>(`INSERT INTO campaigns (name, steps) VALUES ('SMS test', '[]'::jsonb) RETURNING id`)).rows[0].id;
  });

  afterAll(async () => {
    const redis = test?.app.get<Redis>(REDIS);
    if (redis) {
      const keys = await redis.keys(`${test.config.redisPrefix}:twilio:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await forwarder?.close();
    await test?.close();
    await peer?.close();
  });

  async function shopper(consentBy = 'evt-checkout-consent'): Promise<Shopper> {
    const phone = `+1500555${String(1000 + ++phoneCounter).padStart(4, '0')}`;
    const customerId = randomUUID();
    const checkoutId = randomUUID();
    const consent = { sms: { granted: true, at: '2025-01-01T00:00:00.000Z', by: consentBy }, email: { granted: true, at: '2025-01-01T00:00:00.000Z', by: consentBy } };
    await test.pool.query(`INSERT INTO customers (id, phone, consent, first_seen_at, last_seen_at) VALUES ($1, $2, $3::jsonb, now(), now())`, [customerId, phone, JSON.stringify(consent)]);
    await test.pool.query(
      `INSERT INTO checkouts (id, external_id, source_id, customer_id, status, stage, phone, first_activity_at, last_activity_at, abandoned_at)
       VALUES ($1, $2, $3, $4, 'abandoned', 'payment', $5, now(), now(), now())`,
      [checkoutId, `co-${checkoutId}`, sourceId, customerId, phone],
    );
    const enrollmentId = (
      await test.pool.query<{ id: string }>(`INSERT INTO enrollments (checkout_id, campaign_id, customer_id, abandoned_at) VALUES ($1, $2, $3, now()) RETURNING id`, [
        checkoutId,
        campaignId,
        customerId,
      ])
    ).rows[0].id;
    return { customerId, checkoutId, enrollmentId, phone };
  }

  async function message(s: Shopper, step: number, channel: 'sms' | 'email', status: string): Promise<{ id: string; key: string }> {
    const key = `${s.enrollmentId}:${step}:${channel}`;
    const { rows } = await test.pool.query<{ id: string; key: string }>(
      `INSERT INTO messages (key, enrollment_id, checkout_id, customer_id, campaign_id, step_index, channel, status, scheduled_for)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + CASE WHEN $8 = 'planned' THEN interval '1 day' ELSE interval '0' END) RETURNING id, key`,
      [key, s.enrollmentId, s.checkoutId, s.customerId, campaignId, step, channel, status],
    );
    return rows[0];
  }

  /** Sends as the engine would: the row is `sending`, then `sent` with Twilio's sid once the API answered. */
  async function sendLikeTheEngine(s: Shopper, row: { id: string; key: string }, body: string) {
    const receipt = await sender.send({ key: row.key, messageId: row.id, channel: 'sms', to: { phone: s.phone }, content: { body } });
    await test.pool.query(`UPDATE messages SET status = 'sent', provider_message_id = $2, sent_at = now() WHERE id = $1`, [row.id, receipt.providerMessageId]);
    return receipt;
  }

  const row = async (id: string) => (await test.pool.query(`SELECT status, delivered_at, error, cancel_reason FROM messages WHERE id = $1`, [id])).rows[0];
  const engagements = async (id: string) => (await test.pool.query(`SELECT kind, detail FROM message_engagements WHERE message_id = $1 ORDER BY at`, [id])).rows;
  const smsConsent = async (customerId: string) =>
    (await test.pool.query<{ granted: string; by: string }>(`SELECT consent->'sms'->>'granted' AS granted, consent->'sms'->>'by' AS by FROM customers WHERE id = $1`, [customerId])).rows[0];

  async function postSigned(path: string, params: Record<string, string>, signature?: string) {
    const url = `${publicUrl}${path}`;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature === null ? {} : { 'x-twilio-signature': signature ?? signTwilioRequest(AUTH_TOKEN, url, params) }),
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, text: await response.text(), contentType: response.headers.get('content-type') };
  }

  const inbound = (from: string, body: string, messageSid?: string) =>
    peer.sendInbound({ from, to: OUR_NUMBER, body, webhookUrl: `${publicUrl}/v1/webhooks/twilio/inbound`, messageSid });

  let delivered: { id: string; sid: string };

  it('sends with the real SDK through the peer and the status callback marks the message delivered', async () => {
    const s = await shopper();
    const m = await message(s, 0, 'sms', 'sending');
    const receipt = await sendLikeTheEngine(s, m, 'Still thinking it over? Your cart: https://shop.example/c/1');

    const seen = await peer.waitFor((x) => x.sid === receipt.providerMessageId);
    expect(seen).toMatchObject({
      to: s.phone,
      from: OUR_NUMBER,
      body: 'Still thinking it over? Your cart: https://shop.example/c/1',
      statusCallback: `${publicUrl}/v1/webhooks/twilio/status`,
      idempotencyToken: m.key,
    });

    const callback = await peer.waitForCallback((c) => c.messageSid === receipt.providerMessageId && c.messageStatus === 'delivered');
    expect(callback.status).toBe(204);
    expect(peer.callbacks.find((c) => c.messageSid === receipt.providerMessageId && c.messageStatus === 'sent')?.status).toBe(204);
    const after = await row(m.id);
    expect(after.status).toBe('delivered');
    expect(after.delivered_at).toBeInstanceOf(Date);
    expect(await engagements(m.id)).toEqual([{ kind: 'delivered', detail: { provider: 'twilio', status: 'delivered' } }]);

    // Twilio repeating the callback changes nothing, and a late failure never downgrades a delivered message.
    expect((await peer.sendStatus(receipt.providerMessageId!, 'delivered')).status).toBe(204);
    expect((await peer.sendStatus(receipt.providerMessageId!, 'undelivered', 30003)).status).toBe(204);
    expect((await row(m.id)).status).toBe('delivered');
    expect(await engagements(m.id)).toHaveLength(1);
    delivered = { id: m.id, sid: receipt.providerMessageId! };
  });

  it('an undelivered report marks the message failed with the Twilio error code', async () => {
    peer.deliverAs('undelivered', 30006);
    try {
      const s = await shopper();
      const m = await message(s, 0, 'sms', 'sending');
      const receipt = await sendLikeTheEngine(s, m, 'Your cart is waiting');
      await peer.waitForCallback((c) => c.messageSid === receipt.providerMessageId && c.messageStatus === 'undelivered');
      expect(await row(m.id)).toMatchObject({ status: 'failed', error: 'twilio 30006' });
      expect(await engagements(m.id)).toEqual([{ kind: 'failed', detail: { provider: 'twilio', status: 'undelivered', errorCode: '30006' } }]);
    } finally {
      peer.deliverAs('delivered');
    }
  });

  it('acknowledges a status callback for a message it does not know', async () => {
    const result = await postSigned('/v1/webhooks/twilio/status', { MessageSid: `SM${'0'.repeat(32)}`, MessageStatus: 'delivered', AccountSid: ACCOUNT_SID });
    expect(result.status).toBe(204);
  });

  it('refuses a bad or missing X-Twilio-Signature with 403 and changes nothing', async () => {
    const s = await shopper();
    const planned = await message(s, 1, 'sms', 'planned');
    const failedReport = { MessageSid: delivered.sid, MessageStatus: 'failed', ErrorCode: '30008', AccountSid: ACCOUNT_SID };

    const forged = await postSigned('/v1/webhooks/twilio/status', failedReport, signTwilioRequest('not-our-token-0123456789', `${publicUrl}/v1/webhooks/twilio/status`, failedReport));
    expect(forged.status).toBe(403);
    expect(forged.contentType).toMatch(/application\/json/);
    expect(JSON.parse(forged.text)).toMatchObject({ error: 'forbidden' });

    // Signed for the app's own address rather than PUBLIC_URL, the address Twilio calls: refused too.
    const ownUrl = `${test.url}/v1/webhooks/twilio/status`;
    const wrongUrl = await fetch(ownUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(AUTH_TOKEN, ownUrl, failedReport) },
      body: new URLSearchParams(failedReport).toString(),
    });
    expect(wrongUrl.status).toBe(403);

    const unsigned = await postSigned('/v1/webhooks/twilio/status', failedReport, null as unknown as string);
    expect(unsigned.status).toBe(403);
    expect(JSON.parse(unsigned.text).message).toMatch(/missing X-Twilio-Signature/);

    const stop = await peer.sendInbound({ from: s.phone, to: OUR_NUMBER, body: 'STOP', webhookUrl: `${publicUrl}/v1/webhooks/twilio/inbound`, signature: 'bm90IGEgc2lnbmF0dXJl' });
    expect(stop.status).toBe(403);

    expect((await row(delivered.id)).status).toBe('delivered');
    expect(await engagements(delivered.id)).toHaveLength(1);
    expect(await smsConsent(s.customerId)).toMatchObject({ granted: 'true' });
    expect((await row(planned.id)).status).toBe('planned');
  });

  it('STOP withdraws SMS consent, cancels planned SMS, and confirms exactly once however often Twilio delivers it', async () => {
    const s = await shopper();
    const plannedSms = [await message(s, 1, 'sms', 'planned'), await message(s, 2, 'sms', 'planned')];
    const plannedEmail = await message(s, 1, 'email', 'planned');

    const first = await inbound(s.phone, '  Stop ');
    expect(first.status).toBe(200);
    expect(first.contentType).toMatch(/^text\/xml/);
    expect(first.body).toMatch(/<Response><Message>[^<]*You have been unsubscribed[^<]*No more messages will be sent\. Reply START to resubscribe\.<\/Message><\/Response>$/);

    const consent = await smsConsent(s.customerId);
    expect(consent).toEqual({ granted: 'false', by: `twilio:${first.messageSid}` });
    for (const m of plannedSms) expect(await row(m.id)).toMatchObject({ status: 'cancelled', cancel_reason: 'unsubscribed' });
    expect((await row(plannedEmail.id)).status).toBe('planned');

    // Twilio retries the same webhook (same MessageSid), even concurrently: no second confirmation.
    const repeats = await Promise.all([inbound(s.phone, '  Stop ', first.messageSid), inbound(s.phone, '  Stop ', first.messageSid)]);
    for (const r of repeats) {
      expect(r.status).toBe(200);
      expect(r.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    }
    const confirmations = [first, ...repeats].filter((r) => r.body.includes('<Message>'));
    expect(confirmations).toHaveLength(1);
  });

  it('every CTIA opt-out keyword opts out', async () => {
    for (const keyword of ['STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit', 'OPTOUT', 'revoke']) {
      const s = await shopper();
      const r = await inbound(s.phone, keyword);
      expect(r.body, keyword).toContain('You have been unsubscribed');
      expect((await smsConsent(s.customerId)).granted, keyword).toBe('false');
    }
  });

  it('HELP answers with the brand, frequency, rates and how to opt out; other texts get an empty answer', async () => {
    const s = await shopper();
    const help = await inbound(s.phone, 'help');
    expect(help.status).toBe(200);
    expect(help.contentType).toMatch(/^text\/xml/);
    expect(help.body).toContain('Checkout reminders');
    expect(help.body).toContain('up to 3 msgs/week');
    expect(help.body).toContain('Msg &amp; data rates may apply');
    expect(help.body).toContain('Reply STOP to opt out');
    expect((await smsConsent(s.customerId)).granted).toBe('true');

    const chat = await inbound(s.phone, 'is my order coming? stop by later');
    expect(chat.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect((await smsConsent(s.customerId)).granted).toBe('true');
  });

  it('START reinstates consent a text withdrew, but not consent the merchant withdrew', async () => {
    const texted = await shopper();
    await inbound(texted.phone, 'STOP');
    const start = await inbound(texted.phone, 'Start');
    expect(start.body).toContain('You have been resubscribed');
    expect(await smsConsent(texted.customerId)).toEqual({ granted: 'true', by: `twilio:${start.messageSid}` });

    const merchant = await shopper();
    await test.pool.query(`UPDATE customers SET consent = jsonb_set(consent, '{sms}', '{"granted": false, "at": "2025-02-01T00:00:00.000Z", "by": "evt-consent-withdrawn"}') WHERE id = $1`, [merchant.customerId]);
    const refused = await inbound(merchant.phone, 'START');
    expect(refused.status).toBe(200);
    expect(await smsConsent(merchant.customerId)).toEqual({ granted: 'false', by: 'evt-consent-withdrawn' });
  });

  it('Twilio 21610 on send is a permanent opted_out failure and withdraws consent at once', async () => {
    const s = await shopper();
    const sending = await message(s, 0, 'sms', 'sending');
    const planned = await message(s, 1, 'sms', 'planned');
    peer.failNext(400, 21610);
    const error = await sender.send({ key: sending.key, messageId: sending.id, channel: 'sms', to: { phone: s.phone }, content: { body: 'x' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentSendError);
    expect((error as PermanentSendError).reason).toBe('opted_out');
    expect(await smsConsent(s.customerId)).toEqual({ granted: 'false', by: `twilio:21610:${sending.id}` });
    expect(await row(planned.id)).toMatchObject({ status: 'cancelled', cancel_reason: 'unsubscribed' });
  });

  it('Twilio 429 with Retry-After is a transient failure that says when to retry', async () => {
    const s = await shopper();
    peer.failNext(429, 20429, { 'Retry-After': '12' });
    const error = await sender.send({ key: `${s.enrollmentId}:0:sms`, messageId: randomUUID(), channel: 'sms', to: { phone: s.phone }, content: { body: 'x' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientSendError);
    expect((error as TransientSendError).retryAfterMs).toBe(12_000);
  });
});

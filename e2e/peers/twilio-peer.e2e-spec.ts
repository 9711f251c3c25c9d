import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signTwilioRequest, smsSegments, startTwilioPeer, TwilioPeer } from './twilio-peer';

const ACCOUNT_SID = `AC${'a1'.repeat(16)}`;
const AUTH_TOKEN = 'peer-test-auth-token-0123456789';

interface Received {
  url: string;
  headers: IncomingMessage['headers'];
  params: Record<string, string>;
}

/** A receiver for the peer's webhooks that answers like our server would. */
async function startReceiver(answer: (r: Received) => { status: number; body?: string; type?: string }) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const r = { url: request.url ?? '', headers: request.headers, params: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) };
      received.push(r);
      const { status, body, type } = answer(r);
      response.writeHead(status, type ? { 'content-type': type } : {});
      response.end(body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function basic(user: string, pass: string) {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

async function create(peer: TwilioPeer, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${peer.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
    method: 'POST',
    headers: { authorization: basic(ACCOUNT_SID, AUTH_TOKEN), 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any>, headers: response.headers };
}

describe('twilio peer', () => {
  let peer: TwilioPeer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    peer = await startTwilioPeer({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, callbackDelayMs: 5 });
    receiver = await startReceiver(() => ({ status: 204 }));
  });
  afterAll(async () => {
    await peer.close();
    await receiver.close();
  });
  afterEach(() => peer.clear());

  it('accepts a message like Twilio: 201, SM sid, queued, segments', async () => {
    const { status, json } = await create(peer, { To: '+15005550009', From: '+15005550006', Body: 'Your cart is waiting' });
    expect(status).toBe(201);
    expect(json.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(json).toMatchObject({ status: 'queued', to: '+15005550009', from: '+15005550006', body: 'Your cart is waiting', num_segments: '1', account_sid: ACCOUNT_SID, direction: 'outbound-api' });
    expect(peer.messages).toHaveLength(1);
    expect(peer.messages[0]).toMatchObject({ sid: json.sid, to: '+15005550009', body: 'Your cart is waiting' });
  });

  it('sends with a Messaging Service instead of a number', async () => {
    const { status, json } = await create(peer, { To: '+15005550009', MessagingServiceSid: `MG${'b2'.repeat(16)}`, Body: 'hi' });
    expect(status).toBe(201);
    expect(json).toMatchObject({ status: 'accepted', from: null, messaging_service_sid: `MG${'b2'.repeat(16)}` });
  });

  it('refuses wrong credentials with 401 and a Twilio error body', async () => {
    const response = await fetch(`${peer.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
      method: 'POST',
      headers: { authorization: basic(ACCOUNT_SID, 'wrong-token-wrong-token'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'To=%2B15005550009&From=%2B15005550006&Body=x',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 20003, status: 401, more_info: 'https://www.twilio.com/docs/errors/20003' });
    expect(peer.messages).toHaveLength(0);
  });

  it('refuses a To that is not E.164 with 21211', async () => {
    const { status, json } = await create(peer, { To: '5005550009', From: '+15005550006', Body: 'x' });
    expect(status).toBe(400);
    expect(json).toMatchObject({ code: 21211, status: 400 });
  });

  it('answers a repeated idempotency token with the first response and stores one message', async () => {
    const first = await create(peer, { To: '+15005550009', From: '+15005550006', Body: 'once' }, { 'I-Twilio-Idempotency-Token': 'key-1' });
    const second = await create(peer, { To: '+15005550009', From: '+15005550006', Body: 'once' }, { 'I-Twilio-Idempotency-Token': 'key-1' });
    expect(second.status).toBe(201);
    expect(second.json).toEqual(first.json);
    expect(peer.messages).toHaveLength(1);
    expect(peer.messages[0].idempotencyToken).toBe('key-1');
  });

  it('fails the next send as told, with headers, then recovers', async () => {
    peer.failNext(429, undefined, { 'Retry-After': '7' });
    const limited = await create(peer, { To: '+15005550009', From: '+15005550006', Body: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.json.code).toBe(20429);
    expect(limited.headers.get('retry-after')).toBe('7');
    peer.failNext(400, 21610);
    expect((await create(peer, { To: '+15005550009', From: '+15005550006', Body: 'x' })).json).toMatchObject({ code: 21610, status: 400 });
    expect((await create(peer, { To: '+15005550009', From: '+15005550006', Body: 'x' })).status).toBe(201);
  });

  it('posts sent then delivered status callbacks, signed so that the Twilio SDK accepts them', async () => {
    const statusCallback = `${receiver.url}/v1/webhooks/twilio/status?tenant=a`;
    const { json } = await create(peer, { To: '+15005550009', From: '+15005550006', Body: 'x', StatusCallback: statusCallback });
    const delivered = await peer.waitForCallback((c) => c.messageSid === json.sid && c.messageStatus === 'delivered');
    expect(delivered.status).toBe(204);
    const mine = receiver.received.filter((r) => r.params.MessageSid === json.sid);
    expect(mine.map((r) => r.params.MessageStatus)).toEqual(['sent', 'delivered']);
    for (const r of mine) {
      expect(twilio.validateRequest(AUTH_TOKEN, String(r.headers['x-twilio-signature']), statusCallback, r.params)).toBe(true);
      expect(twilio.validateRequest('another-token-another-token', String(r.headers['x-twilio-signature']), statusCallback, r.params)).toBe(false);
    }
  });

  it('reports undelivered with an error code when told', async () => {
    peer.deliverAs('undelivered', 30006);
    const { json } = await create(peer, { To: '+15005550009', From: '+15005550006', Body: 'x', StatusCallback: `${receiver.url}/status` });
    const last = await peer.waitForCallback((c) => c.messageSid === json.sid && c.messageStatus === 'undelivered');
    expect(last.params.ErrorCode).toBe('30006');
  });

  it('posts a signed inbound SMS and returns the answer', async () => {
    const twiml = await startReceiver(() => ({ status: 200, body: '<Response/>', type: 'text/xml' }));
    try {
      const webhookUrl = `${twiml.url}/v1/webhooks/twilio/inbound`;
      const result = await peer.sendInbound({ from: '+15005550009', to: '+15005550006', body: 'STOP', webhookUrl });
      expect(result).toMatchObject({ status: 200, body: '<Response/>', contentType: 'text/xml' });
      const [r] = twiml.received;
      expect(r.params).toMatchObject({ From: '+15005550009', To: '+15005550006', Body: 'STOP', MessageSid: result.messageSid, AccountSid: ACCOUNT_SID });
      expect(twilio.validateRequest(AUTH_TOKEN, String(r.headers['x-twilio-signature']), webhookUrl, r.params)).toBe(true);
    } finally {
      await twiml.close();
    }
  });

  it('signs like the Twilio SDK', () => {
    const params = { To: '+1500', Body: 'a b&c', From: '+1', MessageSid: 'SM1' };
    expect(signTwilioRequest(AUTH_TOKEN, 'https://example.com/x?y=1', params)).toBe(twilio.getExpectedTwilioSignature(AUTH_TOKEN, 'https://example.com/x?y=1', params));
  });

  it('counts segments like carriers', () => {
    expect(smsSegments('a'.repeat(160))).toBe(1);
    expect(smsSegments('a'.repeat(161))).toBe(2);
    expect(smsSegments('€'.repeat(80))).toBe(1);
    expect(smsSegments('é'.repeat(160))).toBe(1);
    expect(smsSegments('ç'.repeat(71))).toBe(2);
    expect(smsSegments('🛒'.repeat(35))).toBe(1);
  });
});

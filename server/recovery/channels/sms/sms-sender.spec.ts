import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTwilioPeer, TwilioPeer } from '../../../../e2e/peers/twilio-peer';
import { AppConfig, loadConfig } from '../../../config/app-config';
import type { OptOutService } from '../../consent/opt-out.service';
import { OutgoingMessage, PermanentSendError, TransientSendError } from '../channel';
import { retryAfterMs, SmsSender } from './sms-sender';
import { RoutedRequestClient } from './twilio-request-client';

const ACCOUNT_SID = `AC${'0f'.repeat(16)}`;
const AUTH_TOKEN = 'sender-spec-auth-token-0123456789';
const NOW = new Date('2025-03-01T12:00:00Z');

function configFor(apiBase: string, from = '+15005550006'): AppConfig {
  return loadConfig({
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_FROM: from,
    TWILIO_API_BASE: apiBase,
    PUBLIC_URL: 'https://recover.example.com',
  });
}

function message(key: string, phone = '+15005550009', body = 'Your cart is waiting: https://s.example/c/1'): OutgoingMessage<'sms'> {
  return { key, messageId: `msg-${key}`, channel: 'sms', to: { phone }, content: { body } };
}

function fakeOptOut() {
  const optOutPhone = vi.fn(async () => 1);
  return { service: { optOutPhone } as unknown as OptOutService, optOutPhone };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the send to fail');
}

describe('SmsSender', () => {
  let peer: TwilioPeer;
  let sender: SmsSender;
  let optOut: ReturnType<typeof fakeOptOut>;

  beforeAll(async () => {
    peer = await startTwilioPeer({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    peer.deliverAs('none');
  });
  afterAll(() => peer.close());
  afterEach(() => {
    peer.clear();
    peer.deliverAs('none');
  });

  const build = (config = configFor(peer.url)) => {
    optOut = fakeOptOut();
    sender = new SmsSender(config, optOut.service, { now: () => NOW });
    return sender;
  };

  it('sends through the SDK to the configured API base and returns the SM sid', async () => {
    build();
    const receipt = await sender.send(message('enr-1:0:sms'));
    expect(receipt.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    const seen = await peer.waitFor();
    expect(seen).toMatchObject({
      sid: receipt.providerMessageId,
      to: '+15005550009',
      from: '+15005550006',
      messagingServiceSid: null,
      body: 'Your cart is waiting: https://s.example/c/1',
      statusCallback: 'https://recover.example.com/v1/webhooks/twilio/status',
      idempotencyToken: 'enr-1:0:sms',
    });
    expect(seen.headers['user-agent']).toMatch(/^twilio-node\//);
  });

  it('sends from a Messaging Service when TWILIO_FROM is an MG sid', async () => {
    const service = `MG${'3c'.repeat(16)}`;
    build(configFor(peer.url, service));
    await sender.send(message('enr-2:0:sms'));
    expect(peer.messages[0]).toMatchObject({ from: null, messagingServiceSid: service });
  });

  it('keeps each concurrent send\'s own idempotency key', async () => {
    build();
    const keys = Array.from({ length: 8 }, (_, i) => `enr-c${i}:0:sms`);
    const receipts = await Promise.all(keys.map((k) => sender.send(message(k))));
    for (const [i, key] of keys.entries()) {
      expect(peer.messages.find((m) => m.sid === receipts[i].providerMessageId)?.idempotencyToken).toBe(key);
    }
  });

  it('429 is transient and honours Retry-After (seconds or date)', async () => {
    build();
    peer.failNext(429, 20429, { 'Retry-After': '7' });
    const error = await failure(sender.send(message('k429')));
    expect(error).toBeInstanceOf(TransientSendError);
    expect((error as TransientSendError).retryAfterMs).toBe(7000);

    peer.failNext(429, 20429, { 'Retry-After': new Date(NOW.getTime() + 30_000).toUTCString() });
    expect(((await failure(sender.send(message('k429b')))) as TransientSendError).retryAfterMs).toBe(30_000);
  });

  it('5xx is transient', async () => {
    build();
    peer.failNext(500, 20500);
    expect(await failure(sender.send(message('k500')))).toBeInstanceOf(TransientSendError);
    peer.failNext(503);
    expect(await failure(sender.send(message('k503')))).toBeInstanceOf(TransientSendError);
  });

  it('an unreachable API is transient', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    build(configFor(`http://127.0.0.1:${port}`));
    const error = await failure(sender.send(message('k-down')));
    expect(error).toBeInstanceOf(TransientSendError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('21610 is opted_out and withdraws SMS consent for the number', async () => {
    build();
    peer.failNext(400, 21610);
    const error = await failure(sender.send(message('k21610', '+15005550010')));
    expect(error).toBeInstanceOf(PermanentSendError);
    expect((error as PermanentSendError).reason).toBe('opted_out');
    expect(optOut.optOutPhone).toHaveBeenCalledWith('+15005550010', { channel: 'sms', at: NOW, by: 'twilio:21610:msg-k21610' });
  });

  it('21610 still fails permanently when recording the opt-out fails', async () => {
    build();
    optOut.optOutPhone.mockRejectedValueOnce(new Error('database down'));
    peer.failNext(400, 21610);
    expect(((await failure(sender.send(message('k21610b')))) as PermanentSendError).reason).toBe('opted_out');
  });

  it('21211 and 21614 are invalid_recipient; other 4xx are permanent with the code', async () => {
    build();
    peer.failNext(400, 21614);
    expect(((await failure(sender.send(message('k21614')))) as PermanentSendError).reason).toBe('invalid_recipient');
    // The peer itself refuses a To that is not E.164 with 21211.
    expect(((await failure(sender.send(message('k21211', '12345')))) as PermanentSendError).reason).toBe('invalid_recipient');
    peer.failNext(400, 21408);
    const other = await failure(sender.send(message('k21408')));
    expect(other).toBeInstanceOf(PermanentSendError);
    expect((other as PermanentSendError).reason).toBe('twilio_21408');
    expect(optOut.optOutPhone).not.toHaveBeenCalled();
  });

  it('wrong credentials are permanent (twilio_20003)', async () => {
    const config = configFor(peer.url);
    build({ ...config, twilio: { ...config.twilio!, authToken: 'not-the-right-token-at-all' } });
    expect(((await failure(sender.send(message('k401')))) as PermanentSendError).reason).toBe('twilio_20003');
  });

  it('is disabled without Twilio configuration', async () => {
    build(loadConfig({}));
    expect(sender.enabled).toBe(false);
    expect(((await failure(sender.send(message('k-off')))) as PermanentSendError).reason).toBe('channel_disabled');
  });
});

describe('RoutedRequestClient', () => {
  it('rewrites Twilio API hosts (edge/region ones too) to the configured base, keeping path and query', () => {
    const client = new RoutedRequestClient('http://127.0.0.1:4010/twilio/');
    expect(client.route(`https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json?x=1`)).toBe(
      `http://127.0.0.1:4010/twilio/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json?x=1`,
    );
    expect(client.route('https://api.dublin.ie1.twilio.com/2010-04-01/x.json')).toBe('http://127.0.0.1:4010/twilio/2010-04-01/x.json');
    expect(client.route('https://messaging.twilio.com/v1/Services')).toBe('https://messaging.twilio.com/v1/Services');
  });

  it('leaves URLs alone with the default base', () => {
    const client = new RoutedRequestClient('https://api.twilio.com');
    expect(client.route('https://api.sydney.au1.twilio.com/2010-04-01/x.json')).toBe('https://api.sydney.au1.twilio.com/2010-04-01/x.json');
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, and ignores garbage', () => {
    expect(retryAfterMs('2', NOW)).toBe(2000);
    expect(retryAfterMs('0.5', NOW)).toBe(500);
    expect(retryAfterMs(new Date(NOW.getTime() + 5000).toUTCString(), NOW)).toBe(5000);
    expect(retryAfterMs(new Date(NOW.getTime() - 5000).toUTCString(), NOW)).toBe(0);
    expect(retryAfterMs('soon', NOW)).toBeUndefined();
    expect(retryAfterMs(undefined, NOW)).toBeUndefined();
  });
});

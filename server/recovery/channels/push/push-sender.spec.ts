import { Pool } from 'pg';
import { describe, expect, it } from 'vitest';
import * as webpush from 'web-push';
import { OutgoingMessage, PermanentSendError } from '../channel';
import { isAllowedPushService, MAX_PUSH_PAYLOAD_BYTES, parseRetryAfter, pushPayload, PushSender } from './push-sender';
import { VapidKeys } from './vapid-keys';

const subscription = { endpoint: 'https://push.example/sub/1', keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) } };

function message(body: string, icon?: string): OutgoingMessage<'push'> {
  return {
    key: 'k1',
    messageId: 'm1',
    channel: 'push',
    to: { subscription },
    content: { title: 'T', body, url: 'https://shop.example/c', clickUrl: 'https://recover.example/r/push-click/a.b', ...(icon ? { icon } : {}) },
  };
}

describe('push sender', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0); // in the past: now
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('sends { title, body, url, icon?, clickUrl, messageId }', () => {
    expect(JSON.parse(pushPayload(message('B', 'https://shop.example/i.png')))).toEqual({
      title: 'T',
      body: 'B',
      url: 'https://shop.example/c',
      icon: 'https://shop.example/i.png',
      clickUrl: 'https://recover.example/r/push-click/a.b',
      messageId: 'm1',
    });
    expect(JSON.parse(pushPayload(message('B')))).not.toHaveProperty('icon');
  });

  it('refuses payloads over 3 KB (counted in UTF-8 bytes) before any network or database work', async () => {
    const pair = webpush.generateVAPIDKeys();
    // A pool nothing listens behind, and an endpoint nothing answers: any database or network work would fail differently.
    const pool = new Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMillis: 200 });
    const sender = new PushSender(new VapidKeys('mailto:a@b.c', pair.publicKey, pair.privateKey, 'generated'), pool, ['push.example']);
    const overhead = Buffer.byteLength(pushPayload(message('')));
    const error = await sender.send(message('é'.repeat(Math.ceil((MAX_PUSH_PAYLOAD_BYTES - overhead) / 2) + 1))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentSendError);
    expect((error as PermanentSendError).reason).toBe('payload_too_large');
    expect(pool.totalCount).toBe(0);
    await pool.end();
  });
});

describe('isAllowedPushService', () => {
  const allowed = ['fcm.googleapis.com', '.push.apple.com'];
  it('takes listed hosts and subdomains of dotted entries, nothing else', () => {
    expect(isAllowedPushService('https://fcm.googleapis.com/fcm/send/x', allowed)).toBe(true);
    expect(isAllowedPushService('https://web.push.apple.com/abc', allowed)).toBe(true);
    expect(isAllowedPushService('https://push.apple.com/abc', allowed)).toBe(true);
    expect(isAllowedPushService('https://evil-push.apple.com.attacker.net/x', allowed)).toBe(false);
    expect(isAllowedPushService('https://notfcm.googleapis.com/x', allowed)).toBe(false);
    expect(isAllowedPushService('http://169.254.169.254/latest/meta-data', allowed)).toBe(false);
    expect(isAllowedPushService('not a url', allowed)).toBe(false);
  });
});

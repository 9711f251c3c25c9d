import { randomBytes, randomUUID } from 'node:crypto';
import { PushPeer, startPushPeer } from '../peers/push-peer';
import { SmtpPeer, startSmtpPeer } from '../peers/smtp-peer';
import { startTwilioPeer, TwilioPeer } from '../peers/twilio-peer';
import { freePort } from './server-process';
import { postJson, startTestApp, TestApp } from './test-app';

export interface RecoveryRig {
  t: TestApp;
  smtp: SmtpPeer;
  push: PushPeer;
  twilio: TwilioPeer;
  key: string;
  vapidPublicKey: string;
  send(events: unknown[]): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/**
 * The whole product against its local peers: the app (all roles) with SMTP, Web Push and Twilio pointed at
 * them, campaign time accelerated by `timeScale`, a fast sweep, and one source.
 */
export async function startRecoveryRig(label: string, timeScale: string, env: Record<string, string> = {}): Promise<RecoveryRig> {
  const [smtp, push] = await Promise.all([startSmtpPeer(), startPushPeer()]);
  const twilio = await startTwilioPeer({ accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex') });
  const port = await freePort();
  const t = await startTestApp(label, {
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Boots & Co <shop@boots.example>',
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_BASE: twilio.url,
    CAMPAIGN_TIME_SCALE: timeScale,
    SWEEP_INTERVAL_S: '1',
    WORKER_CONCURRENCY: '20',
    PUSH_SERVICE_HOSTS: '127.0.0.1',
    ...env,
  });
  const { writeKey: key } = await t.createSource({ name: 'Boots & Co', allowedOrigins: ['https://boots.example'] });
  const vapidPublicKey = ((await (await fetch(`${t.url}/v1/push/vapid-public-key`)).json()) as { publicKey: string }).publicKey;
  return {
    t,
    smtp,
    push,
    twilio,
    key,
    vapidPublicKey,
    send: (events) => postJson(`${t.url}/v1/events`, { events }, { authorization: `Bearer ${key}` }),
    async close() {
      await t.close();
      await Promise.all([smtp.close(), push.close(), twilio.close()]);
    },
  };
}

/** A shopper's checkout up to the payment step, reachable on the channels given, all events "now". */
export function checkoutJourney(options: {
  tag: string;
  timezone: string;
  email?: string;
  phone?: string;
  smsConsent?: boolean;
  pushSubscription?: unknown;
  value?: number;
}) {
  const at = () => new Date().toISOString();
  const customer = { anonymous_id: `anon-${options.tag}`, timezone: options.timezone, email: options.email, phone: options.phone };
  const events: Array<Record<string, unknown>> = [
    {
      type: 'checkout_started',
      checkout_id: `co-${options.tag}`,
      customer,
      cart: {
        items: [{ sku: 'BOOT-42', name: 'Leather boots', quantity: 1, unit_price: options.value ?? 120, image_url: 'https://cdn.boots.example/boot.jpg' }],
        currency: 'EUR',
      },
      context: { page: { url: `https://boots.example/checkout/${options.tag}` }, user_agent: 'Mozilla/5.0 (iPhone) Mobile' },
    },
    { type: 'contact_entered', checkout_id: `co-${options.tag}`, customer },
  ];
  if (options.smsConsent) events.push({ type: 'consent_changed', customer, properties: { channel: 'sms', granted: true } });
  if (options.pushSubscription) {
    events.push({ type: 'push_subscribed', customer, properties: { subscription: options.pushSubscription } });
    events.push({ type: 'consent_changed', customer, properties: { channel: 'push', granted: true } });
  }
  return events.map((e): Record<string, unknown> => ({ event_id: randomUUID(), occurred_at: at(), ...e }));
}

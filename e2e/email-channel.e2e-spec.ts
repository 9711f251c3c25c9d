import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OutgoingMessage, PermanentSendError, TransientSendError } from '../server/recovery/channels/channel';
import { EmailSender, EmailTransportOptions, messageIdFor } from '../server/recovery/channels/email/email-sender';
import { composeEmail } from '../server/recovery/channels/email/email-tracking';
import { SignedLinks } from '../server/recovery/links/signed-links';
import { DEFAULT_TEMPLATES } from '../server/recovery/templates/default-templates';
import { buildTemplateContext } from '../server/recovery/templates/template-context';
import { SmtpPeer, startSmtpPeer } from './peers/smtp-peer';

const PUBLIC_URL = 'https://recover.example.com';
const links = new SignedLinks(PUBLIC_URL, 'e2e-link-secret');
const RESUME_URL = 'https://shop.example.com/checkout/resume?token=t0k&utm_source=recovery';
const HOSTILE_NAME = `<script>alert("hi")</script>`;
const HOSTILE_ITEM = `Tom's "best" <b>boots</b> & laces`;
const FAST: EmailTransportOptions = { connectionTimeoutMs: 2000, greetingTimeoutMs: 2000, socketTimeoutMs: 5000, sendTimeoutMs: 10_000 };

function emailFor(messageId: string, key: string, to = 'ann@example.com'): OutgoingMessage<'email'> {
  const context = buildTemplateContext({
    messageId,
    channel: 'email',
    links,
    resumeUrl: RESUME_URL,
    brandName: 'Acme Outfitters',
    locale: 'de-DE',
    customer: { firstName: HOSTILE_NAME, email: to },
    cart: {
      currency: 'EUR',
      value: 84.5,
      items: [
        { sku: 'TEE', name: HOSTILE_ITEM, quantity: 2, unit_price: 19.5, image_url: 'https://cdn.example.com/tee.jpg' },
        { sku: 'CAP', name: 'Canvas cap', quantity: 1, unit_price: 45.5, image_url: 'https://cdn.example.com/cap.jpg' },
      ],
    },
  });
  const template = DEFAULT_TEMPLATES.find((t) => t.key === 'reminder-email')!;
  return {
    key,
    messageId,
    channel: 'email',
    to: { email: to, name: 'Ann "The Shopper" O\'Neil' },
    content: composeEmail(template, context, { links, messageId, mailto: 'unsubscribe@recover.example.com' }),
  };
}

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('email channel over real SMTP', () => {
  let peer: SmtpPeer;
  let sender: EmailSender;
  const extraSenders: EmailSender[] = [];

  /** A sender with its own pool, so its first delivery is on a fresh connection. */
  const freshSender = () => {
    const s = new EmailSender({ publicUrl: PUBLIC_URL, smtp: { url: peer.url, from: '"Acme Outfitters" <shop@acme.example>' } }, FAST);
    extraSenders.push(s);
    return s;
  };

  beforeAll(async () => {
    peer = await startSmtpPeer();
    sender = new EmailSender({ publicUrl: PUBLIC_URL, smtp: { url: peer.url.replace('smtp://', 'smtp://mailer:secret@'), from: '"Acme Outfitters" <shop@acme.example>' } }, FAST);
  });
  afterAll(async () => {
    sender?.close();
    for (const s of extraSenders) s.close();
    await peer?.close();
  });
  beforeEach(() => peer.clear());

  it('delivers the rendered cart email: html and text parts, cart lines, unsubscribe headers', async () => {
    const message = emailFor('11111111-1111-4111-8111-111111111111', 'enrollment-1:step-0:email');
    const receipt = await sender.send(message);
    const mail = await peer.waitFor((m) => m.to.includes('ann@example.com'));

    expect(receipt.providerMessageId).toBe(`<enrollment-1=3Astep-0=3Aemail@recover.example.com>`);
    expect(mail.messageId).toBe(receipt.providerMessageId);
    expect(mail.from).toBe('shop@acme.example');
    expect(mail.fromHeader).toBe('"Acme Outfitters" <shop@acme.example>');
    expect(mail.toHeader).toContain('<ann@example.com>');
    expect(mail.user).toBe('mailer');
    expect(mail.subject).toBe(`${HOSTILE_NAME}, your cart is waiting`);
    expect(mail.raw).toMatch(/Content-Type: multipart\/alternative/i);

    expect(mail.html).toBeTruthy();
    expect(mail.text).toBeTruthy();
    expect(nbsp(mail.html!)).toContain('Qty 2 &times; 19,50 €');
    expect(nbsp(mail.html!)).toMatch(/Total<\/td>\s*<td[^>]*>84,50 €<\/td>/);
    expect(mail.html).toContain('<img src="https://cdn.example.com/cap.jpg" width="64" height="64" alt="Canvas cap"');
    expect(mail.html).toContain('>Complete your order</a>');
    expect(nbsp(mail.text!)).toContain(`- ${HOSTILE_ITEM} (x2): 39,00 €`);
    expect(nbsp(mail.text!)).toContain('Total: 84,50 €');

    const unsubscribe = links.unsubscribe(message.messageId, 'email');
    expect(mail.headers['list-unsubscribe']).toBe(`<${unsubscribe}>, <mailto:unsubscribe@recover.example.com?subject=unsubscribe>`);
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(mail.html).toContain(`<a href="${unsubscribe}"`);
    expect(mail.text).toContain(`Unsubscribe: ${unsubscribe}`);
  });

  it('escapes customer data in the HTML, and only there', async () => {
    await sender.send(emailFor('22222222-2222-4222-8222-222222222222', 'escape-check'));
    const mail = await peer.waitFor();
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>boots</b>');
    expect(mail.html).toContain('Hi &lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;,');
    expect(mail.html).toContain('Tom&#39;s &quot;best&quot; &lt;b&gt;boots&lt;/b&gt; &amp; laces');
    expect(mail.text).toContain(`Hi ${HOSTILE_NAME},`);
    expect(mail.text).not.toMatch(/&(amp|lt|gt|quot|#39);/);
  });

  it('carries the open pixel and tracked links that verify with SignedLinks', async () => {
    const messageId = '33333333-3333-4333-8333-333333333333';
    await sender.send(emailFor(messageId, 'tracking-check'));
    const mail = await peer.waitFor();

    const pixel = /<img src="https:\/\/recover\.example\.com\/r\/open\/([^"]+)" width="1" height="1" alt="" style="display:none"><\/body>/.exec(mail.html!);
    expect(pixel).not.toBeNull();
    expect(links.verify('open', pixel![1]!)).toEqual({ action: 'open', messageId });

    const hrefs = [...mail.html!.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThanOrEqual(4);
    for (const href of hrefs) expect(href.startsWith(`${PUBLIC_URL}/r/`)).toBe(true);
    const clicks = hrefs.filter((h) => h.includes('/r/click/')).map((h) => links.verify('click', h.split('/r/click/')[1]!));
    expect(clicks.length).toBeGreaterThanOrEqual(3);
    for (const claims of clicks) expect(claims).toEqual({ action: 'click', messageId, target: RESUME_URL });

    const tampered = hrefs.find((h) => h.includes('/r/click/'))!.split('/r/click/')[1]!.replace(/^./, (c) => (c === 'e' ? 'f' : 'e'));
    expect(links.verify('click', tampered)).toBeNull();
  });

  it('gives the same Message-ID to two sends of the same key', async () => {
    const first = await sender.send(emailFor('44444444-4444-4444-8444-444444444444', 'retry-key'));
    const second = await sender.send(emailFor('44444444-4444-4444-8444-444444444444', 'retry-key'));
    const other = await sender.send(emailFor('55555555-5555-4555-8555-555555555555', 'other-key'));
    await peer.waitFor((m) => m.messageId === other.providerMessageId);
    expect(second.providerMessageId).toBe(first.providerMessageId);
    expect(first.providerMessageId).toBe(messageIdFor('retry-key', PUBLIC_URL));
    expect(peer.messages.filter((m) => m.messageId === first.providerMessageId)).toHaveLength(2);
    expect(other.providerMessageId).not.toBe(first.providerMessageId);
  });

  it('surfaces a 421 as TransientSendError', async () => {
    peer.failNext(1, { code: 421, stage: 'rcpt' });
    const error = await freshSender()
      .send(emailFor('66666666-6666-4666-8666-666666666666', 'k-421'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientSendError);
    expect((error as Error).message).toMatch(/^SMTP 421 .*: 421 4.3.2 Service not available/);

    peer.failNext(1, { code: 451, stage: 'data' });
    await expect(sender.send(emailFor('66666666-6666-4666-8666-666666666667', 'k-451'))).rejects.toBeInstanceOf(TransientSendError);
    expect(peer.refusals.map((r) => r.code)).toEqual([421, 451]);
  });

  it('surfaces a 550 as PermanentSendError (invalid_recipient), a content refusal as rejected, and keeps sending', async () => {
    peer.failNext(1, { code: 550 });
    const error = await sender.send(emailFor('77777777-7777-4777-8777-777777777777', 'k-550', 'gone@example.com')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentSendError);
    expect(error).toMatchObject({ reason: 'invalid_recipient' });

    peer.failNext(1, { code: 550, stage: 'rcpt', message: '5.7.1 Relaying denied' });
    await expect(sender.send(emailFor('77777777-7777-4777-8777-777777777770', 'k-relay'))).rejects.toMatchObject({ name: 'PermanentSendError', reason: 'rejected' });

    peer.failNext(1, { code: 554, stage: 'data', message: '5.7.1 Message rejected as spam' });
    await expect(sender.send(emailFor('77777777-7777-4777-8777-777777777778', 'k-554'))).rejects.toMatchObject({ name: 'PermanentSendError', reason: 'rejected' });

    await expect(sender.send(emailFor('77777777-7777-4777-8777-777777777779', 'k-after'))).resolves.toMatchObject({ providerMessageId: expect.any(String) });
    expect(peer.messages).toHaveLength(1);
  });

  it('treats a server that is not there as transient', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const nowhere = new EmailSender({ publicUrl: PUBLIC_URL, smtp: { url: `smtp://127.0.0.1:${port}`, from: 'shop@acme.example' } }, FAST);
    extraSenders.push(nowhere);
    await expect(nowhere.send(emailFor('88888888-8888-4888-8888-888888888888', 'k-down'))).rejects.toBeInstanceOf(TransientSendError);
  });
});

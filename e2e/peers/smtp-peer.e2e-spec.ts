import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SmtpPeer, startSmtpPeer } from './smtp-peer';

describe('SMTP peer', () => {
  let peer: SmtpPeer;

  beforeAll(async () => {
    peer = await startSmtpPeer();
  });
  afterAll(async () => {
    await peer.close();
  });
  beforeEach(() => peer.clear());

  const transport = (auth = false) =>
    createTransport({
      url: auth ? peer.url.replace('smtp://', 'smtp://user:secret@') : peer.url,
      connectionTimeout: 2000,
      greetingTimeout: 2000,
      socketTimeout: 5000,
    });

  it('keeps every message parsed: envelope, headers, html and text parts', async () => {
    const mailer = transport(true);
    await mailer.sendMail({
      from: '"Shop" <shop@example.com>',
      to: 'ann@example.com',
      subject: 'Hello Ann',
      text: 'plain part',
      html: '<p>html part</p>',
      messageId: '<abc@shop.example>',
      headers: { 'X-Custom': 'one', 'List-Unsubscribe': '<https://shop.example/u>' },
    });
    mailer.close();

    const mail = await peer.waitFor((m) => m.subject === 'Hello Ann');
    expect(mail.from).toBe('shop@example.com');
    expect(mail.to).toEqual(['ann@example.com']);
    expect(mail.fromHeader).toContain('shop@example.com');
    expect(mail.text?.trim()).toBe('plain part');
    expect(mail.html).toContain('<p>html part</p>');
    expect(mail.messageId).toBe('<abc@shop.example>');
    expect(mail.headers['x-custom']).toBe('one');
    expect(mail.headers['list-unsubscribe']).toBe('<https://shop.example/u>');
    expect(mail.user).toBe('user');
    expect(mail.raw).toContain('Subject: Hello Ann');
    expect(peer.messages).toHaveLength(1);
  });

  it('waitFor resolves with a message that arrives later, and times out with what it saw', async () => {
    const waiting = peer.waitFor((m) => m.to.includes('late@example.com'), 5000);
    const mailer = transport();
    await mailer.sendMail({ from: 'a@example.com', to: 'late@example.com', subject: 'Later', text: 'x' });
    mailer.close();
    await expect(waiting).resolves.toMatchObject({ subject: 'Later' });
    await expect(peer.waitFor((m) => m.subject === 'never', 100)).rejects.toThrow(/No matching mail within 100 ms.*Later/);
  });

  it('fails the next deliveries with a scripted reply, then accepts again', async () => {
    peer.failNext(1, { code: 550 });
    peer.failNext(1, { code: 421, stage: 'data' });
    const mailer = transport();
    const send = () => mailer.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'Try', text: 'x' });

    await expect(send()).rejects.toMatchObject({ responseCode: 550, command: 'RCPT TO' });
    await expect(send()).rejects.toMatchObject({ responseCode: 421 });
    await expect(send()).resolves.toMatchObject({ accepted: ['b@example.com'] });
    mailer.close();

    expect(peer.refusals.map((r) => [r.stage, r.code])).toEqual([
      ['rcpt', 550],
      ['data', 421],
    ]);
    expect(peer.messages).toHaveLength(1);
  });
});

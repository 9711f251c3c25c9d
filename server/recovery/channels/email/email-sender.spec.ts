import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { describe, expect, it, vi } from 'vitest';
import { APP_CONFIG } from '../../../config/app-config';
import { PermanentSendError, TransientSendError } from '../channel';
import { classifySmtpError, EMAIL_SENDER, EmailSender, messageIdFor } from './email-sender';
import { EmailChannelModule } from './email.module';

const smtpError = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.response ?? fields.message ?? 'failed')), fields);

describe('classifySmtpError', () => {
  it.each([
    ['connection refused', { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }],
    ['connection closed', { code: 'ECONNECTION' }],
    ['timeout', { code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' }],
    ['aborted send', { code: 'EABORT' }],
    ['TLS failure', { code: 'ETLS' }],
    ['421 at RCPT', { code: 'EENVELOPE', responseCode: 421, command: 'RCPT TO', response: '421 4.3.2 closing' }],
    ['450 mailbox busy', { code: 'EENVELOPE', responseCode: 450, command: 'RCPT TO', response: '450 4.2.1 busy' }],
    ['452 after DATA', { code: 'EMESSAGE', responseCode: 452, command: 'DATA', response: '452 4.3.1 storage' }],
    ['503 bad sequence', { code: 'EPROTOCOL', responseCode: 503, command: 'RCPT TO', response: '503 5.5.1 bad sequence' }],
    ['535 bad credentials', { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN', response: '535 5.7.8 bad credentials' }],
  ])('%s → transient', (_label, fields) => {
    expect(classifySmtpError(smtpError(fields))).toBeInstanceOf(TransientSendError);
  });

  it.each([
    ['550 to RCPT', { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 Mailbox unavailable' }, 'invalid_recipient'],
    ['551 to RCPT', { code: 'EENVELOPE', responseCode: 551, command: 'RCPT TO', response: '551 User not local' }, 'invalid_recipient'],
    ['553 to RCPT', { code: 'EENVELOPE', responseCode: 553, command: 'RCPT TO', response: '553 5.1.3 Mailbox name not allowed' }, 'invalid_recipient'],
    ['5.1.1 after DATA (LMTP style)', { code: 'EMESSAGE', responseCode: 550, command: 'DATA', response: '550 5.1.1 No such user' }, 'invalid_recipient'],
    ['5.2.1 mailbox disabled', { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 5.2.1 Mailbox disabled' }, 'invalid_recipient'],
    ['relaying denied at RCPT', { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 5.7.1 Relaying denied' }, 'rejected'],
    ['spam at DATA', { code: 'EMESSAGE', responseCode: 554, command: 'DATA', response: '554 5.7.1 Message rejected as spam' }, 'rejected'],
    ['size', { code: 'EMESSAGE', responseCode: 552, command: 'DATA', response: '552 5.3.4 Too big' }, 'rejected'],
    ['sender refused', { code: 'EENVELOPE', responseCode: 553, command: 'MAIL FROM', response: '553 5.1.8 Bad sender domain' }, 'rejected'],
    ['envelope refused by nodemailer', { code: 'EENVELOPE', message: 'No recipients defined' }, 'invalid_recipient'],
  ])('%s → permanent %s', (_label, fields, reason) => {
    const classified = classifySmtpError(smtpError(fields));
    expect(classified).toBeInstanceOf(PermanentSendError);
    expect((classified as PermanentSendError).reason).toBe(reason);
  });

  it('keeps the reply in the message and passes our own errors through', () => {
    expect(classifySmtpError(smtpError({ responseCode: 550, command: 'RCPT TO', response: '550 5.1.1 No such user' })).message).toBe(
      'SMTP 550 to RCPT TO: 550 5.1.1 No such user',
    );
    const own = new PermanentSendError('x', 'invalid_recipient');
    expect(classifySmtpError(own)).toBe(own);
    expect(classifySmtpError('weird')).toBeInstanceOf(TransientSendError);
  });
});

describe('messageIdFor', () => {
  it('is stable per key, on the public URL host', () => {
    expect(messageIdFor('2f1d6c1e-0d3e-4c55-9a3f-1f0e7c2b9a10', 'https://recover.example.com')).toBe('<2f1d6c1e-0d3e-4c55-9a3f-1f0e7c2b9a10@recover.example.com>');
    expect(messageIdFor('k', 'http://localhost:3000')).toBe('<k@localhost>');
  });

  it('encodes any key into a valid, distinct id-left', () => {
    expect(messageIdFor('enr:1/step 2', 'https://r.example')).toBe('<enr=3A1=2Fstep=202@r.example>');
    expect(messageIdFor('a=3Ab', 'https://r.example')).not.toBe(messageIdFor('a:b', 'https://r.example'));
    expect(messageIdFor('é<>', 'https://r.example')).toBe('<=C3=A9=3C=3E@r.example>');
    expect(messageIdFor('x'.repeat(300), 'https://r.example')).toMatch(/^<h-[0-9a-f]{64}@r\.example>$/);
  });
});

describe('EmailSender without SMTP', () => {
  it('is disabled and refuses to send with channel_disabled', async () => {
    const sender = new EmailSender({ publicUrl: 'https://r.example' });
    expect(sender.enabled).toBe(false);
    expect(sender.kind).toBe('email');
    const sending = sender.send({
      key: 'k',
      messageId: 'm',
      channel: 'email',
      to: { email: 'ann@example.com' },
      content: { subject: 's', html: '<p>h</p>', text: 't', headers: {} },
    });
    await expect(sending).rejects.toBeInstanceOf(PermanentSendError);
    await expect(sending).rejects.toMatchObject({ reason: 'channel_disabled' });
    sender.close();
  });

  it('refuses an address that is not one before touching SMTP', async () => {
    const sender = new EmailSender({ publicUrl: 'https://r.example', smtp: { url: 'smtp://127.0.0.1:9', from: 'a@r.example' } });
    const send = (email: string) =>
      sender.send({ key: 'k', messageId: 'm', channel: 'email', to: { email }, content: { subject: 's', html: 'h', text: 't', headers: {} } });
    await expect(send('ann@example.com\r\nBcc: all@example.com')).rejects.toMatchObject({ reason: 'invalid_recipient' });
    await expect(send('nobody')).rejects.toMatchObject({ reason: 'invalid_recipient' });
    sender.close();
  });
});

describe('EmailChannelModule', () => {
  /** APP_CONFIG is global in the app; here a tiny global module provides it. */
  function withConfig(config: object) {
    @Global()
    @Module({ providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] })
    class ConfigModule {}
    return Test.createTestingModule({ imports: [ConfigModule, EmailChannelModule] }).compile();
  }

  it('provides EMAIL_SENDER and says at start-up when the channel is disabled', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const module = await withConfig({ publicUrl: 'https://r.example' });
    const sender = module.get<EmailSender>(EMAIL_SENDER);
    expect(sender).toBeInstanceOf(EmailSender);
    expect(sender.enabled).toBe(false);
    expect(warn).toHaveBeenCalledWith('email channel disabled: SMTP_URL is not set');
    await module.close();
    warn.mockRestore();
  });

  it('closes the transport on shutdown when enabled', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const module = await withConfig({ publicUrl: 'https://r.example', smtp: { url: 'smtp://127.0.0.1:9', from: 'a@r.example' } });
    const sender = module.get<EmailSender>(EMAIL_SENDER);
    expect(sender.enabled).toBe(true);
    expect(warn).not.toHaveBeenCalled();
    const close = vi.spyOn(sender, 'close');
    await module.close();
    expect(close).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});

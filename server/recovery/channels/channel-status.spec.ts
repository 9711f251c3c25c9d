import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/app-config';
import { channelStatuses, disabledChannels } from './channel-status';
import { EmailSender } from './email/email-sender';

const TWILIO = { TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'x'.repeat(32), TWILIO_FROM: '+14155550100' };

describe('channel status from the configuration', () => {
  it('without SMTP or Twilio: email and SMS disabled, saying which setting is missing; push has generated keys', () => {
    const config = loadConfig({});
    expect(channelStatuses(config)).toEqual([
      { channel: 'email', enabled: false, reason: 'SMTP_URL is not set', detail: expect.stringContaining('SMTP_URL') },
      { channel: 'push', enabled: true, reason: null, detail: expect.stringContaining('generated') },
      { channel: 'sms', enabled: false, reason: 'TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM are not set', detail: expect.any(String) },
    ]);
    expect(disabledChannels(config)).toEqual(['email', 'sms']);
  });

  it('with both: everything enabled, and no secret in what is shown', () => {
    const config = loadConfig({ SMTP_URL: 'smtp://mailer:hunter22secret@smtp.example.com:587', MAIL_FROM: 'Shop <shop@example.com>', ...TWILIO });
    const statuses = channelStatuses(config);
    expect(statuses.map((s) => [s.channel, s.enabled, s.reason])).toEqual([
      ['email', true, null],
      ['push', true, null],
      ['sms', true, null],
    ]);
    expect(statuses[0].detail).toBe('SMTP relay smtp://smtp.example.com:587, from Shop <shop@example.com>');
    expect(JSON.stringify(statuses)).not.toMatch(/hunter22secret|x{32}/);
    expect(disabledChannels(config)).toEqual([]);
  });

  it('agrees with the email sender, which refuses at send time what the planner would not plan', () => {
    for (const env of [{}, { SMTP_URL: 'smtp://127.0.0.1:2525' }]) {
      const config = loadConfig(env);
      const sender = new EmailSender(config);
      expect(sender.enabled).toBe(!disabledChannels(config).includes('email'));
      sender.close();
    }
  });
});

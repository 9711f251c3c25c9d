import { describe, expect, it } from 'vitest';
import { SMS_BRAND, SMS_REPLIES, smsKeyword, twiml } from './sms-keywords';

describe('smsKeyword', () => {
  it.each(['STOP', 'stop', ' Stop ', 'STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit', 'OptOut', 'REVOKE', 'Stop.', 'STOP!\n'])('%j opts out', (body) => {
    expect(smsKeyword(body)).toBe('stop');
  });

  it.each(['HELP', 'help', ' Info '])('%j asks for help', (body) => {
    expect(smsKeyword(body)).toBe('help');
  });

  it.each(['START', 'unstop', 'Yes'])('%j opts back in', (body) => {
    expect(smsKeyword(body)).toBe('start');
  });

  it.each(['please stop', 'STOP IT', 'stopp', 'ok', '', '   ', 'Don\'t stop'])('%j is not a keyword', (body) => {
    expect(smsKeyword(body)).toBeUndefined();
  });

  it('follows Twilio Advanced Opt-Out when it matched a custom keyword', () => {
    expect(smsKeyword('ARRET', 'STOP')).toBe('stop');
    expect(smsKeyword('AIDE', 'HELP')).toBe('help');
    expect(smsKeyword('hello', '')).toBeUndefined();
  });
});

describe('replies', () => {
  it('STOP confirms once and tells how to resubscribe', () => {
    expect(SMS_REPLIES.stop).toContain('You have been unsubscribed');
    expect(SMS_REPLIES.stop).toContain('No more messages will be sent');
    expect(SMS_REPLIES.stop).toContain('Reply START to resubscribe');
  });

  it('HELP carries the brand, frequency, rates and opt-out instructions', () => {
    expect(SMS_REPLIES.help).toContain(SMS_BRAND);
    expect(SMS_REPLIES.help).toContain('up to 3 msgs/week');
    expect(SMS_REPLIES.help).toContain('Msg & data rates may apply');
    expect(SMS_REPLIES.help).toContain('Reply STOP to opt out');
  });

  it('renders escaped TwiML, or an empty Response', () => {
    expect(twiml()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(twiml('Msg & data <rates>')).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Msg &amp; data &lt;rates&gt;</Message></Response>');
  });
});

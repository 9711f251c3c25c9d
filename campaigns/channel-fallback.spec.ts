import { describe, expect, it } from 'vitest';
import { expandChannels, isReachable, isUnansweredEmail, resolveChannel, unreachableReason } from './channel-fallback';
import type { CampaignStep, Recipient } from './types';

const everything: Recipient = {
  timezone: 'Europe/Paris',
  email: 'ada@example.com',
  phone: '+33612345678',
  pushSubscriptions: 1,
  consent: { sms: true },
  requireEmailOptIn: false,
};
const who = (overrides: Partial<Recipient>): Recipient => ({ ...everything, ...overrides });
const offer: CampaignStep = {
  delayMinutes: 2880,
  channels: ['last_engaged', 'sms', 'email'],
  templates: { push: 'offer-push', email: 'offer-email', sms: 'offer-sms' },
};
const now = new Date('2026-05-04T12:00:00Z');

describe('reachability', () => {
  it.each<[string, Partial<Recipient>, 'email' | 'sms' | 'push', string | null]>([
    ['email with an address and no statement', {}, 'email', null],
    ['email opted out', { consent: { email: false } }, 'email', 'no_consent'],
    ['email without an address', { email: null }, 'email', 'no_contact'],
    ['email blank address', { email: '  ' }, 'email', 'no_contact'],
    ['email, opt-in store, no statement', { requireEmailOptIn: true }, 'email', 'no_consent'],
    ['email, opt-in store, opted in', { requireEmailOptIn: true, consent: { email: true } }, 'email', null],
    ['sms opted in', {}, 'sms', null],
    ['sms without a statement', { consent: {} }, 'sms', 'no_consent'],
    ['sms opted out', { consent: { sms: false } }, 'sms', 'no_consent'],
    ['sms without a phone', { phone: null }, 'sms', 'no_contact'],
    ['push subscribed, no statement', {}, 'push', null],
    ['push subscribed, opted out', { consent: { sms: true, push: false } }, 'push', 'no_consent'],
    ['push without a subscription', { pushSubscriptions: 0 }, 'push', 'no_contact'],
    ['email, but no SMTP in this deployment', { disabledChannels: ['email'] }, 'email', 'channel_disabled'],
    ['sms opted in, but no Twilio', { disabledChannels: ['sms'] }, 'sms', 'channel_disabled'],
    ['push subscribed, but push disabled', { disabledChannels: ['push'] }, 'push', 'channel_disabled'],
    ['another channel disabled', { disabledChannels: ['sms', 'push'] }, 'email', null],
  ])('%s', (_name, overrides, channel, reason) => {
    expect(unreachableReason(who(overrides), channel)).toBe(reason);
    expect(isReachable(who(overrides), channel)).toBe(reason === null);
  });

  it('reports a missing contact before a missing consent', () => {
    expect(unreachableReason(who({ phone: null, consent: {} }), 'sms')).toBe('no_contact');
  });
});

describe('expandChannels', () => {
  it("expands 'last_engaged' to the last engaged channel and drops duplicates", () => {
    expect(expandChannels(offer, { lastEngagedChannel: 'push' })).toEqual(['push', 'sms', 'email']);
    expect(expandChannels(offer, { lastEngagedChannel: 'email' })).toEqual(['email', 'sms']);
  });

  it("skips 'last_engaged' when the customer never engaged", () => {
    expect(expandChannels(offer, { lastEngagedChannel: null })).toEqual(['sms', 'email']);
    expect(expandChannels(offer, {})).toEqual(['sms', 'email']);
  });

  it("skips 'last_engaged' when the step has no template for that channel", () => {
    expect(expandChannels({ channels: ['last_engaged', 'email'], templates: { email: 'e' } }, { lastEngagedChannel: 'push' })).toEqual(['email']);
  });
});

describe('resolveChannel', () => {
  it('takes the first reachable channel', () => {
    expect(resolveChannel(offer, who({ lastEngagedChannel: 'push' }))).toEqual({ channel: 'push', skipped: [] });
  });

  it('falls back past a disabled channel as past an unreachable one, and never picks it for the policy', () => {
    const noSmtp = who({ pushSubscriptions: 0, disabledChannels: ['email'] });
    expect(resolveChannel({ channels: ['push', 'email', 'sms'], templates: {} }, noSmtp)).toEqual({
      channel: 'sms',
      skipped: [
        { channel: 'push', reason: 'no_contact' },
        { channel: 'email', reason: 'channel_disabled' },
      ],
    });
    expect(resolveChannel({ channels: ['push', 'email', 'sms'], templates: {} }, noSmtp, { chosen: 'email' }).channel).toBe('sms');
    expect(resolveChannel({ channels: ['email'], templates: {} }, noSmtp)).toEqual({ channel: null, skipped: [{ channel: 'email', reason: 'channel_disabled' }] });
  });

  it('falls back past a channel without consent, saying why', () => {
    expect(resolveChannel(offer, who({ consent: {} }))).toEqual({ channel: 'email', skipped: [{ channel: 'sms', reason: 'no_consent' }] });
  });

  it('falls back past channels without contact, saying why', () => {
    const r = resolveChannel(offer, who({ lastEngagedChannel: 'push', pushSubscriptions: 0, phone: null }));
    expect(r).toEqual({
      channel: 'email',
      skipped: [
        { channel: 'push', reason: 'no_contact' },
        { channel: 'sms', reason: 'no_contact' },
      ],
    });
  });

  it('returns null when nothing is reachable, with every reason', () => {
    const r = resolveChannel(offer, who({ consent: { email: false }, phone: null }));
    expect(r).toEqual({
      channel: null,
      skipped: [
        { channel: 'sms', reason: 'no_contact' },
        { channel: 'email', reason: 'no_consent' },
      ],
    });
  });

  it('after an unanswered email, moves push and SMS ahead of email', () => {
    const r = resolveChannel(offer, who({ lastEngagedChannel: 'email' }), { afterUnansweredEmail: true });
    expect(r).toEqual({ channel: 'sms', skipped: [{ channel: 'email', reason: 'unanswered_email' }] });
  });

  it('after an unanswered email, keeps email when neither push nor SMS can be used', () => {
    const r = resolveChannel(offer, who({ lastEngagedChannel: 'email', consent: { sms: false } }), { afterUnansweredEmail: true });
    expect(r).toEqual({ channel: 'email', skipped: [{ channel: 'sms', reason: 'no_consent' }] });
  });

  it('after an unanswered email, keeps push and SMS in the step order', () => {
    const step: CampaignStep = { delayMinutes: 0, channels: ['email', 'sms', 'push'], templates: { email: 'e', sms: 's', push: 'p' } };
    expect(resolveChannel(step, everything, { afterUnansweredEmail: true })).toEqual({ channel: 'sms', skipped: [{ channel: 'email', reason: 'unanswered_email' }] });
    expect(resolveChannel(step, everything)).toEqual({ channel: 'email', skipped: [] });
  });

  it('skips channels a waterfall already tried', () => {
    const step: CampaignStep = { delayMinutes: 0, channels: ['push', 'email', 'sms'], templates: { email: 'e', sms: 's', push: 'p' } };
    expect(resolveChannel(step, everything, { tried: ['push'] })).toEqual({ channel: 'email', skipped: [{ channel: 'push', reason: 'waterfall' }] });
    expect(resolveChannel(step, everything, { tried: ['push', 'email'] })).toEqual({
      channel: 'sms',
      skipped: [
        { channel: 'push', reason: 'waterfall' },
        { channel: 'email', reason: 'waterfall' },
      ],
    });
    expect(resolveChannel(step, everything, { tried: ['push', 'email', 'sms'] }).channel).toBeNull();
  });
});

describe('isUnansweredEmail', () => {
  const email = { channel: 'email' as const, at: new Date('2026-05-04T10:00:00Z') };

  it('is an email sent and neither opened nor clicked', () => {
    expect(isUnansweredEmail(email, now)).toBe(true);
    expect(isUnansweredEmail({ ...email, opened: true }, now)).toBe(false);
    expect(isUnansweredEmail({ ...email, clicked: true }, now)).toBe(false);
    expect(isUnansweredEmail({ ...email, channel: 'push' }, now)).toBe(false);
    expect(isUnansweredEmail(undefined, now)).toBe(false);
  });

  it('is not yet an email still planned for later', () => {
    expect(isUnansweredEmail({ ...email, at: new Date('2026-05-04T13:00:00Z') }, now)).toBe(false);
  });
});

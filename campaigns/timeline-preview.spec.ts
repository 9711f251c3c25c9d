import { describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN } from './default-campaign';
import { DEFAULT_DISCOUNT_RULES } from './discount-rules';
import { previewTimeline, type TimelineInput } from './timeline-preview';
import type { Campaign, Recipient } from './types';

const campaign: Campaign = { id: 'c1', ...DEFAULT_CAMPAIGN };
const everywhere: Recipient = { timezone: 'Europe/Paris', email: 'a@example.com', phone: '+33612345678', pushSubscriptions: 1, consent: { email: true, sms: true, push: true }, requireEmailOptIn: false };

function timeline(overrides: Partial<TimelineInput> = {}) {
  return previewTimeline({
    campaign,
    checkout: { cartValue: 120, stage: 'payment', isNewCustomer: true, abandonedAt: new Date('2026-11-26T13:00:00Z') },
    recipient: everywhere,
    assume: { delivered: true, opened: false, clicked: false },
    rules: DEFAULT_DISCOUNT_RULES,
    ...overrides,
  });
}

describe('timeline preview', () => {
  it('follows the default campaign: push after 1 h, email at 24 h, the offer at 48 h', () => {
    const t = timeline();
    expect(t.messages.map((m) => [m.stepIndex, m.channel, m.at.toISOString()])).toEqual([
      [0, 'push', '2026-11-26T14:00:00.000Z'],
      [1, 'email', '2026-11-27T13:00:00.000Z'],
      // Nothing engaged with yet (no last_engaged channel), and after an unanswered email SMS comes before email.
      [2, 'sms', '2026-11-28T13:00:00.000Z'],
    ]);
    expect(t.messages[2].offer).toMatchObject({ ruleId: 'default-third-step', percent: 10, allowedPercents: [0, 5, 10, 15] });
    expect(t.end.reason).toBe('sequence_done');
  });

  it('defers into the morning for quiet hours and the SMS window', () => {
    const t = timeline({
      checkout: { cartValue: 120, stage: 'payment', isNewCustomer: true, abandonedAt: new Date('2026-11-26T20:30:00Z') },
      recipient: { ...everywhere, pushSubscriptions: 0, email: null },
    });
    // Paris is UTC+1: abandoned 21:30, the first reminder (by SMS, the only way to reach this shopper) is due at
    // 22:30, in quiet hours: 08:00 local. The email-only step is passed over; the offer at 48 h is 21:30: 08:00 again.
    expect(t.messages).toHaveLength(2);
    expect(t.messages[0]).toMatchObject({ stepIndex: 0, channel: 'sms', at: new Date('2026-11-27T07:00:00.000Z'), skippedSteps: [] });
    expect(t.messages[0].deferredBy).toContain('quiet_hours');
    expect(t.messages[1]).toMatchObject({ stepIndex: 2, channel: 'sms', at: new Date('2026-11-29T07:00:00.000Z'), skippedSteps: [1] });
    expect(t.messages[1].deferredBy).toContain('quiet_hours');
  });

  it('plans nothing on a channel this deployment cannot send on, and says so', () => {
    const t = timeline({ recipient: { ...everywhere, pushSubscriptions: 0, phone: null, disabledChannels: ['email'] } });
    // Email only, and no SMTP: every step is passed over, nothing is planned.
    expect(t.messages).toEqual([]);
    expect(t.end.reason).toBe('no_reachable_channel');
    // Push only: the first reminder, then nothing (the email step and the offer's SMS and email cannot send).
    const pushOnly = timeline({ recipient: { ...everywhere, disabledChannels: ['email', 'sms'] } });
    expect(pushOnly.messages.map((m) => [m.stepIndex, m.channel])).toEqual([[0, 'push']]);
    expect(pushOnly.end.reason).toBe('no_reachable_channel');
    // No Twilio: the offer that would have gone by SMS goes by email, and the preview says why.
    const noSms = timeline({ recipient: { ...everywhere, disabledChannels: ['sms'] } });
    expect(noSms.messages.map((m) => [m.stepIndex, m.channel])).toEqual([
      [0, 'push'],
      [1, 'email'],
      [2, 'email'],
    ]);
    expect(noSms.messages[2].skipped).toEqual([{ channel: 'sms', reason: 'channel_disabled' }]);
  });

  it('follows a waterfall to its deadline when the message is not clicked', () => {
    const waterfall: Campaign = { ...campaign, steps: [{ delayMinutes: 60, channels: ['push', 'email'], templates: { push: 'p', email: 'e' }, waterfall: { until: 'clicked', afterMinutes: 120 } }] };
    const t = timeline({ campaign: { ...waterfall, frequencyCap: { maxMessages: 5, windowHours: 24, minGapHours: 0 } }, checkout: { cartValue: 50, stage: 'payment', isNewCustomer: true, abandonedAt: new Date('2026-11-26T08:00:00Z') } });
    expect(t.messages.map((m) => [m.channel, m.at.toISOString()])).toEqual([
      ['push', '2026-11-26T09:00:00.000Z'],
      ['email', '2026-11-26T11:00:00.000Z'],
    ]);
    const clicked = timeline({ campaign: { ...waterfall, frequencyCap: { maxMessages: 5, windowHours: 24, minGapHours: 0 } }, checkout: { cartValue: 50, stage: 'payment', isNewCustomer: true, abandonedAt: new Date('2026-11-26T08:00:00Z') }, assume: { delivered: true, opened: true, clicked: true } });
    expect(clicked.messages.map((m) => m.channel)).toEqual(['push']);
  });

  it('says when the shopper is not eligible', () => {
    const t = timeline({ campaign: { ...campaign, eligibility: { minCartValue: 500 } } });
    expect(t).toMatchObject({ eligible: false, ineligibleReason: 'cart_value_below_min', messages: [], end: { reason: 'not_eligible' } });
  });
});

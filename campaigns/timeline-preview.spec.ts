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
    // Paris is UTC+1: 22:30 + 48 h is in quiet hours; the SMS goes at 08:00 local.
    expect(t.messages).toHaveLength(1);
    expect(t.messages[0]).toMatchObject({ stepIndex: 2, channel: 'sms', at: new Date('2026-11-29T07:00:00.000Z'), skippedSteps: [0, 1] });
    expect(t.messages[0].deferredBy).toContain('quiet_hours');
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

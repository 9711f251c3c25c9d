import { describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN } from './default-campaign';
import { planNextMessage } from './planner';

describe('DEFAULT_CAMPAIGN', () => {
  it('is the documented seed', () => {
    expect(DEFAULT_CAMPAIGN).toEqual({
      name: 'Abandoned checkout',
      status: 'active',
      priority: 100,
      triggerIdleMinutes: 30,
      eligibility: {},
      steps: [
        { delayMinutes: 60, channels: ['push'], templates: { push: 'reminder-push' } },
        { delayMinutes: 1440, channels: ['email'], templates: { email: 'reminder-email' } },
        { delayMinutes: 2880, channels: ['last_engaged', 'sms', 'email'], templates: { push: 'offer-push', email: 'offer-email', sms: 'offer-sms' }, discountRuleId: null },
      ],
      quietHours: { start: '21:00', end: '08:00' },
      frequencyCap: { maxMessages: 3, windowHours: 168, minGapHours: 12 },
      expiryHours: 168,
      attributionWindowHours: 120,
      holdoutPercent: 10,
    });
    expect('id' in DEFAULT_CAMPAIGN).toBe(false);
  });

  it('has a template for every channel each step can use', () => {
    for (const step of DEFAULT_CAMPAIGN.steps) {
      for (const choice of step.channels) {
        if (choice !== 'last_engaged') expect(step.templates[choice]).toBeTruthy();
      }
    }
  });

  it('the 1 h push is deferred, not dropped, by the 12 h gap after another campaign', () => {
    const abandonedAt = new Date('2026-05-04T08:00:00Z'); // 10:00 in Paris
    const decision = planNextMessage({
      now: abandonedAt,
      campaign: { id: 'seed', ...DEFAULT_CAMPAIGN },
      checkout: { id: 'k1', cartValue: 50, stage: 'shipping', status: 'abandoned', abandonedAt, isNewCustomer: true },
      recipient: { timezone: 'Europe/Paris', email: 'a@example.com', pushSubscriptions: 1, consent: {}, requireEmailOptIn: false },
      history: [{ channel: 'email', at: new Date('2026-05-04T05:00:00Z'), campaignId: 'other', checkoutId: 'k0', stepIndex: 0 }],
      enrollment: [],
      timeScale: 1,
    });
    expect(decision).toEqual({ kind: 'send', stepIndex: 0, channel: 'push', sendAt: new Date('2026-05-04T17:00:00Z'), deferredBy: ['min_gap'], skipped: [] });
  });
});

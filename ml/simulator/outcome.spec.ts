import { describe, expect, it } from 'vitest';
import { deliveredMessages, recoveryLogit, recoveryProbability, sequenceEconomics } from './outcome';
import type { Segment } from './world';

const bargain: Segment = {
  name: 'bargain',
  share: 1,
  cart_value: { median: 45, sigma: 0.5 },
  margin_rate: 0.35,
  returning_rate: 0.3,
  device: { mobile: 0.7, desktop: 0.25, tablet: 0.05 },
  stage_mix: { started: 0.2, contact: 0.3, shipping: 0.3, payment: 0.2 },
  reachable: { email: 0.95, push: 0.25, sms: 0.4 },
  base_logit: -2.4,
  stage_lift: { started: -0.6, contact: 0, shipping: 0.3, payment: 0.7 },
  channel_lift: { email: 0.5, push: 0.7, sms: 1.1 },
  discount_lift_per_pct: 0.09,
  discount_saturation_pct: 15,
  fatigue_per_message: -0.2,
};
const costs = { message_cost: { email: 0.001, push: 0.0005, sms: 0.0079 } };

describe('the world outcome formula', () => {
  it('matches a hand computation: decayed channel lifts, capped discount, fatigue', () => {
    const messages = [
      { channel: 'sms' as const, discountPct: 0 },
      { channel: 'email' as const, discountPct: 10 },
      { channel: 'push' as const, discountPct: 0 },
    ];
    // -2.4 + 0.3 + 1.1 + 0.5·0.7 + 0.7·0.49 + 0.09·10 − 0.2·2 = 0.193
    expect(recoveryLogit(bargain, 'shipping', messages)).toBeCloseTo(0.193, 10);
    expect(recoveryProbability(bargain, 'shipping', messages)).toBeCloseTo(0.548101, 5);
  });

  it('caps the discount at its saturation and counts nothing for no message', () => {
    expect(recoveryLogit(bargain, 'payment', [{ channel: 'email', discountPct: 20 }])).toBeCloseTo(-2.4 + 0.7 + 0.5 + 0.09 * 15, 10);
    expect(recoveryProbability(bargain, 'started', [])).toBeCloseTo(1 / (1 + Math.exp(3.0)), 10);
  });

  it('does not send or count a message on an unreachable channel, discount included', () => {
    const reachable = { email: true, push: false, sms: true };
    const sent = deliveredMessages(reachable, [
      { channel: 'push', discountPct: 20 },
      { channel: 'sms', discountPct: 0 },
    ]);
    expect(sent).toEqual([{ channel: 'sms', discountPct: 0 }]);
    expect(recoveryLogit(bargain, 'contact', sent)).toBeCloseTo(-2.4 + 1.1, 10);
  });

  it('earns value × margin rate − the largest discount on a recovery, and always pays for messages', () => {
    const messages = [
      { channel: 'push' as const, discountPct: 0 },
      { channel: 'sms' as const, discountPct: 10 },
    ];
    const won = sequenceEconomics(costs, bargain, 100, messages, true);
    expect(won.revenue).toBe(100);
    expect(won.discountCost).toBeCloseTo(10, 10);
    expect(won.messageCost).toBeCloseTo(0.0084, 10);
    expect(won.margin).toBeCloseTo(24.9916, 10);
    const lost = sequenceEconomics(costs, bargain, 100, messages, false);
    expect(lost.margin).toBeCloseTo(-0.0084, 10);
    expect(lost.discountCost).toBe(0);
  });
});

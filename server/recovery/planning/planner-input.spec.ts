import { describe, expect, it } from 'vitest';
import type { PlannerInput } from '../../../campaigns/types';
import { plannedDiscountPct, withSentMessage, type LoadedPlannerInput } from './planner-input';

const before: LoadedPlannerInput = {
  input: {
    now: new Date('2026-11-26T10:00:00Z'),
    campaign: { id: 'camp-1' },
    checkout: { id: 'co-1' },
    history: [{ channel: 'push', at: new Date('2026-11-20T10:00:00Z'), campaignId: 'camp-0', checkoutId: 'co-0', stepIndex: 0 }],
    enrollment: [],
  } as unknown as PlannerInput,
  facts: {
    device: 'mobile',
    cartItems: 1,
    ordersCount: 0,
    lifetimeValue: 0,
    previousOffers: [],
    sequence: [],
    stepOffers: [],
    planned: [
      { stepIndex: 0, channel: 'email', policy: null, sendTime: null },
      { stepIndex: 2, channel: 'sms', policy: { action: { channel: 'sms', discountPct: 10 } } as never, sendTime: null },
    ],
    variants: [],
  },
  experiment: { arm: 'treatment', secret: 'test-secret' },
  displaced: [],
};

describe('the planner input after a send, without reading it again', () => {
  it('moves the sent message from the planned list into the sequence and the customer history', () => {
    const at = new Date('2026-11-26T10:00:01Z');
    const after = withSentMessage(before, { stepIndex: 0, channel: 'email', at }, at);
    expect(after.input.now).toBe(at);
    expect(after.input.enrollment).toEqual([{ stepIndex: 0, channel: 'email', at, delivered: false, opened: false, clicked: false, failed: false }]);
    expect(after.input.history.at(-1)).toEqual({ channel: 'email', at, campaignId: 'camp-1', checkoutId: 'co-1', stepIndex: 0, delivered: false, opened: false, clicked: false });
    expect(after.input.history).toHaveLength(2);
    expect(after.facts.sequence).toEqual([{ channel: 'email', discountPct: 0 }]);
    expect(after.facts.planned.map((p) => p.stepIndex)).toEqual([2]);
    expect(before.facts.planned).toHaveLength(2);
    expect(before.input.history).toHaveLength(1);
  });

  it('knows which planned steps carry a discount (those are read again after sending)', () => {
    expect(plannedDiscountPct(before, 0, 'email')).toBe(0);
    expect(plannedDiscountPct(before, 2, 'sms')).toBe(10);
    expect(plannedDiscountPct(before, 1, 'email')).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { encodeFeatures, FEATURE_NAMES, sequenceAfter } from './features';
import { makeContext } from './test-support';

const at = (row: number[], name: string) => row[FEATURE_NAMES.indexOf(name)];

describe('encodeFeatures', () => {
  it('gives one value per named feature, all finite', () => {
    const row = encodeFeatures(makeContext({ cartValue: 0, lifetimeValue: 0 }), { channel: 'none', discountPct: 0 });
    expect(row).toHaveLength(FEATURE_NAMES.length);
    expect(row.every(Number.isFinite)).toBe(true);
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_NAMES.length);
  });

  it('describes the sequence the action completes, by position and channel, with the largest discount', () => {
    const ctx = makeContext({ stepIndex: 1, messagesSent: [{ channel: 'push', discountPct: 0 }] });
    const row = encodeFeatures(ctx, { channel: 'sms', discountPct: 10 });
    expect(at(row, 'message_0_push')).toBe(1);
    expect(at(row, 'message_1_sms')).toBe(1);
    expect(at(row, 'message_1_email')).toBe(0);
    expect(at(row, 'messages_total')).toBe(2);
    expect(at(row, 'discount_before')).toBe(0);
    expect(at(row, 'discount_after')).toBe(0.5);
    const stop = encodeFeatures(ctx, { channel: 'none', discountPct: 0 });
    expect(at(stop, 'messages_total')).toBe(1);
    expect(at(stop, 'action_none')).toBe(1);
    expect(sequenceAfter(ctx, { channel: 'none', discountPct: 15 })).toEqual(ctx.messagesSent);
  });

  it('encodes only observable facts: two customers alike in what we see encode alike', () => {
    const a = makeContext({ stage: 'payment', device: 'desktop', isReturning: true, ordersCount: 3 });
    const b = { ...makeContext({ stage: 'payment', device: 'desktop', isReturning: true, ordersCount: 3 }) };
    expect(encodeFeatures(a, { channel: 'email', discountPct: 0 })).toEqual(encodeFeatures(b, { channel: 'email', discountPct: 0 }));
    expect(FEATURE_NAMES.some((n) => /segment|recovered|outcome|margin_rate/.test(n))).toBe(false);
    expect(at(encodeFeatures(a, { channel: 'email', discountPct: 0 }), 'stage_payment')).toBe(1);
  });
});

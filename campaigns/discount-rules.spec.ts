import { describe, expect, it } from 'vitest';
import {
  allowedPercents,
  DEFAULT_DISCOUNT_RULES,
  DEFAULT_PERCENT_LEVELS,
  DiscountConditions,
  DiscountContext,
  DiscountOffer,
  DiscountRule,
  discountValue,
  matchDiscountRule,
  percentEquivalent,
  ruleMismatch,
  rulesDefaultPercent,
} from './discount-rules';

const ctx: DiscountContext = {
  cartValue: 120,
  ordersCount: 0,
  lifetimeValue: 0,
  isNewCustomer: true,
  stage: 'shipping',
  stepIndex: 2,
  previousOffers: [],
};
const percentOffer: DiscountOffer = { type: 'percent', amount: 10, minPercent: 5, maxPercent: 15, maxDiscountValue: 50, expiryHours: 48 };
const rule = (id: string, conditions: DiscountConditions = {}, overrides: Partial<DiscountRule> = {}): DiscountRule => ({
  id,
  name: id,
  priority: 100,
  enabled: true,
  conditions,
  offer: percentOffer,
  ...overrides,
});
const levels = [...DEFAULT_PERCENT_LEVELS];

describe('ruleMismatch', () => {
  it('accepts every context when no condition is set', () => {
    expect(ruleMismatch(rule('r'), ctx)).toBeNull();
    const allNull: DiscountConditions = {
      minCartValue: null, maxCartValue: null, minOrdersCount: null, maxOrdersCount: null, minLifetimeValue: null,
      maxLifetimeValue: null, customerType: 'any', stages: null, steps: null, previousOffer: null,
    };
    expect(ruleMismatch(rule('r', allNull), ctx)).toBeNull();
    expect(ruleMismatch(rule('r', { stages: [], steps: [] }), ctx)).toBeNull();
  });

  it('refuses a disabled rule', () => {
    expect(ruleMismatch(rule('r', {}, { enabled: false }), ctx)).toBe('disabled');
  });

  it('checks cart value, orders count and lifetime value, bounds inclusive', () => {
    expect(ruleMismatch(rule('r', { minCartValue: 120, maxCartValue: 120 }), ctx)).toBeNull();
    expect(ruleMismatch(rule('r', { minCartValue: 120.01 }), ctx)).toBe('cart_value');
    expect(ruleMismatch(rule('r', { maxCartValue: 119.99 }), ctx)).toBe('cart_value');
    const returning = { ...ctx, ordersCount: 3, lifetimeValue: 480, isNewCustomer: false };
    expect(ruleMismatch(rule('r', { minOrdersCount: 3, maxOrdersCount: 3 }), returning)).toBeNull();
    expect(ruleMismatch(rule('r', { minOrdersCount: 4 }), returning)).toBe('orders_count');
    expect(ruleMismatch(rule('r', { maxOrdersCount: 2 }), returning)).toBe('orders_count');
    expect(ruleMismatch(rule('r', { minLifetimeValue: 480, maxLifetimeValue: 480 }), returning)).toBeNull();
    expect(ruleMismatch(rule('r', { minLifetimeValue: 500 }), returning)).toBe('lifetime_value');
    expect(ruleMismatch(rule('r', { maxLifetimeValue: 100 }), returning)).toBe('lifetime_value');
  });

  it('checks new or returning customers', () => {
    expect(ruleMismatch(rule('r', { customerType: 'new' }), ctx)).toBeNull();
    expect(ruleMismatch(rule('r', { customerType: 'returning' }), ctx)).toBe('customer_type');
    expect(ruleMismatch(rule('r', { customerType: 'new' }), { ...ctx, isNewCustomer: false })).toBe('customer_type');
    expect(ruleMismatch(rule('r', { customerType: 'returning' }), { ...ctx, isNewCustomer: false })).toBeNull();
  });

  it('checks the furthest stage and the step', () => {
    expect(ruleMismatch(rule('r', { stages: ['shipping', 'payment'] }), ctx)).toBeNull();
    expect(ruleMismatch(rule('r', { stages: ['payment'] }), ctx)).toBe('stage');
    expect(ruleMismatch(rule('r', { steps: [1, 2] }), ctx)).toBeNull();
    expect(ruleMismatch(rule('r', { steps: [0, 1] }), ctx)).toBe('step');
  });

  it('checks previous offers', () => {
    const offered = { ...ctx, previousOffers: [{ type: 'percent' as const, percent: 10 }] };
    expect(ruleMismatch(rule('r', { previousOffer: 'none' }), ctx)).toBeNull();
    expect(ruleMismatch(rule('r', { previousOffer: 'none' }), offered)).toBe('previous_offer');
    expect(ruleMismatch(rule('r', { previousOffer: 'any' }), ctx)).toBe('previous_offer');
    expect(ruleMismatch(rule('r', { previousOffer: 'any' }), offered)).toBeNull();
  });
});

describe('matchDiscountRule', () => {
  it('takes the first enabled matching rule by priority, whatever the input order', () => {
    const vip = rule('vip', { minCartValue: 500 }, { priority: 10 });
    const newcomer = rule('newcomer', { customerType: 'new' }, { priority: 20 });
    const fallback = rule('fallback', {}, { priority: 100 });
    expect(matchDiscountRule([fallback, newcomer, vip], ctx)?.id).toBe('newcomer');
    expect(matchDiscountRule([fallback, newcomer, vip], { ...ctx, cartValue: 900 })?.id).toBe('vip');
    expect(matchDiscountRule([fallback, newcomer, vip], { ...ctx, isNewCustomer: false })?.id).toBe('fallback');
    expect(matchDiscountRule([fallback, { ...newcomer, enabled: false }, vip], ctx)?.id).toBe('fallback');
  });

  it('breaks priority ties by id and does not reorder its input', () => {
    const input = [rule('b'), rule('a')];
    expect(matchDiscountRule(input, ctx)?.id).toBe('a');
    expect(input.map((r) => r.id)).toEqual(['b', 'a']);
  });

  it('answers null when no rule matches', () => {
    expect(matchDiscountRule([], ctx)).toBeNull();
    expect(matchDiscountRule([rule('r', { steps: [0] })], ctx)).toBeNull();
  });

  it('a pinned rule applies alone: when it matches, else nothing', () => {
    const first = rule('first', {}, { priority: 1 });
    const pinned = rule('pinned', { minCartValue: 100 }, { priority: 50 });
    expect(matchDiscountRule([first, pinned], ctx, 'pinned')?.id).toBe('pinned');
    expect(matchDiscountRule([first, pinned], { ...ctx, cartValue: 50 }, 'pinned')).toBeNull();
    expect(matchDiscountRule([first, { ...pinned, enabled: false }], ctx, 'pinned')).toBeNull();
    expect(matchDiscountRule([first, pinned], ctx, 'missing')).toBeNull();
    expect(matchDiscountRule([first, pinned], ctx, null)?.id).toBe('first');
  });
});

describe('discountValue', () => {
  it('gives a percent of the cart, the default percent when none is chosen', () => {
    expect(discountValue(percentOffer, null, 120)).toBe(12);
    expect(discountValue(percentOffer, 5, 120)).toBe(6);
    expect(discountValue(percentOffer, 0, 120)).toBe(0);
  });

  it('caps the percent at maxPercent and the value at maxDiscountValue', () => {
    expect(discountValue(percentOffer, 30, 100)).toBe(15);
    expect(discountValue(percentOffer, 15, 1000)).toBe(50);
    expect(discountValue({ ...percentOffer, maxDiscountValue: null, maxPercent: null, amount: 150 }, null, 80)).toBe(80);
  });

  it('rounds down to the cent and never goes negative', () => {
    expect(discountValue(percentOffer, 10, 33.33)).toBe(3.33);
    expect(discountValue(percentOffer, 15, 19.99)).toBe(2.99);
    expect(discountValue(percentOffer, 10, -5)).toBe(0);
    expect(discountValue(percentOffer, -10, 100)).toBe(0);
  });

  it('gives a fixed amount, never more than the cart or the cap', () => {
    const fixed: DiscountOffer = { type: 'fixed_amount', amount: 20, expiryHours: 48 };
    expect(discountValue(fixed, null, 120)).toBe(20);
    expect(discountValue(fixed, 50, 120)).toBe(20);
    expect(discountValue(fixed, null, 15)).toBe(15);
    expect(discountValue({ ...fixed, maxDiscountValue: 12.5 }, null, 120)).toBe(12.5);
  });

  it('free shipping is worth the shipping, capped', () => {
    const free: DiscountOffer = { type: 'free_shipping', amount: 0, expiryHours: 48 };
    expect(discountValue(free, null, 120)).toBe(0);
    expect(discountValue(free, null, 120, 7.9)).toBe(7.9);
    expect(discountValue({ ...free, maxDiscountValue: 5 }, null, 120, 7.9)).toBe(5);
  });
});

describe('rulesDefaultPercent', () => {
  it('is 0 without a rule', () => {
    expect(rulesDefaultPercent(null, ctx)).toBe(0);
  });

  it("is a percent rule's default, lowered when the cap bites", () => {
    expect(rulesDefaultPercent(rule('r'), ctx)).toBe(10);
    expect(rulesDefaultPercent(rule('r'), { ...ctx, cartValue: 1000 })).toBe(5);
  });

  it("is a fixed amount's or free shipping's share of the cart", () => {
    const fixed = rule('f', {}, { offer: { type: 'fixed_amount', amount: 15, expiryHours: 48 } });
    expect(rulesDefaultPercent(fixed, { ...ctx, cartValue: 150 })).toBe(10);
    const free = rule('s', {}, { offer: { type: 'free_shipping', amount: 0, expiryHours: 48 } });
    expect(rulesDefaultPercent(free, { ...ctx, cartValue: 200, shippingValue: 10 })).toBe(5);
    expect(rulesDefaultPercent(free, ctx)).toBe(0);
    expect(percentEquivalent(fixed.offer, { cartValue: 0 })).toBe(0);
  });
});

describe('allowedPercents', () => {
  it('is only 0 without a rule', () => {
    expect(allowedPercents(null, ctx, levels)).toEqual([0]);
    expect(allowedPercents(null, ctx, [])).toEqual([0]);
  });

  it("keeps the levels inside a percent rule's range", () => {
    expect(allowedPercents(rule('r'), ctx, levels)).toEqual([0, 5, 10, 15]);
    expect(allowedPercents(rule('r'), ctx, [20, 10, 10, 2, 0])).toEqual([0, 10]);
  });

  it('a percent rule without a range allows its amount alone', () => {
    const single = rule('r', {}, { offer: { type: 'percent', amount: 10, expiryHours: 48 } });
    expect(allowedPercents(single, ctx, levels)).toEqual([0, 10]);
    expect(allowedPercents(single, ctx, [0, 5, 15])).toEqual([0]);
  });

  it('drops the levels whose value on this cart exceeds the cap', () => {
    expect(allowedPercents(rule('r'), { ...ctx, cartValue: 400 }, levels)).toEqual([0, 5, 10]);
    expect(allowedPercents(rule('r'), { ...ctx, cartValue: 500 }, levels)).toEqual([0, 5, 10]);
    expect(allowedPercents(rule('r'), { ...ctx, cartValue: 1001 }, levels)).toEqual([0]);
  });

  it('offers a fixed amount or free shipping as the level nearest its share of the cart', () => {
    const fixed = rule('f', {}, { offer: { type: 'fixed_amount', amount: 14, expiryHours: 48 } });
    expect(allowedPercents(fixed, { ...ctx, cartValue: 100 }, levels)).toEqual([0, 15]);
    expect(allowedPercents(fixed, { ...ctx, cartValue: 112 }, levels)).toEqual([0, 10]);
    const free = rule('s', {}, { offer: { type: 'free_shipping', amount: 0, expiryHours: 48 } });
    expect(allowedPercents(free, ctx, levels)).toEqual([0, 5]);
    expect(allowedPercents(free, ctx, [0])).toEqual([0]);
  });
});

describe('DEFAULT_DISCOUNT_RULES', () => {
  const match = (c: Partial<DiscountContext>) => matchDiscountRule(DEFAULT_DISCOUNT_RULES, { ...ctx, ...c });

  it('offers nothing before the third step', () => {
    expect(match({ stepIndex: 0, cartValue: 900, lifetimeValue: 5000 })).toBeNull();
    expect(match({ stepIndex: 1, cartValue: 900, lifetimeValue: 5000 })).toBeNull();
    expect(allowedPercents(match({ stepIndex: 1 }), { ...ctx, stepIndex: 1 }, levels)).toEqual([0]);
  });

  it('offers 10% (5–15%) at the third step', () => {
    const r = match({});
    expect(r?.id).toBe('default-third-step');
    expect(rulesDefaultPercent(r, ctx)).toBe(10);
    expect(allowedPercents(r, ctx, levels)).toEqual([0, 5, 10, 15]);
  });

  it('rises to 15% (up to 20%) for carts of 150 or more and for valuable customers', () => {
    const big = { ...ctx, cartValue: 150 };
    expect(match(big)?.id).toBe('default-high-value-cart');
    expect(rulesDefaultPercent(match(big), big)).toBe(15);
    expect(allowedPercents(match(big), big, levels)).toEqual([0, 5, 10, 15, 20]);
    const valuable = { ...ctx, lifetimeValue: 500, ordersCount: 4, isNewCustomer: false };
    expect(match(valuable)?.id).toBe('default-valuable-customer');
    expect(allowedPercents(match(valuable), valuable, levels)).toEqual([0, 5, 10, 15, 20]);
  });

  it('never gives more than 50 off', () => {
    const huge = { ...ctx, cartValue: 2000 };
    expect(discountValue(match(huge)!.offer, 20, 2000)).toBe(50);
    expect(allowedPercents(match(huge), huge, levels)).toEqual([0]);
    expect(DEFAULT_DISCOUNT_RULES.every((r) => r.offer.maxDiscountValue === 50 && r.offer.expiryHours === 48)).toBe(true);
  });
});

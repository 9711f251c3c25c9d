import { describe, expect, it } from 'vitest';
import { parseDiscountRuleInput, RuleInputProblem } from './discount-rule-schema';
import { DEFAULT_DISCOUNT_RULES } from './discount-rules';

const valid = { name: 'Third step', priority: 10, enabled: true, conditions: { steps: [2] }, offer: { type: 'percent', amount: 10, minPercent: 5, maxPercent: 15, maxDiscountValue: 50, expiryHours: 48 } };
const problemsOf = (input: unknown): RuleInputProblem[] => {
  const result = parseDiscountRuleInput(input);
  if (result.ok) throw new Error(`expected problems, the rule was accepted: ${JSON.stringify(result.rule)}`);
  return result.problems;
};
const withOffer = (offer: Record<string, unknown>) => ({ ...valid, offer });
const withConditions = (conditions: Record<string, unknown>) => ({ ...valid, conditions });

describe('parseDiscountRuleInput', () => {
  it('accepts a complete rule as written', () => {
    expect(parseDiscountRuleInput(valid)).toEqual({ ok: true, rule: valid });
  });

  it('accepts every default rule', () => {
    for (const rule of DEFAULT_DISCOUNT_RULES) expect(parseDiscountRuleInput(rule)).toEqual({ ok: true, rule });
  });

  it('fills the defaults: priority 100, enabled, no conditions, 48 h expiry, free shipping worth amount 0', () => {
    expect(parseDiscountRuleInput({ name: 'Free shipping', offer: { type: 'free_shipping' } })).toEqual({
      ok: true,
      rule: { name: 'Free shipping', priority: 100, enabled: true, conditions: {}, offer: { type: 'free_shipping', amount: 0, expiryHours: 48 } },
    });
  });

  it('accepts nulls for the optional conditions and caps', () => {
    const nulls = { minCartValue: null, maxCartValue: null, minOrdersCount: null, maxOrdersCount: null, minLifetimeValue: null, maxLifetimeValue: null, stages: null, steps: null, previousOffer: null };
    expect(parseDiscountRuleInput({ ...withConditions(nulls), offer: { type: 'fixed_amount', amount: 5, maxDiscountValue: null, minPercent: null, maxPercent: null } }).ok).toBe(true);
  });

  it('trims the name and refuses an empty one', () => {
    const result = parseDiscountRuleInput({ ...valid, name: '  VIP  ' });
    expect(result.ok && result.rule.name).toBe('VIP');
    expect(problemsOf({ ...valid, name: '   ' })).toEqual([{ path: 'name', message: 'must not be empty' }]);
  });

  it('refuses what is not an object', () => {
    expect(problemsOf(null)).toEqual([{ path: '', message: 'must be a JSON object' }]);
    expect(problemsOf([valid])).toEqual([{ path: '', message: 'must be a JSON object' }]);
    expect(problemsOf({ ...valid, offer: 'ten percent' })).toEqual([{ path: 'offer', message: 'must be an object' }]);
  });

  it('names every unknown field by its own path', () => {
    expect(problemsOf({ ...valid, colour: 'red', conditions: { steps: [2], weekday: 'friday' } })).toEqual([
      { path: 'conditions.weekday', message: 'is not a known field' },
      { path: 'colour', message: 'is not a known field' },
    ]);
  });

  it('names missing and mistyped fields', () => {
    expect(problemsOf({ priority: 1.5, enabled: 'yes', offer: { type: 'gift' } })).toEqual([
      { path: 'name', message: 'must be a string' },
      { path: 'priority', message: 'must be a whole number' },
      { path: 'enabled', message: 'must be true or false' },
      { path: 'offer.type', message: 'must be one of percent, fixed_amount, free_shipping' },
    ]);
    expect(problemsOf({ name: 'x' })).toEqual([{ path: 'offer', message: 'must be an object' }]);
  });

  it('checks each condition', () => {
    expect(problemsOf(withConditions({ minCartValue: -1 }))).toEqual([{ path: 'conditions.minCartValue', message: 'must be 0 or more' }]);
    expect(problemsOf(withConditions({ minOrdersCount: 1.5 }))).toEqual([{ path: 'conditions.minOrdersCount', message: 'must be a whole number' }]);
    expect(problemsOf(withConditions({ customerType: 'vip' }))).toEqual([{ path: 'conditions.customerType', message: 'must be "new", "returning" or "any"' }]);
    expect(problemsOf(withConditions({ stages: ['shipping', 'moon'] }))).toEqual([
      { path: 'conditions.stages[1]', message: 'must be one of cart, started, contact, shipping, payment, completed' },
    ]);
    expect(problemsOf(withConditions({ steps: [2, -1] }))).toEqual([{ path: 'conditions.steps[1]', message: 'must be 0 or more' }]);
    expect(problemsOf(withConditions({ previousOffer: 'some' }))).toEqual([{ path: 'conditions.previousOffer', message: 'must be "none", "any" or null' }]);
  });

  it('refuses a min above its max, naming the max', () => {
    expect(problemsOf(withConditions({ minCartValue: 100, maxCartValue: 50, minOrdersCount: 3, maxOrdersCount: 1, minLifetimeValue: 10, maxLifetimeValue: 5 }))).toEqual([
      { path: 'conditions.maxCartValue', message: 'must be at least minCartValue (100)' },
      { path: 'conditions.maxOrdersCount', message: 'must be at least minOrdersCount (3)' },
      { path: 'conditions.maxLifetimeValue', message: 'must be at least minLifetimeValue (10)' },
    ]);
    expect(parseDiscountRuleInput(withConditions({ minCartValue: 50, maxCartValue: 50 })).ok).toBe(true);
  });

  it('keeps percents within 0–100 and the default inside the range', () => {
    expect(problemsOf(withOffer({ type: 'percent', amount: 10, maxPercent: 120 }))).toEqual([{ path: 'offer.maxPercent', message: 'must be at most 100' }]);
    expect(problemsOf(withOffer({ type: 'percent', amount: 101 }))).toEqual([{ path: 'offer.amount', message: 'must be a percent above 0 and at most 100' }]);
    expect(problemsOf(withOffer({ type: 'percent', amount: 0 }))).toEqual([{ path: 'offer.amount', message: 'must be a percent above 0 and at most 100' }]);
    expect(problemsOf(withOffer({ type: 'percent' }))).toEqual([{ path: 'offer.amount', message: 'is required: the default percent' }]);
    expect(problemsOf(withOffer({ type: 'percent', amount: 10, minPercent: 20, maxPercent: 5 }))).toEqual([{ path: 'offer.maxPercent', message: 'must be at least minPercent (20)' }]);
    expect(problemsOf(withOffer({ type: 'percent', amount: 3, minPercent: 5, maxPercent: 15 }))).toEqual([
      { path: 'offer.amount', message: 'must be within the range: at least minPercent (5)' },
    ]);
    expect(problemsOf(withOffer({ type: 'percent', amount: 20, minPercent: 5, maxPercent: 15 }))).toEqual([
      { path: 'offer.amount', message: 'must be within the range: at most maxPercent (15)' },
    ]);
  });

  it('needs an amount above 0 for a fixed amount, and a range only on percent offers', () => {
    const fixedMessage = 'is required and must be more than 0 for a fixed_amount offer';
    expect(problemsOf(withOffer({ type: 'fixed_amount' }))).toEqual([{ path: 'offer.amount', message: fixedMessage }]);
    expect(problemsOf(withOffer({ type: 'fixed_amount', amount: 0 }))).toEqual([{ path: 'offer.amount', message: fixedMessage }]);
    expect(problemsOf(withOffer({ type: 'fixed_amount', amount: 5, maxPercent: 10 }))).toEqual([{ path: 'offer.maxPercent', message: 'only percent offers have a range' }]);
    expect(problemsOf(withOffer({ type: 'free_shipping', amount: 5, minPercent: 1 }))).toEqual([
      { path: 'offer.minPercent', message: 'only percent offers have a range' },
      { path: 'offer.amount', message: 'must be 0 (or absent) for a free_shipping offer' },
    ]);
  });

  it('needs a positive cap and expiry', () => {
    expect(problemsOf(withOffer({ type: 'fixed_amount', amount: 5, maxDiscountValue: 0 }))).toEqual([{ path: 'offer.maxDiscountValue', message: 'must be more than 0' }]);
    expect(problemsOf(withOffer({ type: 'fixed_amount', amount: 5, expiryHours: 0 }))).toEqual([{ path: 'offer.expiryHours', message: 'must be more than 0' }]);
    expect(problemsOf(withOffer({ type: 'fixed_amount', amount: 5, expiryHours: 10_000 }))).toEqual([{ path: 'offer.expiryHours', message: 'must be at most 8760 (a year)' }]);
    expect(parseDiscountRuleInput(withOffer({ type: 'fixed_amount', amount: 5, expiryHours: 0.5 })).ok).toBe(true);
  });

  it('checks the id when one is given', () => {
    expect(parseDiscountRuleInput({ ...valid, id: 'vip-2026_a' }).ok).toBe(true);
    expect(problemsOf({ ...valid, id: 'has space' })).toEqual([{ path: 'id', message: 'must be 1–64 letters, digits, "-" or "_", starting with a letter or digit' }]);
  });
});

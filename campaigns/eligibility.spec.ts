import { describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN } from './default-campaign';
import { chooseCampaign, chooseCampaignWithReason, ineligibleReason, isEligible } from './eligibility';
import type { Campaign, CheckoutFacts, Eligibility } from './types';

const checkout: CheckoutFacts = {
  id: 'k1',
  cartValue: 120,
  stage: 'shipping',
  status: 'abandoned',
  abandonedAt: new Date('2026-05-04T10:00:00Z'),
  isNewCustomer: true,
};
const campaign = (id: string, overrides: Partial<Campaign> = {}): Campaign => ({ ...DEFAULT_CAMPAIGN, id, ...overrides });
const rules = (eligibility: Eligibility) => campaign('c', { eligibility });

describe('isEligible', () => {
  it('accepts any checkout when no rule is set', () => {
    expect(isEligible(rules({}), checkout)).toBe(true);
    expect(isEligible(rules({ minCartValue: null, maxCartValue: null, stages: null, customerType: 'any' }), checkout)).toBe(true);
  });

  it('checks the cart value range, bounds inclusive', () => {
    expect(ineligibleReason(rules({ minCartValue: 120 }), checkout)).toBeNull();
    expect(ineligibleReason(rules({ minCartValue: 120.01 }), checkout)).toBe('cart_value_below_min');
    expect(ineligibleReason(rules({ maxCartValue: 120 }), checkout)).toBeNull();
    expect(ineligibleReason(rules({ maxCartValue: 119.99 }), checkout)).toBe('cart_value_above_max');
    expect(ineligibleReason(rules({ minCartValue: 50, maxCartValue: 200 }), checkout)).toBeNull();
    expect(ineligibleReason(rules({ minCartValue: 0 }), { ...checkout, cartValue: 0 })).toBeNull();
  });

  it("checks that the checkout's furthest stage is one of the listed ones", () => {
    expect(ineligibleReason(rules({ stages: ['shipping', 'payment'] }), checkout)).toBeNull();
    expect(ineligibleReason(rules({ stages: ['payment'] }), checkout)).toBe('stage_not_reached');
    expect(ineligibleReason(rules({ stages: [] }), checkout)).toBeNull();
  });

  it('checks new or returning customers', () => {
    expect(ineligibleReason(rules({ customerType: 'new' }), checkout)).toBeNull();
    expect(ineligibleReason(rules({ customerType: 'returning' }), checkout)).toBe('customer_type');
    expect(ineligibleReason(rules({ customerType: 'new' }), { ...checkout, isNewCustomer: false })).toBe('customer_type');
    expect(ineligibleReason(rules({ customerType: 'returning' }), { ...checkout, isNewCustomer: false })).toBeNull();
  });

  it('does not look at the campaign status', () => {
    expect(isEligible(campaign('c', { status: 'paused' }), checkout)).toBe(true);
  });
});

describe('chooseCampaign', () => {
  it('takes the eligible active campaign with the lowest priority number', () => {
    const vip = campaign('vip', { priority: 10, eligibility: { minCartValue: 500 } });
    const newcomers = campaign('new', { priority: 20, eligibility: { customerType: 'new' } });
    const fallback = campaign('default', { priority: 100 });
    expect(chooseCampaign([fallback, newcomers, vip], checkout)?.id).toBe('new');
    expect(chooseCampaign([fallback, newcomers, vip], { ...checkout, cartValue: 900 })?.id).toBe('vip');
    expect(chooseCampaign([fallback, newcomers, vip], { ...checkout, isNewCustomer: false })?.id).toBe('default');
  });

  it('breaks priority ties by id, whatever the input order', () => {
    const b = campaign('b', { priority: 5 });
    const a = campaign('a', { priority: 5 });
    expect(chooseCampaign([b, a], checkout)?.id).toBe('a');
    expect(chooseCampaign([a, b], checkout)?.id).toBe('a');
  });

  it('ignores paused campaigns', () => {
    const paused = campaign('p', { priority: 1, status: 'paused' });
    const active = campaign('x', { priority: 2 });
    expect(chooseCampaign([paused, active], checkout)?.id).toBe('x');
  });

  it('returns null with the reason when nothing fits', () => {
    expect(chooseCampaign([], checkout)).toBeNull();
    expect(chooseCampaignWithReason([campaign('p', { status: 'paused' })], checkout)).toEqual({ campaign: null, reason: 'no_active_campaign', rejected: [] });
    const big = campaign('big', { priority: 1, eligibility: { minCartValue: 500 } });
    const paid = campaign('paid', { priority: 2, eligibility: { stages: ['payment'] } });
    expect(chooseCampaignWithReason([paid, big], checkout)).toEqual({
      campaign: null,
      reason: 'not_eligible',
      rejected: [
        { campaignId: 'big', reason: 'cart_value_below_min' },
        { campaignId: 'paid', reason: 'stage_not_reached' },
      ],
    });
  });

  it('returns the chosen campaign with a null reason', () => {
    const only = campaign('only');
    expect(chooseCampaignWithReason([only], checkout)).toEqual({ campaign: only, reason: null });
  });
});

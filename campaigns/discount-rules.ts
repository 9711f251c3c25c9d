/**
 * Which discount a recovery message may carry. Plain TypeScript: the server loads the rules (table
 * `discount_rules`) and the facts, and asks three questions:
 *
 *  1. `matchDiscountRule`: which rule applies? The first **enabled** rule, by ascending priority (ties by id),
 *     whose conditions all hold. A campaign step that names a rule (`discountRuleId`) pins it: that rule
 *     applies if it is enabled and its conditions hold, and no other rule is considered.
 *  2. `allowedPercents`: which percents may a policy (the model, or the rules alone) choose at this step?
 *     Always 0 (no offer); for a percent rule, the levels inside its range whose value on this cart stays
 *     under its cap; for a fixed-amount or free-shipping rule, the one level standing for "make the offer".
 *  3. `discountValue`: how much money an offer gives away on a cart, every cap applied.
 *
 * Conditions, each optional and all required to hold (bounds inclusive):
 *  - cart value, orders count and lifetime value between their min and max;
 *  - customerType: 'new' (no order before this checkout), 'returning', or 'any';
 *  - stages: the checkout's furthest stage is one of them; steps: the campaign step (0-based) is one of them;
 *  - previousOffer: 'none' (this customer or checkout was never offered a discount), 'any' (was), or null.
 */
import type { CheckoutStage } from './types';

export type OfferType = 'percent' | 'fixed_amount' | 'free_shipping';
export const OFFER_TYPES: readonly OfferType[] = ['percent', 'fixed_amount', 'free_shipping'];

export interface DiscountConditions {
  minCartValue?: number | null;
  maxCartValue?: number | null;
  minOrdersCount?: number | null;
  maxOrdersCount?: number | null;
  minLifetimeValue?: number | null;
  maxLifetimeValue?: number | null;
  customerType?: 'new' | 'returning' | 'any';
  /** The checkout's furthest stage is any of these; empty or absent means any stage. */
  stages?: CheckoutStage[] | null;
  /** The campaign step (0-based index) is any of these; empty or absent means any step. */
  steps?: number[] | null;
  /** 'none': never offered a discount before; 'any': offered one before; null or absent: either. */
  previousOffer?: 'none' | 'any' | null;
}

export interface DiscountOffer {
  type: OfferType;
  /** percent: the default percent; fixed_amount: an amount of the cart's currency; free_shipping: 0. */
  amount: number;
  /** percent only: the range a policy may choose in (defaults to `amount` alone). */
  minPercent?: number | null;
  maxPercent?: number | null;
  /** The most the offer may give away, in the cart's currency. */
  maxDiscountValue?: number | null;
  /** A code issued for this offer expires this many hours after it is issued. @defaultValue 48 */
  expiryHours: number;
}

export interface DiscountRule {
  id: string;
  name: string;
  /** Lower is considered first. */
  priority: number;
  enabled: boolean;
  conditions: DiscountConditions;
  offer: DiscountOffer;
}

/** A discount offered before (a code issued to the customer or for the checkout). */
export interface PreviousOffer {
  type: OfferType;
  percent: number;
}

export interface DiscountContext {
  cartValue: number;
  ordersCount: number;
  lifetimeValue: number;
  isNewCustomer: boolean;
  /** The checkout's furthest stage. */
  stage: CheckoutStage;
  /** The campaign step being planned, 0-based. */
  stepIndex: number;
  previousOffers: PreviousOffer[];
  /** The cart's shipping cost, when known (free shipping is worth this much). */
  shippingValue?: number | null;
}

export const DEFAULT_EXPIRY_HOURS = 48;

/** The percents a policy chooses among, unless it brings its own. */
export const DEFAULT_PERCENT_LEVELS: readonly number[] = [0, 5, 10, 15, 20];

/** Why a rule does not apply to a context, or null when it does. */
export type RuleMismatch =
  | 'disabled'
  | 'cart_value'
  | 'orders_count'
  | 'lifetime_value'
  | 'customer_type'
  | 'stage'
  | 'step'
  | 'previous_offer';

function outside(value: number, min: number | null | undefined, max: number | null | undefined): boolean {
  return (min != null && value < min) || (max != null && value > max);
}

/** The first condition of the rule the context fails, or null when the rule applies. */
export function ruleMismatch(rule: DiscountRule, ctx: DiscountContext): RuleMismatch | null {
  if (!rule.enabled) return 'disabled';
  const c = rule.conditions;
  if (outside(ctx.cartValue, c.minCartValue, c.maxCartValue)) return 'cart_value';
  if (outside(ctx.ordersCount, c.minOrdersCount, c.maxOrdersCount)) return 'orders_count';
  if (outside(ctx.lifetimeValue, c.minLifetimeValue, c.maxLifetimeValue)) return 'lifetime_value';
  if (c.customerType === 'new' && !ctx.isNewCustomer) return 'customer_type';
  if (c.customerType === 'returning' && ctx.isNewCustomer) return 'customer_type';
  if (c.stages && c.stages.length > 0 && !c.stages.includes(ctx.stage)) return 'stage';
  if (c.steps && c.steps.length > 0 && !c.steps.includes(ctx.stepIndex)) return 'step';
  if (c.previousOffer === 'none' && ctx.previousOffers.length > 0) return 'previous_offer';
  if (c.previousOffer === 'any' && ctx.previousOffers.length === 0) return 'previous_offer';
  return null;
}

/** Lower priority first, then id: the same answer whatever order the rules were loaded in. */
export function byRulePriority(a: Pick<DiscountRule, 'priority' | 'id'>, b: Pick<DiscountRule, 'priority' | 'id'>): number {
  return a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The rule that applies: the pinned one when a step names one (if enabled and its conditions hold, else none),
 * otherwise the first enabled rule by priority whose conditions hold. Null: no discount at this step.
 */
export function matchDiscountRule(rules: DiscountRule[], ctx: DiscountContext, pinnedRuleId?: string | null): DiscountRule | null {
  if (pinnedRuleId != null) {
    const pinned = rules.find((r) => r.id === pinnedRuleId);
    return pinned && ruleMismatch(pinned, ctx) === null ? pinned : null;
  }
  return [...rules].sort(byRulePriority).find((r) => ruleMismatch(r, ctx) === null) ?? null;
}

/** Money is given away in whole cents, rounded down. */
function toCents(value: number): number {
  return Math.max(0, Math.floor(value * 100 + 1e-6) / 100);
}

/** The percent range a percent offer may be issued in: [minPercent, maxPercent], each defaulting to `amount`. */
export function percentRange(offer: DiscountOffer): { min: number; max: number } {
  return { min: offer.minPercent ?? offer.amount, max: Math.min(100, offer.maxPercent ?? offer.amount) };
}

/**
 * The money an offer gives away on a cart. `percent` is the percent chosen for a percent offer (null: the
 * offer's default), capped by `maxPercent`; fixed amounts never exceed the cart; free shipping is worth the
 * shipping. Every result is capped by `maxDiscountValue` and rounded down to the cent.
 */
export function discountValue(offer: DiscountOffer, percent: number | null, cartValue: number, shippingValue = 0): number {
  const cart = Math.max(0, cartValue);
  let value: number;
  if (offer.type === 'percent') {
    const p = Math.max(0, Math.min(percent ?? offer.amount, percentRange(offer).max));
    value = (cart * p) / 100;
  } else if (offer.type === 'fixed_amount') {
    value = Math.min(offer.amount, cart);
  } else {
    value = Math.max(0, shippingValue);
  }
  if (offer.maxDiscountValue != null) value = Math.min(value, offer.maxDiscountValue);
  return toCents(value);
}

/** The share of the cart an offer gives away, in percent (2 decimals); 0 for an empty cart. */
export function percentEquivalent(offer: DiscountOffer, ctx: Pick<DiscountContext, 'cartValue' | 'shippingValue'>): number {
  if (ctx.cartValue <= 0) return 0;
  const value = discountValue(offer, null, ctx.cartValue, ctx.shippingValue ?? 0);
  return Math.round((value / ctx.cartValue) * 10_000) / 100;
}

/**
 * What the rules alone offer, as a percent of the cart: a percent rule's default percent (lowered when its
 * cap bites on this cart), a fixed amount's or free shipping's share of the cart. 0 when no rule applies.
 */
export function rulesDefaultPercent(rule: DiscountRule | null, ctx: DiscountContext): number {
  return rule ? percentEquivalent(rule.offer, ctx) : 0;
}

/**
 * The percents a policy may choose at this step, from `levels`, ascending. Always 0 (no offer). A percent
 * rule adds the levels inside its range whose value on this cart stays within `maxDiscountValue`. A fixed
 * amount or free shipping is not a percent: it adds the one positive level nearest its percent-equivalent
 * (ties to the lower), and choosing that level means "make the rule's offer".
 */
export function allowedPercents(rule: DiscountRule | null, ctx: DiscountContext, levels: number[]): number[] {
  const allowed = new Set<number>([0]);
  const positive = [...new Set(levels)].filter((l) => l > 0).sort((a, b) => a - b);
  if (rule) {
    const { offer } = rule;
    if (offer.type === 'percent') {
      const { min, max } = percentRange(offer);
      for (const level of positive) {
        if (level < min || level > max) continue;
        const value = (Math.max(0, ctx.cartValue) * level) / 100;
        if (offer.maxDiscountValue != null && value > offer.maxDiscountValue + 1e-9) continue;
        allowed.add(level);
      }
    } else if (positive.length > 0) {
      const target = percentEquivalent(offer, ctx);
      const nearest = positive.reduce((best, l) => (Math.abs(l - target) < Math.abs(best - target) ? l : best));
      allowed.add(nearest);
    }
  }
  return [...allowed].sort((a, b) => a - b);
}

/**
 * The rules every store starts with (seeded when the table is empty): no discount on the first two steps;
 * on the third (index 2) 10% (a policy may choose 5–15%), or 15% (5–20%) for carts of 150 or more and for
 * customers who have spent 500 or more; never more than 50 off; codes valid 48 h.
 */
export const DEFAULT_DISCOUNT_RULES: DiscountRule[] = [
  {
    id: 'default-high-value-cart',
    name: 'Third step, high-value cart: up to 20%',
    priority: 10,
    enabled: true,
    conditions: { minCartValue: 150, steps: [2] },
    offer: { type: 'percent', amount: 15, minPercent: 5, maxPercent: 20, maxDiscountValue: 50, expiryHours: DEFAULT_EXPIRY_HOURS },
  },
  {
    id: 'default-valuable-customer',
    name: 'Third step, valuable customer: up to 20%',
    priority: 20,
    enabled: true,
    conditions: { minLifetimeValue: 500, steps: [2] },
    offer: { type: 'percent', amount: 15, minPercent: 5, maxPercent: 20, maxDiscountValue: 50, expiryHours: DEFAULT_EXPIRY_HOURS },
  },
  {
    id: 'default-third-step',
    name: 'Third step: 10%',
    priority: 100,
    enabled: true,
    conditions: { steps: [2] },
    offer: { type: 'percent', amount: 10, minPercent: 5, maxPercent: 15, maxDiscountValue: 50, expiryHours: DEFAULT_EXPIRY_HOURS },
  },
];

/**
 * The actions a policy may choose among at one step: stop, or a reachable channel with a discount the
 * discount rules allow for this cart, customer and step.
 */
import { allowedPercents, DEFAULT_PERCENT_LEVELS, type DiscountContext, type DiscountRule, matchDiscountRule } from '../campaigns/discount-rules';
import { CHANNELS } from '../campaigns/types';
import type { Action, DecisionContext } from './features';

export interface CandidateOptions {
  discountRules: DiscountRule[];
  /** Percent levels a policy chooses among. @defaultValue DEFAULT_PERCENT_LEVELS */
  levels?: readonly number[];
}

export const STOP: Action = { channel: 'none', discountPct: 0 };

export function discountContext(ctx: DecisionContext): DiscountContext {
  return {
    cartValue: ctx.cartValue,
    ordersCount: ctx.ordersCount,
    lifetimeValue: ctx.lifetimeValue,
    isNewCustomer: !ctx.isReturning,
    stage: ctx.stage,
    stepIndex: ctx.stepIndex,
    previousOffers: ctx.messagesSent.filter((m) => m.discountPct > 0).map((m) => ({ type: 'percent' as const, percent: m.discountPct })),
  };
}

export function allowedDiscounts(ctx: DecisionContext, opts: CandidateOptions): number[] {
  const dctx = discountContext(ctx);
  return allowedPercents(matchDiscountRule(opts.discountRules, dctx), dctx, [...(opts.levels ?? DEFAULT_PERCENT_LEVELS)]);
}

/** Stop first, then every reachable channel with every allowed percent. */
export function candidateActions(ctx: DecisionContext, opts: CandidateOptions): Action[] {
  const percents = allowedDiscounts(ctx, opts);
  const sends = CHANNELS.filter((c) => ctx.reachable[c]).flatMap((channel) => percents.map((discountPct) => ({ channel, discountPct })));
  return [STOP, ...sends];
}

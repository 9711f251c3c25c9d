/**
 * What a policy may do at any step of a campaign, for training-time evaluation and look-ahead: the allowed
 * actions, what the rules alone would do, and how many steps a sequence has.
 */
import { DEFAULT_CAMPAIGN } from '../campaigns/default-campaign';
import { DEFAULT_DISCOUNT_RULES, DEFAULT_PERCENT_LEVELS, type DiscountRule } from '../campaigns/discount-rules';
import { candidateActions } from './candidates';
import type { Action, DecisionContext } from './features';
import type { Lookahead } from './plan-search';
import { rulesAction } from './rules-policy';

export interface DecisionSpace {
  candidates(ctx: DecisionContext): Action[];
  rulesAction(ctx: DecisionContext): Action;
  /** Most messages a sequence may have. */
  maxSteps: number;
}

export function decisionSpace(opts: { discountRules?: DiscountRule[]; levels?: readonly number[]; maxSteps?: number } = {}): DecisionSpace {
  const discountRules = opts.discountRules ?? DEFAULT_DISCOUNT_RULES;
  const levels = opts.levels ?? DEFAULT_PERCENT_LEVELS;
  return {
    candidates: (ctx) => candidateActions(ctx, { discountRules, levels }),
    rulesAction: (ctx) => rulesAction(ctx, { discountRules, levels }),
    maxSteps: opts.maxSteps ?? DEFAULT_CAMPAIGN.steps.length,
  };
}

/** Look-ahead over the steps left after `ctx`'s. */
export function lookaheadFor(space: DecisionSpace, ctx: DecisionContext): Lookahead {
  return { steps: Math.max(0, space.maxSteps - 1 - ctx.stepIndex), candidates: (next) => space.candidates(next) };
}

/**
 * What a policy may do at any step of a campaign, for training-time evaluation and look-ahead on logged decisions:
 * the candidates and the rules' choice at a step, as the one step decision (`stepOptions`, ml/step-decision.ts)
 * gives them for the campaign's own steps, read back from a logged context.
 *
 * A logged context says which channels reached the shopper and which one they last engaged with, not whether the
 * previous email went unanswered: offline the rules are replayed without "after an unanswered email, push and SMS
 * first" (a logged decision's own candidates, when present, are always used instead of these).
 */
import { DEFAULT_CAMPAIGN } from '../campaigns/default-campaign';
import { DEFAULT_DISCOUNT_RULES, DEFAULT_PERCENT_LEVELS, type DiscountContext, type DiscountRule } from '../campaigns/discount-rules';
import type { CampaignStep, Recipient } from '../campaigns/types';
import type { Action, DecisionContext } from './features';
import type { Lookahead } from './plan-search';
import { STOP, stepOptions, type StepOptions } from './step-decision';

export interface DecisionSpace {
  candidates(ctx: DecisionContext): Action[];
  rulesAction(ctx: DecisionContext): Action;
  /** Most messages a sequence may have: the campaign's steps. */
  maxSteps: number;
}

/** The discount context a logged decision context implies (its offers so far are this sequence's). */
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

/** A recipient with exactly the reachability and last engagement the context records. */
export function recipientOf(ctx: DecisionContext): Recipient {
  return {
    timezone: null,
    email: ctx.reachable.email ? 'logged@reachable' : null,
    phone: ctx.reachable.sms ? '+10000000000' : null,
    pushSubscriptions: ctx.reachable.push ? 1 : 0,
    consent: { email: ctx.reachable.email, sms: ctx.reachable.sms, push: ctx.reachable.push },
    requireEmailOptIn: false,
    lastEngagedChannel: ctx.lastEngagedChannel ?? null,
  };
}

export function decisionSpace(opts: { discountRules?: readonly DiscountRule[]; levels?: readonly number[]; steps?: readonly CampaignStep[] } = {}): DecisionSpace {
  const discountRules = opts.discountRules ?? DEFAULT_DISCOUNT_RULES;
  const levels = opts.levels ?? DEFAULT_PERCENT_LEVELS;
  const steps = opts.steps ?? DEFAULT_CAMPAIGN.steps;
  const options = (ctx: DecisionContext): StepOptions | null => {
    const step = steps[ctx.stepIndex];
    return step ? stepOptions({ step, recipient: recipientOf(ctx), afterUnansweredEmail: false, discount: discountContext(ctx), discountRules, levels }) : null;
  };
  return {
    candidates: (ctx) => options(ctx)?.candidates ?? [STOP],
    rulesAction: (ctx) => options(ctx)?.rulesAction ?? STOP,
    maxSteps: steps.length,
  };
}

/** Look-ahead over the steps left after `ctx`'s. */
export function lookaheadFor(space: DecisionSpace, ctx: DecisionContext): Lookahead {
  return { steps: Math.max(0, space.maxSteps - 1 - ctx.stepIndex), candidates: (next) => space.candidates(next) };
}

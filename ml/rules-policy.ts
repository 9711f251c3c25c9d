/**
 * What the rules alone do, as an `Action`: the default campaign's channel preference and the discount
 * rules' default percent. The k-th message of a sequence is the campaign's k-th step that can reach the
 * customer (the planner passes over steps with no reachable channel), so a shopper without push gets the
 * 24 h email first.
 */
import { DEFAULT_CAMPAIGN } from '../campaigns/default-campaign';
import { type DiscountRule, matchDiscountRule, rulesDefaultPercent } from '../campaigns/discount-rules';
import { CHANNELS, type CampaignStep, type ChannelKind } from '../campaigns/types';
import { discountContext, STOP } from './candidates';
import type { Action, DecisionContext } from './features';

export interface RulesPolicyOptions {
  steps?: readonly CampaignStep[];
  discountRules: DiscountRule[];
}

/** The channel the customer engaged with most (clicks, then opens), if any. */
export function mostEngagedChannel(ctx: DecisionContext): ChannelKind | null {
  let best: ChannelKind | null = null;
  let bestScore = 0;
  for (const channel of CHANNELS) {
    const e = ctx.engagement[channel];
    const score = e.clicked * 10 + e.opened;
    if (score > bestScore) [best, bestScore] = [channel, score];
  }
  return best;
}

function stepChannel(step: CampaignStep, ctx: DecisionContext): ChannelKind | null {
  const lastEngaged = mostEngagedChannel(ctx);
  for (const choice of step.channels) {
    const channel = choice === 'last_engaged' ? lastEngaged : choice;
    if (channel && (choice !== 'last_engaged' || step.templates[channel]) && ctx.reachable[channel]) return channel;
  }
  return null;
}

export function rulesAction(ctx: DecisionContext, opts: RulesPolicyOptions): Action {
  const steps = opts.steps ?? DEFAULT_CAMPAIGN.steps;
  let reachableSteps = 0;
  for (let stepIndex = 0; stepIndex < steps.length; stepIndex++) {
    const channel = stepChannel(steps[stepIndex], ctx);
    if (!channel) continue;
    if (reachableSteps++ < ctx.messagesSent.length) continue;
    const dctx = { ...discountContext(ctx), stepIndex };
    const rule = matchDiscountRule(opts.discountRules, dctx, steps[stepIndex].discountRuleId);
    return { channel, discountPct: rulesDefaultPercent(rule, dctx) };
  }
  return STOP;
}

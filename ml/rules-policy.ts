/**
 * What the rules alone do at a step, as an `Action`: the default campaign's channel preference for that
 * step and the discount rules' default percent, snapped down to a level a policy may choose (so the rules
 * are one of the candidates and can be compared with the model on logged data). When none of the step's
 * channels reaches the customer, the later steps' channels are tried in order, the way the planner moves a
 * push-less shopper on to the email. Past the campaign's last step the rules stop.
 */
import { DEFAULT_CAMPAIGN } from '../campaigns/default-campaign';
import { type DiscountRule, matchDiscountRule, rulesDefaultPercent } from '../campaigns/discount-rules';
import { CHANNELS, type CampaignStep, type ChannelKind } from '../campaigns/types';
import { allowedDiscounts, discountContext, STOP } from './candidates';
import type { Action, DecisionContext } from './features';

export interface RulesPolicyOptions {
  steps?: readonly CampaignStep[];
  discountRules: DiscountRule[];
  levels?: readonly number[];
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
  if (ctx.stepIndex >= steps.length) return STOP;
  const channel = steps
    .slice(ctx.stepIndex)
    .map((step) => stepChannel(step, ctx))
    .find((c) => c !== null);
  if (!channel) return STOP;
  const dctx = discountContext(ctx);
  const target = rulesDefaultPercent(matchDiscountRule(opts.discountRules, dctx, steps[ctx.stepIndex].discountRuleId), dctx);
  const allowed = allowedDiscounts(ctx, { discountRules: opts.discountRules, levels: opts.levels });
  return { channel, discountPct: allowed.filter((p) => p <= target + 1e-9).pop() ?? 0 };
}

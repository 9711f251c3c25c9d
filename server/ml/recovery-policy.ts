import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { expandChannels, isReachable, isUnansweredEmail, resolveChannel } from '../../campaigns/channel-fallback';
import { allowedPercents, DEFAULT_PERCENT_LEVELS, matchDiscountRule, rulesDefaultPercent } from '../../campaigns/discount-rules';
import { fixedOfferPercent } from '../../campaigns/experiments/variants';
import type { Action } from '../../ml/features';
import { decisionSpace, lookaheadFor } from '../../ml/decision-space';
import { decideAction } from '../../ml/policy';
import { createRandom } from '../../ml/random';
import { decideByRules } from '../../ml/rules-exploration';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { LoadedPlannerInput } from '../recovery/planning/planner-input';
import type { StepPolicy, StepPolicyChoice, StepTerms, StoredSendTimeDecision } from '../recovery/planning/step-policy';
import { decisionContextOf, discountContextOf } from './decision-context';
import { DiscountRulesSnapshot } from './discount-rules-snapshot';
import { ModelRegistry } from './model-registry';
import { SendTimeLearning } from './send-time-learning';

/**
 * The decision policy in the engine: for the step the planner is about to plan, which of the step's
 * reachable channels and which discount the rules allow, by the promoted model's expected margin (the rules'
 * own choice when no model is promoted), exploring a configured share at random; and for a first step with
 * send-time arms, the delay the bandit picks for the customer's segment.
 *
 * A choice is made once per step and kept (the message row stores it), and its randomness is seeded by the
 * checkout and step, so planning the same step again can never flip a coin twice.
 */
@Injectable()
export class RecoveryPolicy implements StepPolicy {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly rules: DiscountRulesSnapshot,
    private readonly sendTimes: SendTimeLearning,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async choose(loaded: LoadedPlannerInput, stepIndex: number, now: Date, terms?: StepTerms): Promise<StepPolicyChoice | null> {
    const { input, facts } = loaded;
    const step = input.campaign.steps[stepIndex];
    if (!step) return null;
    // A waterfall's fallback follows the marketer's order; the policy chose the step's first channel only.
    if (input.enrollment.some((m) => m.stepIndex === stepIndex)) return null;
    const kept = facts.planned.find((p) => p.stepIndex === stepIndex && (p.policy || p.sendTime));
    if (kept && isReachable(input.recipient, kept.channel)) {
      return { choice: { stepIndex, channel: kept.channel, delayMinutes: kept.sendTime?.armMinutes ?? null }, policy: kept.policy, sendTime: kept.sendTime };
    }

    const random = createRandom(seedOf(input.checkout.id, stepIndex));
    const ctx = decisionContextOf(loaded, stepIndex, now);
    const dctx = discountContextOf(loaded, stepIndex);
    const rules = await this.rules.current();
    const rule = matchDiscountRule(rules, dctx, step.discountRuleId);
    const fixed = terms?.discountPct ?? null;
    const allowed = allowedPercents(rule, dctx, fixed === null ? [...DEFAULT_PERCENT_LEVELS] : [...DEFAULT_PERCENT_LEVELS, fixed]);
    // A step (or its variant) that fixes its offer leaves the policy the channel only.
    const percents = fixed === null ? allowed : [fixedOfferPercent(allowed, fixed)];
    const channels = expandChannels(step, input.recipient).filter((c) => isReachable(input.recipient, c));
    if (channels.length === 0) return null;

    const last = input.enrollment.at(-1);
    const rulesChannel = resolveChannel(step, input.recipient, { afterUnansweredEmail: isUnansweredEmail(last, now) }).channel ?? channels[0];
    const rulesPercent = nearest(percents, rulesDefaultPercent(rule, dctx));
    const candidates: Action[] = channels.flatMap((channel) => percents.map((discountPct) => ({ channel, discountPct })));
    const promoted = this.registry.promoted();
    const rulesAction: Action = { channel: rulesChannel, discountPct: rulesPercent };
    // With one allowed action there is nothing to score or explore.
    const decision =
      promoted && candidates.length > 1
        ? decideAction({
            ctx,
            candidates,
            rulesAction,
            model: promoted.model,
            modelVersion: promoted.label,
            economics: { marginRate: this.config.ml.marginRate, messageCost: this.config.ml.messageCost },
            explorationRate: this.config.ml.explorationRate,
            random,
            // Scored by the best sequence each action can start over the campaign's remaining steps.
            lookahead: lookaheadFor(decisionSpace({ discountRules: rules, maxSteps: input.campaign.steps.length }), ctx),
          })
        : { ...decideByRules(rulesAction, candidates, this.config.ml.explorationRate, random), modelVersion: null, expectedMargin: null, scores: [] };
    const channel = decision.action.channel === 'none' ? rulesChannel : decision.action.channel;

    let sendTime: StoredSendTimeDecision | null = null;
    if (step.sendTimeArms && step.sendTimeArms.length > 0 && facts.sequence.length === 0) {
      sendTime = await this.sendTimes.choose(ctx, step.sendTimeArms, random);
    }
    return {
      choice: { stepIndex, channel, delayMinutes: sendTime?.armMinutes ?? null },
      policy: {
        context: ctx,
        action: { channel, discountPct: decision.action.discountPct },
        propensity: decision.propensity,
        source: decision.source,
        modelVersion: decision.modelVersion,
        expectedMargin: decision.expectedMargin,
        reason: decision.reason,
        discountRuleId: decision.action.discountPct > 0 ? (rule?.id ?? null) : null,
        allowedPercents: percents,
        candidates,
        scores: [...decision.scores].sort((a, b) => b.expectedMargin - a.expectedMargin).slice(0, TOP_SCORES),
      },
      sendTime,
    };
  }
}

/** Scores kept on the message for the console's "why". */
const TOP_SCORES = 5;

function seedOf(checkoutId: string, stepIndex: number): number {
  return createHash('sha256').update(`${checkoutId}.${stepIndex}`).digest().readUInt32LE(0);
}

function nearest(levels: number[], target: number): number {
  return levels.reduce((best, level) => (Math.abs(level - target) < Math.abs(best - target) ? level : best), levels[0] ?? 0);
}

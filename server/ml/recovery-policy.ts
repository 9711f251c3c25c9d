import { Inject, Injectable } from '@nestjs/common';
import { isReachable, isUnansweredEmail } from '../../campaigns/channel-fallback';
import type { CampaignStep, ChannelKind } from '../../campaigns/types';
import type { DecisionContext } from '../../ml/features';
import { createRandom, type Random } from '../../ml/random';
import { decideStep, type ExplorationRates, type StepDecision } from '../../ml/step-decision';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { LoadedPlannerInput } from '../recovery/planning/planner-input';
import type { StepPolicy, StepPolicyChoice, StoredPolicyDecision, StoredSendTimeDecision } from '../recovery/planning/step-policy';
import { decisionContextOf, decisionSeed, discountContextOf } from '../../ml/decision-context';
import { DiscountRulesSnapshot } from './discount-rules-snapshot';
import { ModelRegistry } from './model-registry';
import { SendTimeLearning } from './send-time-learning';

/**
 * The decision policy in the engine: for the step the planner is about to plan, the step decision of
 * `ml/step-decision.ts` (the one the simulator runs): one of the step's reachable channels with a discount the
 * rules allow, or "send nothing more", by the promoted model's expected margin (the rules' own choice when no
 * model is promoted), exploring configured shares at random; and for a first step with send-time arms, the
 * delay the bandit picks for the customer's segment.
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

  async choose(loaded: LoadedPlannerInput, stepIndex: number, now: Date, step: CampaignStep, plannedChannel: ChannelKind): Promise<StepPolicyChoice | null> {
    const { input, facts } = loaded;
    if (!input.campaign.steps[stepIndex]) return null;
    // A waterfall's fallback follows the marketer's order: logged as a decision the campaign took (propensity 1).
    const earlier = input.enrollment.filter((m) => m.stepIndex === stepIndex);
    if (earlier.length > 0) return this.waterfall(loaded, stepIndex, now, plannedChannel);
    const kept = facts.planned.find((p) => p.stepIndex === stepIndex && (p.policy || p.sendTime));
    if (kept && isReachable(input.recipient, kept.channel)) {
      return { choice: { stepIndex, channel: kept.channel, delayMinutes: kept.sendTime?.armMinutes ?? null }, policy: kept.policy, sendTime: kept.sendTime };
    }

    const random = createRandom(decisionSeed(input.checkout.id, stepIndex));
    const { ctx, decision } = await this.decide(loaded, stepIndex, now, step, { rate: this.config.ml.explorationRate, stopRate: this.config.ml.stopExplorationRate }, random);
    if (decision.candidates.length === 1) return null; // nothing reaches the shopper: the planner's answer stands

    const policy: StoredPolicyDecision = {
      context: ctx,
      action: decision.action,
      propensity: decision.propensity,
      source: decision.source,
      modelVersion: decision.modelVersion,
      expectedMargin: decision.expectedMargin,
      reason: decision.reason,
      discountRuleId: decision.action.discountPct > 0 ? decision.discountRuleId : null,
      allowedPercents: decision.allowedPercents,
      rulesAction: decision.rulesAction,
      candidates: decision.candidates,
      scores: [...decision.scores].sort((a, b) => b.expectedMargin - a.expectedMargin).slice(0, TOP_SCORES),
    };
    if (decision.action.channel === 'none') return { choice: { stepIndex, channel: null, delayMinutes: null }, policy, sendTime: null, stop: true };
    let sendTime: StoredSendTimeDecision | null = null;
    if (step.sendTimeArms && step.sendTimeArms.length > 0 && facts.sequence.length === 0) {
      sendTime = await this.sendTimes.choose(ctx, step.sendTimeArms, random);
    }
    return { choice: { stepIndex, channel: decision.action.channel, delayMinutes: sendTime?.armMinutes ?? null }, policy, sendTime };
  }

  /**
   * "What the model would do now" for the console: the same decision, without exploring and without keeping an
   * earlier choice, so every candidate's expected margin is shown as the policy sees it at this moment.
   */
  async preview(loaded: LoadedPlannerInput, stepIndex: number, now: Date, step: CampaignStep): Promise<{ ctx: DecisionContext; decision: StepDecision }> {
    return this.decide(loaded, stepIndex, now, step, { rate: 0, stopRate: 0 }, createRandom(decisionSeed(loaded.input.checkout.id, stepIndex)));
  }

  private async decide(loaded: LoadedPlannerInput, stepIndex: number, now: Date, step: CampaignStep, exploration: ExplorationRates, random: Random) {
    const { input } = loaded;
    const ctx = decisionContextOf(loaded, stepIndex, now);
    const promoted = this.registry.promoted();
    const decision = decideStep({
      step,
      recipient: input.recipient,
      afterUnansweredEmail: isUnansweredEmail(input.enrollment.at(-1), now),
      discount: discountContextOf(loaded, stepIndex),
      discountRules: await this.rules.current(),
      ctx,
      campaignSteps: input.campaign.steps,
      model: promoted ? { model: promoted.model, version: promoted.label } : null,
      economics: { marginRate: this.config.ml.marginRate, messageCost: this.config.ml.messageCost },
      exploration,
      random,
    });
    return { ctx, decision };
  }

  /** The next channel of a waterfall step, with the step's offer: the campaign's choice, recorded as a decision taken for sure. */
  private waterfall(loaded: LoadedPlannerInput, stepIndex: number, now: Date, channel: ChannelKind): StepPolicyChoice {
    const kept = loaded.facts.planned.find((p) => p.stepIndex === stepIndex && p.channel === channel && p.policy);
    if (kept) return { choice: { stepIndex, channel, delayMinutes: null }, policy: kept.policy, sendTime: null };
    const discountPct = [...loaded.facts.stepOffers].reverse().find((o) => o.stepIndex === stepIndex)?.discountPct ?? 0;
    const action = { channel, discountPct };
    const policy: StoredPolicyDecision = {
      context: decisionContextOf(loaded, stepIndex, now),
      action,
      propensity: 1,
      source: 'waterfall',
      modelVersion: null,
      expectedMargin: null,
      reason: `the step's next channel after no ${loaded.input.campaign.steps[stepIndex]?.waterfall?.until ?? 'outcome'} in time (its waterfall)`,
      discountRuleId: null,
      allowedPercents: [discountPct],
      rulesAction: action,
      candidates: [action],
      scores: [],
    };
    return { choice: { stepIndex, channel, delayMinutes: null }, policy, sendTime: null };
  }
}

/** Scores kept on the message for the console's "why". */
const TOP_SCORES = 5;



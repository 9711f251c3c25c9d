import type { CampaignStep, ChannelKind, StepChoice } from '../../../campaigns/types';
import type { Action, DecisionContext } from '../../../ml/features';
import type { LoadedPlannerInput } from './planner-input';

/** The policy's decision as stored on the message (`decision.policy`): what training learns from and the console shows. */
export interface StoredPolicyDecision {
  /** The features as the policy saw them. */
  context: DecisionContext;
  action: Action;
  /** The probability the policy had of taking this action (for inverse-propensity weighting). */
  propensity: number;
  source: 'model' | 'rules' | 'exploration' | 'waterfall';
  /** "v12", or null when the rules decided. */
  modelVersion: string | null;
  expectedMargin: number | null;
  /** Why this channel and this discount, in words. */
  reason: string;
  /** The discount rule that allowed the discount, if any. */
  discountRuleId: string | null;
  /** The discounts the rules allowed at this step. */
  allowedPercents: number[];
  /** What the rules alone would have done here (the off-policy estimate of the rules replays it). */
  rulesAction?: Action;
  /** Every action the policy could choose among (for off-policy evaluation). */
  candidates: Action[];
  /** The model's best-scored actions, best first (empty when the rules decided). */
  scores: { action: Action; probability: number; expectedMargin: number }[];
}

/** The send-time bandit's pick for a first reminder (`decision.sendTime`). */
export interface StoredSendTimeDecision {
  segment: string;
  armMinutes: number;
  propensity: number;
}

/** The A/B/n variant a step's message carries (`decision.variant`; its name is also the message's `variant`). */
export interface StoredVariantDecision {
  name: string;
  /** The probability the enrollment had of this variant when it was drawn. */
  probability: number;
}

export interface StepPolicyChoice {
  choice: StepChoice;
  policy: StoredPolicyDecision | null;
  sendTime: StoredSendTimeDecision | null;
  /** The policy chose "send nothing more": the enrollment ends here, with this decision recorded on it. */
  stop?: boolean;
}

/**
 * Has its say in the step the planner is about to plan (`step`: as the enrollment's A/B/n variant makes it): the
 * channel among the step's reachable ones, the discount within the rules (unless the step fixes it), "send nothing
 * more", and a learned first delay. Null leaves the planner's choice as it is.
 */
export interface StepPolicy {
  choose(loaded: LoadedPlannerInput, stepIndex: number, now: Date, step: CampaignStep, plannedChannel: ChannelKind): Promise<StepPolicyChoice | null>;
}

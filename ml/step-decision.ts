/**
 * The decision of one campaign step — the one the engine takes and the simulator replays, so that what is
 * evaluated is what runs:
 *
 *  candidates   the step's channels as the campaign lists them ('last_engaged' is the channel of the last recovery
 *               message the shopper opened or clicked, as the planner reads it), those that reach the shopper, each
 *               with every percent the step's discount rule allows (`allowedPercents`; a step or variant that fixes
 *               its offer allows only the largest percent not above it), and "send nothing more".
 *  rules        the channel the planner's fallback picks (`resolveChannel`: after an unanswered email, push and SMS
 *               first) with the rule's own offer rounded **down** to an allowed percent. The rules never stop while
 *               a channel reaches the shopper.
 *  model        with a promoted model, the candidate whose best continuation over the campaign's remaining steps
 *               (their own channels and rules) has the highest expected margin (plan-search.ts).
 *  exploration  a share `rate` of decisions takes a random send, and a share `stopRate` stops, each with the
 *               probability recorded, so training can correct for how actions were chosen.
 */
import { expandChannels, isReachable, resolveChannel } from '../campaigns/channel-fallback';
import { allowedPercents, DEFAULT_PERCENT_LEVELS, type DiscountContext, type DiscountRule, matchDiscountRule, rulesDefaultPercent } from '../campaigns/discount-rules';
import { fixedOfferPercent } from '../campaigns/experiments/variants';
import type { CampaignStep, Recipient } from '../campaigns/types';
import { type Action, type DecisionContext, describeAction, sameAction, sequenceAfter } from './features';
import type { RecoveryModel } from './model';
import { type CandidateScore, type Economics, type Lookahead, scoreCandidates } from './plan-search';
import { explainScores } from './decision-reason';
import { randomInt, type Random } from './random';

export const STOP: Action = { channel: 'none', discountPct: 0 };

/** What a step offers one shopper: the step as planned (variant applied), who they are, what the rules allow. */
export interface StepTerms {
  step: CampaignStep;
  recipient: Recipient;
  /** The enrollment's previous message was an email neither opened nor clicked. */
  afterUnansweredEmail: boolean;
  /** What the discount rules look at, for this step (its `stepIndex`). */
  discount: DiscountContext;
  discountRules: readonly DiscountRule[];
  /** Percents a policy chooses among. @defaultValue DEFAULT_PERCENT_LEVELS */
  levels?: readonly number[];
}

export interface StepOptions {
  /** "Send nothing more" first, then each reachable channel of the step with each allowed percent. */
  candidates: Action[];
  rulesAction: Action;
  /** The rule whose offer the percents come from (null: no discount at this step). */
  discountRuleId: string | null;
  allowedPercents: number[];
}

/** The candidates of a step and the rules' own choice among them. */
export function stepOptions(terms: StepTerms): StepOptions {
  const { step, recipient, discount } = terms;
  const levels = [...(terms.levels ?? DEFAULT_PERCENT_LEVELS)];
  const rule = matchDiscountRule([...terms.discountRules], discount, step.discountRuleId);
  const fixed = step.discountPct ?? null;
  const allowed = allowedPercents(rule, discount, fixed === null ? levels : [...levels, fixed]);
  const percents = fixed === null ? allowed : [fixedOfferPercent(allowed, fixed)];
  const channels = expandChannels(step, recipient).filter((c) => isReachable(recipient, c));
  const rulesChannel = resolveChannel(step, recipient, { afterUnansweredEmail: terms.afterUnansweredEmail }).channel;
  const target = fixed ?? rulesDefaultPercent(rule, discount);
  // The rule's percent-equivalent is money floored to the cent (10 % of 99.99 is 9.99, i.e. 9.991 %): a hundredth of a
  // point of slack keeps it at its own level instead of rounding it down to the next one.
  const rulesPercent = percents.filter((p) => p <= target + 0.01).pop() ?? 0;
  return {
    candidates: [STOP, ...channels.flatMap((channel) => percents.map((discountPct) => ({ channel, discountPct })))],
    rulesAction: rulesChannel ? { channel: rulesChannel, discountPct: rulesPercent } : STOP,
    discountRuleId: rule && percents.some((p) => p > 0) ? rule.id : null,
    allowedPercents: percents,
  };
}

export interface ExplorationRates {
  /** Share of decisions that take a send at random. */
  rate: number;
  /** Share of decisions that stop at random (kept small: a stop ends the sequence). */
  stopRate: number;
}

export interface Explored {
  action: Action;
  /** The probability this procedure had of taking `action`. */
  propensity: number;
  explored: boolean;
}

/** Takes `preferred`, except for the explored shares; the propensity of whatever is taken. */
export function explore(preferred: Action, candidates: readonly Action[], rates: ExplorationRates, random: Random): Explored {
  if (candidates.length <= 1) return { action: preferred, propensity: 1, explored: false };
  const sends = candidates.filter((a) => a.channel !== 'none');
  const stopRate = candidates.some((a) => a.channel === 'none') ? clamp(rates.stopRate) : 0;
  const sendRate = sends.length > 0 ? Math.min(clamp(rates.rate), 1 - stopRate) : 0;
  const u = random();
  const explored = u < stopRate + sendRate;
  const action = !explored ? preferred : u < stopRate ? STOP : sends[randomInt(random, sends.length)];
  return { action, propensity: propensityOf(action, preferred, sends.length, stopRate, sendRate), explored };
}

function propensityOf(action: Action, preferred: Action, sends: number, stopRate: number, sendRate: number): number {
  const chosen = sameAction(action, preferred) ? 1 - stopRate - sendRate : 0;
  return chosen + (action.channel === 'none' ? stopRate : sendRate / sends);
}

const clamp = (x: number) => Math.min(Math.max(Number.isFinite(x) ? x : 0, 0), 1);

export interface StepDecisionInput extends StepTerms {
  /** The features as observable now; `ctx.stepIndex` is the campaign step. */
  ctx: DecisionContext;
  /** The campaign's steps: those after this one are the look-ahead. */
  campaignSteps: readonly CampaignStep[];
  model: { model: RecoveryModel; version: string } | null;
  economics: Economics;
  exploration: ExplorationRates;
  random: Random;
}

export interface StepDecision extends StepOptions {
  action: Action;
  propensity: number;
  source: 'model' | 'rules' | 'exploration';
  modelVersion: string | null;
  expectedMargin: number | null;
  /** Every candidate's estimate, when a model scored them. */
  scores: { action: Action; probability: number; expectedMargin: number }[];
  reason: string;
}

/** The later steps of the campaign as the model may plan them: each with its own channels, rules and stop. */
export function campaignLookahead(input: Pick<StepDecisionInput, 'campaignSteps' | 'recipient' | 'discount' | 'discountRules' | 'levels' | 'ctx'>): Lookahead {
  return {
    steps: Math.max(0, input.campaignSteps.length - 1 - input.ctx.stepIndex),
    candidates: (next) => {
      const step = input.campaignSteps[next.stepIndex];
      if (!step) return [STOP];
      const previousOffers = next.messagesSent.filter((m) => m.discountPct > 0).map((m) => ({ type: 'percent' as const, percent: m.discountPct }));
      const discount = { ...input.discount, stepIndex: next.stepIndex, previousOffers: [...input.discount.previousOffers, ...previousOffers] };
      return stepOptions({ step, recipient: input.recipient, afterUnansweredEmail: false, discount, discountRules: input.discountRules, levels: input.levels }).candidates;
    },
  };
}

/** One step, decided: by the model's expected margin when one is promoted, else by the rules; explored either way. */
export function decideStep(input: StepDecisionInput): StepDecision {
  const options = stepOptions(input);
  const { candidates, rulesAction } = options;
  let scores: CandidateScore[] = [];
  let preferred = rulesAction;
  if (input.model && candidates.length > 1) {
    scores = scoreCandidates(input.model.model, input.ctx, candidates, input.economics, campaignLookahead(input));
    preferred = scores.reduce((top, s) => (s.expectedMargin > top.expectedMargin ? s : top)).action;
  }
  const taken = explore(preferred, candidates, input.exploration, input.random);
  const scored = scores.find((s) => sameAction(s.action, taken.action));
  const by = scores.length > 0 ? 'model' : 'rules';
  return {
    ...options,
    action: taken.action,
    propensity: taken.propensity,
    source: taken.explored ? 'exploration' : by,
    modelVersion: scores.length > 0 ? input.model!.version : null,
    expectedMargin: scored?.expectedMargin ?? null,
    scores: scores.map(({ action, probability, expectedMargin }) => ({ action, probability, expectedMargin })),
    reason: reasonFor(taken, preferred, by, scores, input.model !== null, candidates.length),
  };
}

function reasonFor(taken: Explored, preferred: Action, by: 'model' | 'rules', scores: CandidateScore[], hasModel: boolean, choices: number): string {
  const preferredText = by === 'model' ? explainScores(scores.find((s) => sameAction(s.action, preferred))!, scores) : `${hasModel && choices <= 1 ? 'one allowed action' : 'no promoted model'}: the rules decide (${describeAction(preferred)})`;
  if (!taken.explored) return preferredText;
  return `exploring: ${describeAction(taken.action)} instead of ${by === 'model' ? "the model's" : "the rules'"} ${describeAction(preferred)}; ${preferredText}`;
}

/** The sequence as it stands after a decision (for the next step's context). */
export function afterDecision(ctx: DecisionContext, action: Action): DecisionContext {
  return { ...ctx, messagesSent: sequenceAfter(ctx, action) };
}

/**
 * The decision for one planned step. Among the actions the rules and consent allow, the model's policy
 * takes the one with the highest expected margin (see plan-search.ts); a configurable share of decisions
 * explores uniformly at random instead, and every decision records its propensity so that tomorrow's
 * training can correct for how actions were chosen. With no promoted model the rules decide.
 */
import { type Action, type DecisionContext, describeAction, encodeFeatures, sameAction } from './features';
import type { RecoveryModel } from './model';
import { type CandidateScore, type Economics, type Lookahead, scoreCandidates } from './plan-search';
import { randomInt, type Random } from './random';

export type { Economics, Lookahead } from './plan-search';

export interface DecideInput {
  ctx: DecisionContext;
  /** Allowed actions (stop included), from `candidateActions`. */
  candidates: Action[];
  rulesAction: Action;
  model: RecoveryModel | null;
  modelVersion: string | null;
  economics: Economics;
  /** Share of decisions taken uniformly at random among the candidates. @defaultValue 0.1 */
  explorationRate?: number;
  random: Random;
  /** Later steps the model may plan for; absent: each step is scored as if it were the last. */
  lookahead?: Lookahead;
  /** The candidates already scored by `scoreMany` (batch evaluation); scored here when absent. */
  scores?: CandidateScore[];
}

export interface PolicyDecision {
  action: Action;
  /** Probability this decision procedure had of choosing `action`. */
  propensity: number;
  explored: boolean;
  source: 'model' | 'rules' | 'exploration';
  modelVersion: string | null;
  expectedMargin: number | null;
  scores: { action: Action; probability: number; expectedMargin: number }[];
  reason: string;
  features: number[];
}

export const DEFAULT_EXPLORATION_RATE = 0.1;

const money = (n: number) => n.toFixed(2);
const pct = (p: number) => `${Math.round(p * 100)}%`;

function explain(best: CandidateScore, scores: CandidateScore[]): string {
  const others = scores.filter((s) => s !== best);
  const stop = scores.find((s) => s.action.channel === 'none');
  const parts = [`${describeAction(best.action)}: expected margin ${money(best.expectedMargin)} (recovery ${pct(best.probability)})`];
  const rival = others.filter((s) => s.action.channel !== best.action.channel && s !== stop).sort((a, b) => b.expectedMargin - a.expectedMargin)[0];
  if (rival) parts.push(`best other channel ${describeAction(rival.action)} ${money(rival.expectedMargin)}`);
  if (stop && stop !== best) parts.push(`stopping ${money(stop.expectedMargin)}`);
  if (best.action.channel !== 'none') {
    const sameChannel = others.filter((s) => s.action.channel === best.action.channel && s.action.discountPct !== best.action.discountPct);
    const alt = sameChannel.sort((a, b) => b.expectedMargin - a.expectedMargin)[0];
    if (alt) {
      parts.push(
        best.action.discountPct > 0
          ? `${best.action.discountPct}% off lifts recovery ${pct(alt.probability)} → ${pct(best.probability)}, worth ${money(best.expectedMargin - alt.expectedMargin)} more than ${alt.action.discountPct}%`
          : `${alt.action.discountPct}% off would lift recovery ${pct(best.probability)} → ${pct(alt.probability)} but return ${money(best.expectedMargin - alt.expectedMargin)} less`,
      );
    }
  }
  if (best.plan.length > 1) parts.push(`plan: ${best.plan.map(describeAction).join(' → ')}`);
  return parts.join('; ');
}

export function decideAction(input: DecideInput): PolicyDecision {
  const { ctx, candidates, model } = input;
  if (!model || candidates.length === 0) {
    return {
      action: input.rulesAction,
      propensity: 1,
      explored: false,
      source: 'rules',
      modelVersion: null,
      expectedMargin: null,
      scores: [],
      reason: `${model ? 'no candidate action' : 'no promoted model'}: the rules decide (${describeAction(input.rulesAction)})`,
      features: encodeFeatures(ctx, input.rulesAction),
    };
  }
  const scores = input.scores ?? scoreCandidates(model, ctx, candidates, input.economics, input.lookahead);
  const best = scores.reduce((top, s) => (s.expectedMargin > top.expectedMargin ? s : top));
  const epsilon = Math.min(Math.max(input.explorationRate ?? DEFAULT_EXPLORATION_RATE, 0), 1);
  const explored = input.random() < epsilon;
  const action = explored ? candidates[randomInt(input.random, candidates.length)] : best.action;
  const chosen = scores.find((s) => sameAction(s.action, action)) ?? best;
  const propensity = (1 - epsilon) * (sameAction(action, best.action) ? 1 : 0) + epsilon / candidates.length;
  return {
    action,
    propensity,
    explored,
    source: explored ? 'exploration' : 'model',
    modelVersion: input.modelVersion,
    expectedMargin: chosen.expectedMargin,
    scores: scores.map(({ action: a, probability, expectedMargin }) => ({ action: a, probability, expectedMargin })),
    reason: explored ? `exploring (${pct(epsilon)} of decisions): ${describeAction(action)}; the model preferred ${explain(best, scores)}` : explain(best, scores),
    features: encodeFeatures(ctx, action),
  };
}

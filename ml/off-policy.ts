/**
 * What a policy would have earned on logged checkouts it did not run: a doubly-robust estimate over each
 * checkout's sequence of decisions (Jiang & Li, 2016). Walking back from the outcome,
 *
 *   V_t = Q̂(s_t, π(s_t)) + ρ_t · (r_t + V_{t+1} − Q̂(s_t, a_t)),   ρ_t = π(a_t | s_t) / μ(a_t | s_t),
 *
 * where μ is the logged propensity, r_t the logged message's cost (negative), V_{T+1} the realised margin,
 * and Q̂ the model's estimate. Unbiased whatever Q̂ is, as long as the propensities are right; a good Q̂
 * only makes it less noisy. With Q̂ ≡ 0 it is plain inverse-propensity weighting.
 */
import type { ChannelKind } from '../campaigns/types';
import { type Action, maxDiscount, sameAction, sequenceAfter } from './features';
import type { TrainingExample } from './model';

export interface LoggedDecision {
  example: TrainingExample;
  /** The evaluated policy's (deterministic) action in this state. */
  target: Action;
  /** Q̂ of the logged action, and of the target's. */
  qLogged: number;
  qTarget: number;
  /** The same for the discount the sequence will cost (for the discount-cost estimate); absent: 0 (plain weighting). */
  discount?: { qLogged: number; qTarget: number };
}

export interface OffPolicyEconomics {
  marginRate: number;
  messageCost: Record<ChannelKind, number>;
}

/** What is estimated: the margin (message costs on the way, realised margin at the end), or the discount cost alone. */
export type OffPolicyMeasure = 'margin' | 'discount';

/** The realised margin of a logged checkout: the recorded one when present, else from the economics. */
export function realisedMargin(last: TrainingExample, economics: OffPolicyEconomics): number {
  if (!last.recovered) return 0;
  if (last.margin !== undefined) return last.margin;
  const pct = maxDiscount(sequenceAfter(last.ctx, last.action));
  return last.ctx.cartValue * (economics.marginRate - pct / 100);
}

/** The realised discount cost of a logged checkout: the recorded one when present, else the largest percent of the cart. */
export function realisedDiscount(last: TrainingExample): number {
  if (!last.recovered) return 0;
  if (last.discountCost !== undefined) return last.discountCost;
  return (last.ctx.cartValue * maxDiscount(sequenceAfter(last.ctx, last.action))) / 100;
}

const messageCostOf = (action: Action, economics: OffPolicyEconomics) => (action.channel === 'none' ? 0 : economics.messageCost[action.channel]);

/** The importance ratio of one step for a deterministic target: 1/μ where the logged action is the target's, else 0. */
const ratio = (d: LoggedDecision) => (sameAction(d.example.action, d.target) ? 1 : 0) / Math.max(d.example.propensity, 1e-6);

/** One checkout's decisions in step order. ρ multiplies along the sequence through the recursion (V_{t+1} carries ρ_{t+1}…). */
export function doublyRobustValue(trajectory: readonly LoggedDecision[], economics: OffPolicyEconomics): number {
  if (trajectory.length === 0) return 0;
  let value = realisedMargin(trajectory[trajectory.length - 1].example, economics);
  for (let t = trajectory.length - 1; t >= 0; t--) {
    const d = trajectory[t];
    value = d.qTarget + ratio(d) * (value - messageCostOf(d.example.action, economics) - d.qLogged);
  }
  return value;
}

/** Mean doubly-robust value × 1000: margin per 1000 abandonments. */
export function marginPer1000(trajectories: readonly (readonly LoggedDecision[])[], economics: OffPolicyEconomics): number {
  if (trajectories.length === 0) return Number.NaN;
  return (trajectories.reduce((s, t) => s + doublyRobustValue(t, economics), 0) / trajectories.length) * 1000;
}

/**
 * A policy's logged decisions reduced to the numbers the weighted estimate needs, checkout by checkout and step by
 * step (row-major, `horizon` columns): so a bootstrap can resample checkouts without scoring anything again.
 */
export interface WeightedTerms {
  checkouts: number;
  horizon: number;
  /** Cumulative importance ratio Π ρ up to each step; a checkout that ended keeps its last. */
  rho: Float64Array;
  /** r_t − Q̂(s_t, a_t) at each step (0 after the end). */
  gap: Float64Array;
  /** Q̂(s_t, π(s_t)) at each step (0 after the end). */
  target: Float64Array;
}

export function weightedTerms(trajectories: readonly (readonly LoggedDecision[])[], economics: OffPolicyEconomics, measure: OffPolicyMeasure = 'margin'): WeightedTerms {
  const n = trajectories.length;
  const horizon = n === 0 ? 0 : Math.max(...trajectories.map((t) => t.length));
  const terms: WeightedTerms = { checkouts: n, horizon, rho: new Float64Array(n * horizon), gap: new Float64Array(n * horizon), target: new Float64Array(n * horizon) };
  trajectories.forEach((trajectory, i) => {
    let rho = 1;
    for (let t = 0; t < horizon; t++) {
      const d = trajectory[t];
      const k = i * horizon + t;
      if (d) {
        rho *= ratio(d);
        const last = t === trajectory.length - 1;
        const q = measure === 'margin' ? d : (d.discount ?? { qLogged: 0, qTarget: 0 });
        const reward = measure === 'margin' ? -messageCostOf(d.example.action, economics) + (last ? realisedMargin(d.example, economics) : 0) : last ? realisedDiscount(d.example) : 0;
        terms.gap[k] = reward - q.qLogged;
        terms.target[k] = q.qTarget;
      }
      terms.rho[k] = rho;
    }
  });
  return terms;
}

/**
 * Weighted doubly-robust value per checkout of `terms` (Thomas & Brunskill, 2016): each step's cumulative weights
 * normalised to sum to 1 across checkouts. `counts[i]` is how many times checkout i is in the sample (a bootstrap
 * resample); absent, each once. Counting a checkout twice is the same as listing it twice.
 */
export function weightedValue(terms: WeightedTerms, counts?: ArrayLike<number>): number {
  const { checkouts: n, horizon, rho, gap, target } = terms;
  const c = (i: number) => (counts ? counts[i] : 1);
  let size = 0;
  for (let i = 0; i < n; i++) size += c(i);
  if (size === 0) return Number.NaN;
  let total = 0;
  let previousSum = size;
  for (let t = 0; t < horizon; t++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += c(i) * rho[i * horizon + t];
    for (let i = 0; i < n; i++) {
      const ci = c(i);
      if (ci === 0) continue;
      const k = i * horizon + t;
      const weight = sum > 0 ? rho[k] / sum : 0;
      const previous = t === 0 ? 1 / previousSum : previousSum > 0 ? rho[k - 1] / previousSum : 0;
      total += ci * (weight * gap[k] + previous * target[k]);
    }
    previousSum = sum;
  }
  return total;
}

/**
 * Weighted doubly-robust (Thomas & Brunskill, 2016), × 1000: the same estimate with each step's cumulative
 * importance weights normalised to sum to 1 across checkouts instead of divided by their count. Slightly
 * biased for small samples, consistent, and far less noisy when weights multiply over several steps — what
 * promotion uses. A checkout that ended keeps its last weight and earns nothing more.
 */
export function weightedMarginPer1000(trajectories: readonly (readonly LoggedDecision[])[], economics: OffPolicyEconomics): number {
  return weightedValue(weightedTerms(trajectories, economics)) * 1000;
}

/** Logged decisions grouped per checkout, in step order. */
export function trajectories(examples: readonly TrainingExample[]): TrainingExample[][] {
  const byCheckout = new Map<string, TrainingExample[]>();
  for (const e of examples) {
    const list = byCheckout.get(e.checkoutId);
    if (list) list.push(e);
    else byCheckout.set(e.checkoutId, [e]);
  }
  // Within a step (a waterfall's fallbacks) in the order they were taken.
  return [...byCheckout.values()].map((list) => list.sort((a, b) => a.ctx.stepIndex - b.ctx.stepIndex || a.decidedAt.getTime() - b.decidedAt.getTime()));
}

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
}

export interface OffPolicyEconomics {
  marginRate: number;
  messageCost: Record<ChannelKind, number>;
}

/** The realised margin of a logged checkout: the recorded one when present, else from the economics. */
export function realisedMargin(last: TrainingExample, economics: OffPolicyEconomics): number {
  if (!last.recovered) return 0;
  if (last.margin !== undefined) return last.margin;
  const pct = maxDiscount(sequenceAfter(last.ctx, last.action));
  return last.ctx.cartValue * (economics.marginRate - pct / 100);
}

/** One checkout's decisions in step order. */
export function doublyRobustValue(trajectory: readonly LoggedDecision[], economics: OffPolicyEconomics): number {
  if (trajectory.length === 0) return 0;
  let value = realisedMargin(trajectory[trajectory.length - 1].example, economics);
  for (let t = trajectory.length - 1; t >= 0; t--) {
    const { example, target, qLogged, qTarget } = trajectory[t];
    const cost = example.action.channel === 'none' ? 0 : economics.messageCost[example.action.channel];
    const rho = (sameAction(example.action, target) ? 1 : 0) / Math.max(example.propensity, 1e-6);
    value = qTarget + rho * (value - cost - qLogged);
  }
  return value;
}

/** Mean doubly-robust value × 1000: margin per 1000 abandonments. */
export function marginPer1000(trajectories: readonly (readonly LoggedDecision[])[], economics: OffPolicyEconomics): number {
  if (trajectories.length === 0) return Number.NaN;
  return (trajectories.reduce((s, t) => s + doublyRobustValue(t, economics), 0) / trajectories.length) * 1000;
}

/**
 * Weighted doubly-robust (Thomas & Brunskill, 2016), × 1000: the same estimate with each step's cumulative
 * importance weights normalised to sum to 1 across checkouts instead of divided by their count. Slightly
 * biased for small samples, consistent, and far less noisy when weights multiply over several steps — what
 * promotion uses. A checkout that ended keeps its last weight and earns nothing more.
 */
export function weightedMarginPer1000(trajectories: readonly (readonly LoggedDecision[])[], economics: OffPolicyEconomics): number {
  const n = trajectories.length;
  if (n === 0) return Number.NaN;
  const horizon = Math.max(...trajectories.map((t) => t.length));
  const rho = trajectories.map(() => 1);
  let previous = trajectories.map(() => 1 / n);
  let total = 0;
  for (let t = 0; t < horizon; t++) {
    trajectories.forEach((trajectory, i) => {
      const d = trajectory[t];
      if (d) rho[i] *= (sameAction(d.example.action, d.target) ? 1 : 0) / Math.max(d.example.propensity, 1e-6);
    });
    const sum = rho.reduce((a, b) => a + b, 0);
    const weights = rho.map((r) => (sum > 0 ? r / sum : 0));
    trajectories.forEach((trajectory, i) => {
      const d = trajectory[t];
      if (!d) return;
      const cost = d.example.action.channel === 'none' ? 0 : economics.messageCost[d.example.action.channel];
      const reward = -cost + (t === trajectory.length - 1 ? realisedMargin(d.example, economics) : 0);
      total += weights[i] * (reward - d.qLogged) + previous[i] * d.qTarget;
    });
    previous = weights;
  }
  return total * 1000;
}

/** Logged decisions grouped per checkout, in step order. */
export function trajectories(examples: readonly TrainingExample[]): TrainingExample[][] {
  const byCheckout = new Map<string, TrainingExample[]>();
  for (const e of examples) {
    const list = byCheckout.get(e.checkoutId);
    if (list) list.push(e);
    else byCheckout.set(e.checkoutId, [e]);
  }
  return [...byCheckout.values()].map((list) => list.sort((a, b) => a.ctx.stepIndex - b.ctx.stepIndex));
}

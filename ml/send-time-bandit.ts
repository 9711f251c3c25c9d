/**
 * Send-time learning for the first reminder: which delay after abandonment (15 min, 1 h, 4 h…) recovers
 * most, per segment of observable features, by Thompson sampling over recovery outcomes.
 *
 * Each (segment, delay) arm keeps its recovered / not-recovered counts. A segment with little data borrows
 * from the same delay's results across all segments (its prior is the pooled rate, worth up to
 * POOLED_PRIOR_STRENGTH observations), so a new segment starts from what the shop knows, not from zero.
 * Only delays inside the campaign's bounds are ever chosen; quiet hours are applied afterwards by the planner.
 */
import type { DecisionContext } from './features';
import { betaSample, createRandom, type Random } from './random';

export interface ArmCounts {
  successes: number;
  failures: number;
}

/** segment → delay in minutes → counts. */
export type SendTimeState = Record<string, Record<number, ArmCounts>>;

export interface DelayChoice {
  delayMinutes: number;
  /** Probability Thompson sampling had of choosing this delay (estimated by sampling). */
  propensity: number;
}

const POOLED_PRIOR_STRENGTH = 10;
const PROPENSITY_SAMPLES = 200;

/** Segments are coarse on purpose: device, new or returning, and a cart-value band. */
export function segmentKey(ctx: Pick<DecisionContext, 'device' | 'isReturning' | 'cartValue'>): string {
  const band = ctx.cartValue < 50 ? 'cart<50' : ctx.cartValue < 150 ? 'cart50-150' : 'cart150+';
  return `${ctx.device}|${ctx.isReturning ? 'returning' : 'new'}|${band}`;
}

function counts(state: SendTimeState, segment: string, arm: number): ArmCounts {
  return state[segment]?.[arm] ?? { successes: 0, failures: 0 };
}

function pooled(state: SendTimeState, arm: number): ArmCounts {
  const total = { successes: 0, failures: 0 };
  for (const segment of Object.keys(state)) {
    const c = state[segment][arm];
    if (c) {
      total.successes += c.successes;
      total.failures += c.failures;
    }
  }
  return total;
}

/** Beta posterior parameters of one arm in one segment. */
export function posterior(state: SendTimeState, segment: string, arm: number): { alpha: number; beta: number } {
  const own = counts(state, segment, arm);
  const all = pooled(state, arm);
  const trials = all.successes + all.failures;
  const strength = Math.min(POOLED_PRIOR_STRENGTH, trials);
  const rate = trials > 0 ? all.successes / trials : 0.5;
  return { alpha: 1 + rate * strength + own.successes, beta: 1 + (1 - rate) * strength + own.failures };
}

/** The delays a campaign allows, ascending; an empty list means the bounds leave nothing to choose. */
export function eligibleArms(arms: readonly number[], bounds: { min: number; max: number }): number[] {
  return [...new Set(arms)].filter((a) => Number.isFinite(a) && a >= bounds.min && a <= bounds.max).sort((a, b) => a - b);
}

function thompsonPick(state: SendTimeState, segment: string, arms: readonly number[], random: Random): number {
  let best = arms[0];
  let bestDraw = -1;
  for (const arm of arms) {
    const { alpha, beta } = posterior(state, segment, arm);
    const draw = betaSample(random, alpha, beta);
    if (draw > bestDraw) [best, bestDraw] = [arm, draw];
  }
  return best;
}

/**
 * One Thompson draw per arm, the highest wins. The propensity is estimated with a separate seeded stream so
 * it does not change the choice; with one eligible arm it is 1.
 */
export function chooseDelay(state: SendTimeState, segment: string, arms: readonly number[], bounds: { min: number; max: number }, random: Random): DelayChoice {
  const eligible = eligibleArms(arms, bounds);
  if (eligible.length === 0) throw new RangeError(`no send-time arm within [${bounds.min}, ${bounds.max}] minutes among ${arms.join(', ')}`);
  if (eligible.length === 1) return { delayMinutes: eligible[0], propensity: 1 };
  const delayMinutes = thompsonPick(state, segment, eligible, random);
  const estimator = createRandom(Math.floor(random() * 4294967296));
  let wins = 0;
  for (let i = 0; i < PROPENSITY_SAMPLES; i++) if (thompsonPick(state, segment, eligible, estimator) === delayMinutes) wins++;
  // Never 0: the arm was just chosen, so its probability is at least one in (samples + 1).
  return { delayMinutes, propensity: Math.max(wins, 1) / PROPENSITY_SAMPLES };
}

/** The state after one more settled outcome (a new object; the old one is left as it was). */
export function recordOutcome(state: SendTimeState, segment: string, arm: number, recovered: boolean): SendTimeState {
  const before = counts(state, segment, arm);
  const after = recovered ? { ...before, successes: before.successes + 1 } : { ...before, failures: before.failures + 1 };
  return { ...state, [segment]: { ...state[segment], [arm]: after } };
}

/** The state from stored counts. */
export function stateFromCounts(rows: readonly { segment: string; armMinutes: number; successes: number; failures: number }[]): SendTimeState {
  const state: SendTimeState = {};
  for (const row of rows) (state[row.segment] ??= {})[row.armMinutes] = { successes: row.successes, failures: row.failures };
  return state;
}

export interface SegmentSummary {
  segment: string;
  arms: { armMinutes: number; trials: number; successes: number; posteriorMean: number; probabilityBest: number }[];
  /** The delay with the highest probability of being best. */
  bestArm: number;
}

/** What was learned, per segment: each delay's trials, recovery rate estimate and chance of being the best. */
export function summarize(state: SendTimeState, seed = 1, samples = 2000): SegmentSummary[] {
  const random = createRandom(seed);
  return Object.keys(state)
    .sort()
    .map((segment) => {
      const arms = Object.keys(state[segment]).map(Number).sort((a, b) => a - b);
      const wins = new Map<number, number>(arms.map((a) => [a, 0]));
      for (let i = 0; i < samples; i++) {
        const pick = thompsonPick(state, segment, arms, random);
        wins.set(pick, (wins.get(pick) ?? 0) + 1);
      }
      const rows = arms.map((armMinutes) => {
        const c = counts(state, segment, armMinutes);
        const { alpha, beta } = posterior(state, segment, armMinutes);
        return {
          armMinutes,
          trials: c.successes + c.failures,
          successes: c.successes,
          posteriorMean: alpha / (alpha + beta),
          probabilityBest: (wins.get(armMinutes) ?? 0) / samples,
        };
      });
      const bestArm = rows.reduce((best, r) => (r.probabilityBest > best.probabilityBest ? r : best)).armMinutes;
      return { segment, arms: rows, bestArm };
    });
}

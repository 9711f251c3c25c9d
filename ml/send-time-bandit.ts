/**
 * When the first reminder goes out, learned per segment of observable customers by Thompson sampling:
 * each delay (arm) keeps a Beta(1 + recovered, 1 + not recovered) posterior; a decision samples every
 * allowed arm's posterior and takes the best draw. Pure: state in, decision out; `recordOutcome` returns a
 * new state; randomness is injected. Quiet hours are applied later by the planner, not here.
 */
import type { DecisionContext } from './features';
import { betaSample, createRandom, type Random } from './random';

export interface ArmCounts {
  successes: number;
  failures: number;
}

/** segment → delay in minutes (as a string key) → counts. Plain JSON. */
export type SendTimeState = Record<string, Record<string, ArmCounts>>;

export interface DelayChoice {
  delayMinutes: number;
  /** Probability Thompson sampling had of choosing this arm (estimated by replaying the draw). */
  propensity: number;
}

export interface ArmSummary {
  delayMinutes: number;
  posteriorMean: number;
  count: number;
  successes: number;
  failures: number;
}

export interface SegmentSummary {
  segment: string;
  arms: ArmSummary[];
}

const PROPENSITY_DRAWS = 256;

function cartBand(value: number): string {
  return value < 50 ? 'cart<50' : value < 150 ? 'cart50-150' : 'cart150+';
}

/** Coarse enough to learn in, built from observable facts only: device, new or returning, cart size. */
export function segmentKey(ctx: Pick<DecisionContext, 'device' | 'isReturning' | 'cartValue'>): string {
  const device = ctx.device === 'desktop' ? 'desktop' : ctx.device === 'unknown' ? 'unknown' : 'mobile';
  return `${device}|${ctx.isReturning ? 'returning' : 'new'}|${cartBand(ctx.cartValue)}`;
}

function countsOf(state: SendTimeState, segment: string, arm: number): ArmCounts {
  return state[segment]?.[String(arm)] ?? { successes: 0, failures: 0 };
}

function thompsonPick(state: SendTimeState, segment: string, arms: readonly number[], random: Random): number {
  let best = arms[0];
  let bestDraw = -1;
  for (const arm of arms) {
    const c = countsOf(state, segment, arm);
    const draw = betaSample(random, 1 + c.successes, 1 + c.failures);
    if (draw > bestDraw) [best, bestDraw] = [arm, draw];
  }
  return best;
}

/**
 * The delay for a first reminder. Only arms inside `bounds` are played; when none is, the bound nearest to
 * the arms is used with propensity 1.
 */
export function chooseDelay(state: SendTimeState, segment: string, arms: readonly number[], bounds: { min: number; max: number }, random: Random): DelayChoice {
  const allowed = [...new Set(arms)].filter((a) => a >= bounds.min && a <= bounds.max).sort((a, b) => a - b);
  if (allowed.length === 0) {
    const nearest = arms.length > 0 && Math.min(...arms) > bounds.max ? bounds.max : bounds.min;
    return { delayMinutes: nearest, propensity: 1 };
  }
  if (allowed.length === 1) return { delayMinutes: allowed[0], propensity: 1 };
  const delayMinutes = thompsonPick(state, segment, allowed, random);
  const replay = createRandom(Math.floor(random() * 4294967296));
  let wins = 0;
  for (let i = 0; i < PROPENSITY_DRAWS; i++) if (thompsonPick(state, segment, allowed, replay) === delayMinutes) wins++;
  return { delayMinutes, propensity: Math.max(wins, 1) / PROPENSITY_DRAWS };
}

export function recordOutcome(state: SendTimeState, segment: string, arm: number, recovered: boolean): SendTimeState {
  const c = countsOf(state, segment, arm);
  const next = recovered ? { successes: c.successes + 1, failures: c.failures } : { successes: c.successes, failures: c.failures + 1 };
  return { ...state, [segment]: { ...state[segment], [String(arm)]: next } };
}

/** From stored rows (one per segment and arm). */
export function stateFromCounts(rows: readonly { segment: string; armMinutes: number; successes: number; failures: number }[]): SendTimeState {
  const state: SendTimeState = {};
  for (const row of rows) (state[row.segment] ??= {})[String(row.armMinutes)] = { successes: row.successes, failures: row.failures };
  return state;
}

/** What was learned, per segment and arm, for a console: posterior mean of the recovery rate and trials. */
export function summarize(state: SendTimeState): SegmentSummary[] {
  return Object.keys(state)
    .sort()
    .map((segment) => ({
      segment,
      arms: Object.entries(state[segment])
        .map(([arm, c]) => ({
          delayMinutes: Number(arm),
          posteriorMean: (1 + c.successes) / (2 + c.successes + c.failures),
          count: c.successes + c.failures,
          successes: c.successes,
          failures: c.failures,
        }))
        .sort((a, b) => a.delayMinutes - b.delayMinutes),
    }));
}

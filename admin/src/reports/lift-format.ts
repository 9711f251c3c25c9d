import type { LiftReport } from '../../../server/experiments/lift-report';
import { money } from '../common/format';

/** GET /reports/lift as the API answers it. */
export type Lift = LiftReport & { report: 'lift'; from: string; to: string; asOf: string; alpha: number };
export type Interval = { low: number; high: number } | null;

const MINUS = '\u2212';
const signed = (text: string, value: number) => `${value < 0 ? MINUS : '+'}${text}`;

/** A fraction as percentage points: 0.041 → "+4.1 pp". */
export function pp(value: number | null | undefined, unit = true): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${signed((Math.abs(value) * 100).toFixed(1), value)}${unit ? ' pp' : ''}`;
}

/** An interval of fractions in percentage points: "−0.3 to +8.2 pp". */
export function ppInterval(ci: Interval): string {
  return ci ? `${pp(ci.low, false)} to ${pp(ci.high)}` : '—';
}

/** A relative change: 0.25 → "+25%". */
export function relative(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${signed((Math.abs(value) * 100).toFixed(0), value)}%`;
}

export function relativeInterval(ci: Interval): string {
  return ci ? `${relative(ci.low)} to ${relative(ci.high)}` : '—';
}

export function signedMoney(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return signed(money(Math.abs(value)), value);
}

export function moneyInterval(ci: Interval): string {
  return ci ? `${signedMoney(ci.low)} to ${signedMoney(ci.high)}` : '—';
}

/** How the two intervals are named on screen, so a marketer knows which one to trust on a daily look. */
export const ALWAYS_VALID = '95 %, valid however often you look';
export const FIXED_HORIZON = 'fixed-horizon, valid only if you look once';

/** `text` of an interval, or why there is none while the estimate exists (the API gives none before `minConversions` per group). */
export function orPending(text: string, estimate: number | null | undefined, minConversions: number): string {
  return text === '—' && estimate !== null && estimate !== undefined ? `no interval yet: each group needs ${minConversions} conversions` : text;
}

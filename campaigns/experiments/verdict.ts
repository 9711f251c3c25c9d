/**
 * The verdict of a holdout experiment in words, for the campaign screen:
 *
 *  - no decided abandonment in one of the groups → 'no_data';
 *  - the always-valid interval of the conversion lift excludes 0 → 'positive' ("reminders add …") or
 *    'negative' ("reminders cost …"), with the net margin per 1000 abandonments beside it;
 *  - otherwise 'inconclusive': how many more abandonments it takes to detect `detectable` when that is more
 *    than there are, else the interval, which then says how small the effect must be.
 *
 * Only the always-valid interval decides and is shown: the screen is looked at every day, and the fixed one
 * is valid only if looked at once.
 */
import type { Effect } from './lift-statistics';

export interface VerdictInput {
  /** Conversion lift, treatment − control, as a fraction (0.041 = 4.1 pp). */
  lift: Effect;
  /** Money per 1000 abandonments. */
  incrementalNetMarginPer1000: Effect;
  /** Total units to detect `detectable` (from unitsToDetect), or null. */
  unitsNeeded: number | null;
  /** Decided units so far (both arms). */
  unitsDecided: number;
  /** The lift the sample-size line talks about, e.g. 0.02. */
  detectable: number;
  formatMoney: (value: number) => string;
}

export interface Verdict {
  kind: 'positive' | 'negative' | 'inconclusive' | 'no_data';
  text: string;
  /** More abandonments (both groups) to detect `detectable`, to 2 significant digits; null unless that is the verdict. */
  moreUnitsNeeded: number | null;
}

const MINUS = '\u2212';

/** A fraction in percentage points, one decimal, never "-0.0". */
function pp(fraction: number): string {
  const text = (Math.abs(fraction) * 100).toFixed(1);
  return fraction < 0 && text !== '0.0' ? `${MINUS}${text}` : text;
}

/** With an explicit sign: +1.2, −0.5, 0.0. */
function signedPp(fraction: number): string {
  const text = pp(fraction);
  return text.startsWith(MINUS) || text === '0.0' ? text : `+${text}`;
}

/** The detectable lift as people say it: "2", "2.5". */
function roundPp(fraction: number): string {
  return String(Math.round(fraction * 1000) / 10);
}

function withThousands(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function twoSignificantDigits(count: number): number {
  if (count < 100) return Math.round(count);
  const unit = 10 ** (Math.floor(Math.log10(count)) - 1);
  return Math.round(count / unit) * unit;
}

function netPart(net: Effect, formatMoney: (value: number) => string): string {
  if (net.estimate === null) return '';
  const sign = net.estimate > 0 ? '+' : net.estimate < 0 ? MINUS : '';
  return ` · ${sign}${formatMoney(Math.abs(net.estimate))} net per 1000 abandonments`;
}

export function liftVerdict(input: VerdictInput): Verdict {
  const { lift, incrementalNetMarginPer1000, unitsNeeded, unitsDecided, detectable, formatMoney } = input;
  if (lift.estimate === null) return { kind: 'no_data', text: 'no decided abandonments in both groups yet', moreUnitsNeeded: null };

  if (lift.significant && lift.ci) {
    const net = netPart(incrementalNetMarginPer1000, formatMoney);
    if (lift.ci.low > 0) {
      return { kind: 'positive', text: `reminders add ${pp(lift.estimate)} pp (95 %: ${pp(lift.ci.low)}–${pp(lift.ci.high)})${net}`, moreUnitsNeeded: null };
    }
    // A cost is said as a positive number: its interval is the lift's, negated and reversed.
    return { kind: 'negative', text: `reminders cost ${pp(-lift.estimate)} pp (95 %: ${pp(-lift.ci.high)}–${pp(-lift.ci.low)})${net}`, moreUnitsNeeded: null };
  }

  if (unitsNeeded !== null && unitsNeeded > unitsDecided) {
    const more = Math.max(1, twoSignificantDigits(unitsNeeded - unitsDecided));
    return {
      kind: 'inconclusive',
      text: `not enough data yet: about ${withThousands(more)} more abandonments to detect a ${roundPp(detectable)} pp lift`,
      moreUnitsNeeded: more,
    };
  }
  if (lift.ci) {
    return { kind: 'inconclusive', text: `no clear effect: between ${signedPp(lift.ci.low)} and ${signedPp(lift.ci.high)} pp (95 %)`, moreUnitsNeeded: null };
  }
  // A difference but no interval yet (an arm with one unit, or no spread) and no sample size to quote.
  return { kind: 'inconclusive', text: 'not enough data yet', moreUnitsNeeded: null };
}

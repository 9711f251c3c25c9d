import { describe, expect, it } from 'vitest';
import { compareArms, sumsOf, unitsToDetect, type Effect } from './lift-statistics';
import { liftVerdict, type VerdictInput } from './verdict';

const euros = (value: number) => `€${Math.round(value).toLocaleString('en-US')}`;
const effect = (estimate: number, low: number, high: number): Effect => ({
  estimate,
  standardError: (high - low) / 6,
  ci: { low, high },
  ciFixed: { low: estimate - (estimate - low) / 2, high: estimate + (high - estimate) / 2 },
  significant: low > 0 || high < 0,
});
const net = (estimate: number | null): Effect => ({ estimate, standardError: null, ci: null, ciFixed: null, significant: false });
const EMPTY: Effect = net(null);

function verdict(overrides: Partial<VerdictInput>) {
  return liftVerdict({
    lift: effect(0.041, 0.023, 0.059),
    incrementalNetMarginPer1000: net(1840),
    unitsNeeded: 1200,
    unitsDecided: 5000,
    detectable: 0.02,
    formatMoney: euros,
    ...overrides,
  });
}

describe('liftVerdict', () => {
  it('says what reminders add, with the always-valid interval and the net margin', () => {
    expect(verdict({})).toEqual({ kind: 'positive', text: 'reminders add 4.1 pp (95 %: 2.3–5.9) · +€1,840 net per 1000 abandonments', moreUnitsNeeded: null });
  });

  it('keeps the sign of the net margin when the lift is positive but the discounts cost more', () => {
    expect(verdict({ incrementalNetMarginPer1000: net(-120) }).text).toBe('reminders add 4.1 pp (95 %: 2.3–5.9) · \u2212€120 net per 1000 abandonments');
  });

  it('leaves the net part out when there is no net margin estimate', () => {
    expect(verdict({ incrementalNetMarginPer1000: EMPTY }).text).toBe('reminders add 4.1 pp (95 %: 2.3–5.9)');
  });

  it('says what reminders cost, as positive numbers', () => {
    expect(verdict({ lift: effect(-0.012, -0.02, -0.004), incrementalNetMarginPer1000: net(-310) })).toEqual({
      kind: 'negative',
      text: 'reminders cost 1.2 pp (95 %: 0.4–2.0) · \u2212€310 net per 1000 abandonments',
      moreUnitsNeeded: null,
    });
  });

  it('says how many more abandonments it takes, to 2 significant digits', () => {
    const notYet = { lift: effect(0.01, -0.01, 0.03), unitsNeeded: 5187, unitsDecided: 2000 };
    expect(verdict(notYet)).toEqual({ kind: 'inconclusive', text: 'not enough data yet: about 3,200 more abandonments to detect a 2 pp lift', moreUnitsNeeded: 3200 });
    expect(verdict({ ...notYet, unitsNeeded: 2047 }).moreUnitsNeeded).toBe(47);
    expect(verdict({ ...notYet, unitsNeeded: 2001 }).text).toBe('not enough data yet: about 1 more abandonments to detect a 2 pp lift');
    expect(verdict({ ...notYet, unitsNeeded: 1_236_000, detectable: 0.005 }).text).toBe('not enough data yet: about 1,200,000 more abandonments to detect a 0.5 pp lift');
  });

  it('gives the interval when there are already enough units and still no clear effect', () => {
    expect(verdict({ lift: effect(0.0035, -0.005, 0.012), unitsNeeded: 4000, unitsDecided: 4000 })).toEqual({
      kind: 'inconclusive',
      text: 'no clear effect: between \u22120.5 and +1.2 pp (95 %)',
      moreUnitsNeeded: null,
    });
    expect(verdict({ lift: effect(0, -0.0004, 0.0004), unitsNeeded: null }).text).toBe('no clear effect: between 0.0 and 0.0 pp (95 %)');
  });

  it('says there is no data when a group has no decided abandonment', () => {
    expect(verdict({ lift: EMPTY, incrementalNetMarginPer1000: EMPTY, unitsNeeded: null, unitsDecided: 0 })).toEqual({
      kind: 'no_data',
      text: 'no decided abandonments in both groups yet',
      moreUnitsNeeded: null,
    });
  });

  it('says only "not enough data yet" with a difference but neither an interval nor a sample size', () => {
    expect(verdict({ lift: { ...EMPTY, estimate: 0.5 }, unitsNeeded: null, unitsDecided: 3 })).toEqual({ kind: 'inconclusive', text: 'not enough data yet', moreUnitsNeeded: null });
  });

  it('works on what lift-statistics computes', () => {
    const converted = (count: number, of: number, probability: number) => sumsOf(Array.from({ length: of }, (_, i) => ({ y: i < count ? 1 : 0, probability })));
    const treatment = converted(1120, 7000, 0.7); // 16 %
    const control = converted(300, 3000, 0.3); // 10 %
    const margin = (perConversion: number, s: ReturnType<typeof converted>) => ({ ...s, wy: s.wy * perConversion, w2y: s.w2y * perConversion, w2y2: s.w2y2 * perConversion ** 2 });
    const result = liftVerdict({
      lift: compareArms(treatment, control),
      incrementalNetMarginPer1000: (() => {
        const e = compareArms(margin(40, treatment), margin(50, control));
        return { ...e, estimate: e.estimate === null ? null : e.estimate * 1000 };
      })(),
      unitsNeeded: unitsToDetect(treatment, control, 0.02),
      unitsDecided: 10_000,
      detectable: 0.02,
      formatMoney: euros,
    });
    expect(result.kind).toBe('positive');
    expect(result.text).toMatch(/^reminders add 6\.0 pp \(95 %: \d\.\d–\d\.\d\) · \+€1,400 net per 1000 abandonments$/);
  });
});

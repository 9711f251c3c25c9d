import { describe, expect, it } from 'vitest';
import type { Action } from './features';
import type { TrainingExample } from './model';
import { doublyRobustValue, type LoggedDecision, marginPer1000, weightedMarginPer1000, weightedTerms, weightedValue } from './off-policy';
import { createRandom } from './random';
import { makeContext } from './test-support';

const email: Action = { channel: 'email', discountPct: 0 };
const sms: Action = { channel: 'sms', discountPct: 0 };
const economics = { marginRate: 0.4, messageCost: { email: 0, push: 0, sms: 0 } };

/**
 * Half the checkouts are at 'shipping' (SMS recovers 50%, email 20%), half at 'payment' (the reverse). The
 * logging policy mostly sends the worse channel: email 90% at shipping, SMS 90% at payment. A recovery
 * earns 10. "Always SMS" is truly worth (0.5·0.5 + 0.5·0.2)·10 = 3.5 per checkout.
 */
function biasedLog(n: number): TrainingExample[] {
  const random = createRandom(42);
  return Array.from({ length: n }, (_, i) => {
    const shipping = random() < 0.5;
    const pSms = shipping ? 0.1 : 0.9;
    const action = random() < pSms ? sms : email;
    const recoveryRate = (action === sms) === shipping ? 0.5 : 0.2;
    const recovered = random() < recoveryRate;
    return {
      ctx: makeContext({ stage: shipping ? 'shipping' : 'payment' }),
      action,
      propensity: action === sms ? pSms : 1 - pSms,
      recovered,
      margin: recovered ? 10 : undefined,
      decidedAt: new Date(0),
      checkoutId: `c${i}`,
    };
  });
}

const alwaysSms = (examples: TrainingExample[], q: (e: TrainingExample, a: Action) => number): LoggedDecision[][] =>
  examples.map((example) => [{ example, target: sms, qLogged: q(example, example.action), qTarget: q(example, sms) }]);

describe('off-policy estimates of margin', () => {
  const log = biasedLog(40_000);

  it('inverse-propensity weighting recovers the true value where the naive average of matching logs is far off', () => {
    const matching = log.filter((e) => e.action === sms);
    const naive = (matching.filter((e) => e.recovered).length * 10 * 1000) / matching.length;
    expect(naive).toBeLessThan(2600); // ≈ 2300: SMS was logged mostly where it works worst
    expect(Math.abs(marginPer1000(alwaysSms(log, () => 0), economics) - 3500)).toBeLessThan(150);
  });

  it('stays unbiased whatever the outcome model, a wrong one or the true one', () => {
    expect(Math.abs(marginPer1000(alwaysSms(log, (_e, a) => (a === email ? 6 : 1)), economics) - 3500)).toBeLessThan(200);
    const truth = (e: TrainingExample, a: Action) => 10 * ((a === sms) === (e.ctx.stage === 'shipping') ? 0.5 : 0.2);
    const dr = marginPer1000(alwaysSms(log, truth), economics);
    expect(Math.abs(dr - 3500)).toBeLessThan(200);
  });

  it('the weighted (self-normalised) form recovers the same value, and equals plain DR when every weight is 1', () => {
    const truth = (e: TrainingExample, a: Action) => 10 * ((a === sms) === (e.ctx.stage === 'shipping') ? 0.5 : 0.2);
    expect(Math.abs(weightedMarginPer1000(alwaysSms(log, () => 0), economics) - 3500)).toBeLessThan(150);
    expect(Math.abs(weightedMarginPer1000(alwaysSms(log, truth), economics) - 3500)).toBeLessThan(150);
    const onPolicy = log.slice(0, 500).map((e) => [{ example: { ...e, propensity: 1 }, target: e.action, qLogged: 2, qTarget: 2 }]);
    expect(weightedMarginPer1000(onPolicy, economics)).toBeCloseTo(marginPer1000(onPolicy, economics), 8);
  });

  it('walks a sequence back from its outcome, charging each logged message', () => {
    const step = (stepIndex: number, action: Action, propensity: number): TrainingExample => ({
      ctx: makeContext({ stepIndex }),
      action,
      propensity,
      recovered: true,
      margin: 30,
      decidedAt: new Date(0),
      checkoutId: 'x',
    });
    const costs = { marginRate: 0.4, messageCost: { email: 1, push: 0, sms: 2 } };
    const value = doublyRobustValue(
      [
        { example: step(0, email, 0.5), target: email, qLogged: 5, qTarget: 5 },
        { example: step(1, sms, 0.25), target: sms, qLogged: 4, qTarget: 4 },
      ],
      costs,
    );
    // V1 = 4 + 4·(30 − 2 − 4) = 100; V0 = 5 + 2·(100 − 1 − 5) = 193
    expect(value).toBeCloseTo(193, 10);
  });

  it('multiplies the importance ratios along a sequence: with Q̂ ≡ 0 it is Π(1/μ) times what the sequence earned', () => {
    const step = (stepIndex: number, action: Action, propensity: number): TrainingExample => ({
      ctx: makeContext({ stepIndex }),
      action,
      propensity,
      recovered: true,
      margin: 30,
      decidedAt: new Date(0),
      checkoutId: 'x',
    });
    const costs = { marginRate: 0.4, messageCost: { email: 1, push: 0, sms: 2 } };
    const trajectory = [
      { example: step(0, email, 0.5), target: email, qLogged: 0, qTarget: 0 },
      { example: step(1, sms, 0.25), target: sms, qLogged: 0, qTarget: 0 },
    ];
    // (1/0.5)(1/0.25)(30 − 2) − (1/0.5)·1: each step's cost weighted by the ratios up to it
    expect(doublyRobustValue(trajectory, costs)).toBeCloseTo(8 * 28 - 2, 10);
    const terms = weightedTerms([trajectory], costs);
    expect(Array.from(terms.rho)).toEqual([2, 8]);
    // A target that leaves the logged sequence at the second step earns that step nothing: ρ is 0 from there.
    expect(Array.from(weightedTerms([[trajectory[0], { ...trajectory[1], target: email }]], costs).rho)).toEqual([2, 0]);
  });

  it('a checkout counted twice weighs as if listed twice (what a bootstrap resample does)', () => {
    const truth = (e: TrainingExample, a: Action) => 10 * ((a === sms) === (e.ctx.stage === 'shipping') ? 0.5 : 0.2);
    const some = alwaysSms(log.slice(0, 300), truth);
    const counts = some.map((_, i) => i % 3);
    const listed = some.flatMap((t, i) => Array.from({ length: counts[i] }, () => t));
    const terms = weightedTerms(some, economics);
    expect(weightedValue(terms, counts) * 1000).toBeCloseTo(weightedMarginPer1000(listed, economics), 8);
    expect(weightedValue(terms) * 1000).toBeCloseTo(weightedMarginPer1000(some, economics), 12);
    expect(weightedValue(terms, some.map(() => 0))).toBeNaN();
  });

  it('estimates the discount a policy would cost with the same weights: on-policy and Q̂ ≡ 0, the mean realised discount', () => {
    const offered = log.slice(0, 400).map((e, i) => ({ ...e, propensity: 1, action: { channel: 'sms' as const, discountPct: 10 }, discountCost: i % 2 === 0 ? 4 : undefined }));
    const decisions = offered.map((example) => [{ example, target: example.action, qLogged: 0, qTarget: 0 }]);
    // recorded 4 where given, else 10 % of the 100 cart; nothing when not recovered
    const expected = offered.reduce((s, e) => s + (e.recovered ? (e.discountCost ?? 10) : 0), 0) / offered.length;
    expect(weightedValue(weightedTerms(decisions, economics, 'discount'))).toBeCloseTo(expected, 10);
  });
});

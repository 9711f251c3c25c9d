import { describe, expect, it } from 'vitest';
import { STOP } from './candidates';
import { type Action, sameAction } from './features';
import { decideAction, type DecideInput } from './policy';
import { createRandom } from './random';
import { featureModel, makeContext } from './test-support';

const economics = { marginRate: 0.4, messageCost: { email: 0.001, push: 0.0005, sms: 0.0079 } };
// 10% base, +15 points per message, +20 points per 20% off (linear): on a 100 cart with 40% margin,
// stop 4.00 · email 10.00 · email 10% 10.50 · email 20% 9.00.
const model = featureModel((f) => 0.1 + 0.15 * f('messages_total') + 0.2 * f('discount_after'));
const send = (channel: Action['channel'], discountPct = 0): Action => ({ channel, discountPct });
const all = [STOP, send('email'), send('email', 10), send('email', 20), send('sms'), send('sms', 10)];

const input = (over: Partial<DecideInput> = {}): DecideInput => ({
  ctx: makeContext(),
  candidates: all,
  rulesAction: send('push'),
  model,
  modelVersion: 'v3',
  economics,
  explorationRate: 0,
  random: createRandom(1),
  ...over,
});

describe('decideAction', () => {
  it('takes the highest expected margin: probability × (value × margin rate − discount) − message cost', () => {
    const d = decideAction(input());
    expect(d.action).toEqual(send('email', 10));
    expect(d.source).toBe('model');
    expect(d.propensity).toBe(1);
    expect(d.expectedMargin).toBeCloseTo(0.35 * 30 - 0.001, 10);
    const stop = d.scores.find((s) => s.action.channel === 'none')!;
    expect(stop.expectedMargin).toBeCloseTo(4, 10);
    expect(d.modelVersion).toBe('v3');
  });

  it('chooses only among the candidates it is given', () => {
    const candidates = [STOP, send('push'), send('sms', 20)];
    const d = decideAction(input({ candidates }));
    expect(candidates.some((c) => sameAction(c, d.action))).toBe(true);
    expect(d.action).toEqual(send('push'));
    expect(d.scores.map((s) => s.action)).toEqual(candidates);
  });

  it('explains the channel and the discount in words', () => {
    const { reason } = decideAction(input());
    expect(reason).toContain('email with 10% off');
    expect(reason).toMatch(/10% off lifts recovery 25% → 35%/);
    expect(reason).toContain('stopping 4.00');
  });

  it('explores at the configured rate, and the propensities of all candidates sum to 1', () => {
    const random = createRandom(7);
    const seen = new Map<string, { propensity: number; count: number }>();
    const n = 6000;
    for (let i = 0; i < n; i++) {
      const d = decideAction(input({ explorationRate: 0.3, random }));
      const key = JSON.stringify(d.action);
      const entry = seen.get(key) ?? { propensity: d.propensity, count: 0 };
      expect(d.propensity).toBe(entry.propensity);
      entry.count++;
      seen.set(key, entry);
      expect(d.source).toBe(d.explored ? 'exploration' : 'model');
    }
    expect(seen.size).toBe(all.length);
    const total = [...seen.values()].reduce((s, e) => s + e.propensity, 0);
    expect(total).toBeCloseTo(1, 12);
    for (const e of seen.values()) expect(Math.abs(e.count / n - e.propensity)).toBeLessThan(0.02);
    expect(seen.get(JSON.stringify(send('email', 10)))!.propensity).toBeCloseTo(0.7 + 0.3 / 6, 12);
  });

  it('lets the rules decide when no model is promoted', () => {
    const d = decideAction(input({ model: null, modelVersion: null }));
    expect(d).toMatchObject({ action: send('push'), propensity: 1, source: 'rules', expectedMargin: null, scores: [] });
    expect(d.reason).toContain('no promoted model');
  });

  it('looks ahead: a reminder that is worth nothing alone is sent when an offer can follow it', () => {
    // Stop 10% (4.00); email then stop 6% (2.40); email then SMS with 10% off 36% (10.80).
    const sequenceModel = featureModel((f) => 0.1 - 0.04 * f('message_0_email') + 0.1 * f('message_1_sms') + 0.4 * f('discount_after'));
    const later = () => [STOP, send('sms'), send('sms', 10)];
    const first = [STOP, send('email')];
    const planned = decideAction(input({ model: sequenceModel, candidates: first, lookahead: { steps: 1, candidates: later } }));
    expect(planned.action).toEqual(send('email'));
    expect(planned.expectedMargin).toBeCloseTo(0.36 * 30 - 0.001 - 0.0079, 10);
    expect(planned.reason).toContain('plan: email, no discount → sms with 10% off');
    const myopic = decideAction(input({ model: sequenceModel, candidates: first }));
    expect(myopic.action).toEqual(STOP);
  });
});

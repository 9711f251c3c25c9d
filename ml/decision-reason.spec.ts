import { describe, expect, it } from 'vitest';
import { explainScores } from './decision-reason';
import type { Action } from './features';
import { scoreCandidates } from './plan-search';
import { STOP } from './step-decision';
import { featureModel, makeContext } from './test-support';

const economics = { marginRate: 0.4, messageCost: { email: 0.001, push: 0.0005, sms: 0.0079 } };
// 10% base, +15 points per message, +20 points per 20% off (linear): on a 100 cart with 40% margin,
// stop 4.00 · email 10.00 · email 10% 10.50 · email 20% 9.00.
const model = featureModel((f) => 0.1 + 0.15 * f('messages_total') + 0.2 * f('discount_after'));
const send = (channel: Action['channel'], discountPct = 0): Action => ({ channel, discountPct });
const all = [STOP, send('email'), send('email', 10), send('email', 20), send('sms'), send('sms', 10)];
const best = (scores: ReturnType<typeof scoreCandidates>) => scores.reduce((top, s) => (s.expectedMargin > top.expectedMargin ? s : top));

describe('scoring and explaining a decision', () => {
  it('scores each candidate: probability × (value × margin rate − discount) − message cost', () => {
    const scores = scoreCandidates(model, makeContext(), all, economics);
    expect(best(scores).action).toEqual(send('email', 10));
    expect(best(scores).expectedMargin).toBeCloseTo(0.35 * 30 - 0.001, 10);
    expect(scores.find((s) => s.action.channel === 'none')!.expectedMargin).toBeCloseTo(4, 10);
  });

  it('explains the channel and the discount in words', () => {
    const scores = scoreCandidates(model, makeContext(), all, economics);
    const reason = explainScores(best(scores), scores);
    expect(reason).toContain('email with 10% off');
    expect(reason).toMatch(/10% off lifts recovery 25% → 35%/);
    expect(reason).toContain('stopping 4.00');
  });

  it('looks ahead: a reminder that is worth nothing alone wins when an offer can follow it', () => {
    // Stop 10% (4.00); email then stop 6% (2.40); email then SMS with 10% off 36% (10.80).
    const sequenceModel = featureModel((f) => 0.1 - 0.04 * f('message_0_email') + 0.1 * f('message_1_sms') + 0.4 * f('discount_after'));
    const later = () => [STOP, send('sms'), send('sms', 10)];
    const first = [STOP, send('email')];
    const planned = scoreCandidates(sequenceModel, makeContext(), first, economics, { steps: 1, candidates: later });
    expect(best(planned).action).toEqual(send('email'));
    expect(best(planned).expectedMargin).toBeCloseTo(0.36 * 30 - 0.001 - 0.0079, 10);
    expect(explainScores(best(planned), planned)).toContain('plan: email, no discount → sms with 10% off');
    expect(best(scoreCandidates(sequenceModel, makeContext(), first, economics)).action).toEqual(STOP);
  });
});

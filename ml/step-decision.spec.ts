import { describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN } from '../campaigns/default-campaign';
import { DEFAULT_DISCOUNT_RULES, type DiscountContext } from '../campaigns/discount-rules';
import type { CampaignStep, Recipient } from '../campaigns/types';
import { createRandom } from './random';
import { decideStep, explore, STOP, stepOptions, type StepDecisionInput } from './step-decision';
import { featureModel, makeContext } from './test-support';

const everyone: Recipient = {
  timezone: 'Europe/Paris',
  email: 'ann@example.com',
  phone: '+33612345678',
  pushSubscriptions: 1,
  consent: { sms: true },
  requireEmailOptIn: false,
  lastEngagedChannel: null,
};
const discountAt = (stepIndex: number, overrides: Partial<DiscountContext> = {}): DiscountContext => ({
  cartValue: 100,
  ordersCount: 0,
  lifetimeValue: 0,
  isNewCustomer: true,
  stage: 'payment',
  stepIndex,
  previousOffers: [],
  ...overrides,
});
const offerStep = DEFAULT_CAMPAIGN.steps[2];
const pushOnlyStep: CampaignStep = { delayMinutes: 60, channels: ['push'], templates: { push: 'reminder-push' } };
const terms = (step: CampaignStep, stepIndex: number, overrides: Partial<StepDecisionInput> = {}): StepDecisionInput => ({
  step,
  recipient: everyone,
  afterUnansweredEmail: false,
  discount: discountAt(stepIndex),
  discountRules: DEFAULT_DISCOUNT_RULES,
  ctx: makeContext({ stepIndex, cartValue: 100 }),
  campaignSteps: DEFAULT_CAMPAIGN.steps,
  model: null,
  economics: { marginRate: 0.3, messageCost: { email: 0.001, push: 0.0005, sms: 0.0079 } },
  exploration: { rate: 0, stopRate: 0 },
  random: createRandom(1),
  ...overrides,
});

describe('the step decision', () => {
  it("offers the step's own channels as the campaign lists them, each with the percents its rule allows, and stopping", () => {
    const options = stepOptions(terms(offerStep, 2, { recipient: { ...everyone, lastEngagedChannel: 'push' } }));
    // last_engaged is the planner's: the channel of the last message opened or clicked (push), then sms, then email.
    expect(options.candidates).toEqual([
      STOP,
      ...['push', 'sms', 'email'].flatMap((channel) => [0, 5, 10, 15].map((discountPct) => ({ channel, discountPct }))),
    ]);
    expect(options).toMatchObject({ discountRuleId: 'default-third-step', allowedPercents: [0, 5, 10, 15] });
    // Only channels that reach the shopper; a push-only step without push offers only stopping.
    const noSms = stepOptions(terms(offerStep, 2, { recipient: { ...everyone, consent: {} } }));
    expect(noSms.candidates.map((a) => a.channel)).not.toContain('sms');
    expect(stepOptions(terms(pushOnlyStep, 0, { recipient: { ...everyone, pushSubscriptions: 0 } })).candidates).toEqual([STOP]);
  });

  it("the rules take the planner's channel, with the rule's offer rounded down, and never stop while a channel reaches", () => {
    expect(stepOptions(terms(offerStep, 2)).rulesAction).toEqual({ channel: 'sms', discountPct: 10 });
    // After an unanswered email, push and SMS come before email (the planner's rule), here push: last engaged is not known.
    expect(stepOptions(terms({ ...offerStep, channels: ['email', 'push'] }, 2, { afterUnansweredEmail: true })).rulesAction.channel).toBe('push');
    // A high-value cart's rule offers 15 %; a cap of 12 % allowed rounds it down to 10 %, never up.
    const capped = [{ ...DEFAULT_DISCOUNT_RULES[2], offer: { ...DEFAULT_DISCOUNT_RULES[2].offer, amount: 12, maxPercent: 12 } }];
    expect(stepOptions(terms(offerStep, 2, { discountRules: capped })).rulesAction).toEqual({ channel: 'sms', discountPct: 10 });
    expect(stepOptions(terms(pushOnlyStep, 0, { recipient: { ...everyone, pushSubscriptions: 0 } })).rulesAction).toEqual(STOP);
    // 10 % of 99.99 is 9.99 once floored to the cent: still the rule's 10 %, not 5 %.
    expect(stepOptions(terms(offerStep, 2, { discount: discountAt(2, { cartValue: 99.99 }) })).rulesAction).toEqual({ channel: 'sms', discountPct: 10 });
    // A cap that bites (50 off at most on a 600 cart: 8.3 %) lowers it to the level below.
    expect(stepOptions(terms(offerStep, 2, { discount: discountAt(2, { cartValue: 600 }) })).rulesAction).toEqual({ channel: 'sms', discountPct: 5 });
  });

  it('a step that fixes its offer leaves only the largest allowed percent not above it', () => {
    expect(stepOptions(terms({ ...offerStep, discountPct: 12 }, 2)).allowedPercents).toEqual([12]);
    expect(stepOptions(terms({ ...offerStep, discountPct: 40 }, 2)).allowedPercents).toEqual([15]);
    const none = stepOptions(terms({ ...offerStep, discountPct: 0 }, 2));
    expect(none.allowedPercents).toEqual([0]);
    expect(none.discountRuleId).toBeNull();
  });

  it('explores sends and stopping at their rates, and records the probability of what it took', () => {
    const candidates = stepOptions(terms(offerStep, 2)).candidates;
    const preferred = { channel: 'sms' as const, discountPct: 10 };
    const rates = { rate: 0.2, stopRate: 0.05 };
    const random = createRandom(7);
    const counts = new Map<string, number>();
    const propensity = new Map<string, number>();
    const draws = 40_000;
    for (let i = 0; i < draws; i++) {
      const taken = explore(preferred, candidates, rates, random);
      const key = `${taken.action.channel}:${taken.action.discountPct}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      propensity.set(key, taken.propensity);
    }
    // The recorded probabilities are the real frequencies, and they sum to 1 over the candidates.
    for (const [key, n] of counts) expect(n / draws).toBeCloseTo(propensity.get(key)!, 2);
    expect([...propensity.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(propensity.get('none:0')).toBeCloseTo(0.05, 10);
    // Eight sends (sms and email, 0–15 %): last_engaged is unknown here.
    expect(propensity.get('sms:10')).toBeCloseTo(0.75 + 0.2 / 8, 10);
    expect(explore(STOP, [STOP], rates, random)).toEqual({ action: STOP, propensity: 1, explored: false });
  });

  it('the model stops when nothing it could send is worth its cost, and sends the offer when that pays', () => {
    // Recovery does not move whatever is sent: every message only costs.
    const indifferent = { model: featureModel(() => 0.2), version: 'v1' };
    const stop = decideStep(terms(offerStep, 2, { model: indifferent }));
    expect(stop).toMatchObject({ action: STOP, source: 'model', modelVersion: 'v1', propensity: 1 });
    expect(stop.reason).toMatch(/^send nothing more: expected margin/);
    // Recovery rises with the discount offered: the biggest allowed offer pays.
    const discountSensitive = { model: featureModel((f) => 0.1 + f('discount_after') * 0.6), version: 'v2' };
    const offer = decideStep(terms(offerStep, 2, { model: discountSensitive }));
    expect(offer.action).toMatchObject({ discountPct: 15 });
    expect(offer.scores).toHaveLength(offer.candidates.length);
  });

  it('looks ahead over the campaign’s own later steps: a reminder now is worth more when an offer can follow', () => {
    // Only a sequence ending in an offer recovers; the first step (push) alone does nothing.
    const offerOnly = { model: featureModel((f) => (f('discount_after') > 0 ? 0.6 : 0.05)), version: 'v3' };
    const first = decideStep(terms(DEFAULT_CAMPAIGN.steps[0], 0, { model: offerOnly, discount: discountAt(0) }));
    expect(first.action.channel).toBe('push');
    expect(first.reason).toMatch(/plan: push, no discount → /);
  });

  it('without a model the rules decide, exploring the same way', () => {
    const decided = decideStep(terms(offerStep, 2));
    expect(decided).toMatchObject({ action: { channel: 'sms', discountPct: 10 }, source: 'rules', propensity: 1, modelVersion: null, expectedMargin: null, scores: [] });
    expect(decided.reason).toBe('no promoted model: the rules decide (sms with 10% off)');
    const explored = Array.from({ length: 200 }, (_, i) => decideStep(terms(offerStep, 2, { exploration: { rate: 0.5, stopRate: 0.1 }, random: createRandom(i) })));
    expect(explored.some((d) => d.source === 'exploration' && d.action.channel === 'none')).toBe(true);
    expect(explored.find((d) => d.source === 'exploration')?.reason).toMatch(/^exploring: .* instead of the rules' sms with 10% off/);
  });
});

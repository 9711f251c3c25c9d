import { describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN } from './default-campaign';
import { planNextMessage } from './planner';
import type { Campaign, CampaignStep, CheckoutFacts, EnrollmentMessage, PlannerInput, Recipient, SentMessage } from './types';

const at = (iso: string) => new Date(iso);
const ms = (from: Date, millis: number) => new Date(from.getTime() + millis);

const CAMPAIGN: Campaign = { id: 'c-default', ...DEFAULT_CAMPAIGN };
/** The default with a push-only first step: how a step nobody can receive is passed over. */
const PUSH_FIRST: Campaign = { ...CAMPAIGN, steps: [{ delayMinutes: 60, channels: ['push'], templates: { push: 'reminder-push' } }, ...CAMPAIGN.steps.slice(1)] };
/** Thursday 2026-11-26, 11:00 in Paris. */
const ABANDONED = at('2026-11-26T10:00:00Z');
const ada: Recipient = {
  timezone: 'Europe/Paris',
  email: 'ada@example.com',
  phone: '+33612345678',
  pushSubscriptions: 1,
  consent: { sms: true },
  requireEmailOptIn: false,
};
const checkout: CheckoutFacts = { id: 'k1', cartValue: 180, stage: 'payment', status: 'abandoned', abandonedAt: ABANDONED, isNewCustomer: false };

type Overrides = Partial<Omit<PlannerInput, 'recipient' | 'checkout'>> & { recipient?: Partial<Recipient>; checkout?: Partial<CheckoutFacts> };

function plan(overrides: Overrides = {}) {
  const { recipient, checkout: facts, ...rest } = overrides;
  return planNextMessage({
    now: ABANDONED,
    campaign: CAMPAIGN,
    history: [],
    enrollment: [],
    timeScale: 1,
    ...rest,
    recipient: { ...ada, ...recipient },
    checkout: { ...checkout, ...facts },
  });
}
const fromOtherCampaign = (iso: string, channel: SentMessage['channel'] = 'email', extra: Partial<SentMessage> = {}): SentMessage => ({
  channel,
  at: at(iso),
  campaignId: 'c-browse',
  checkoutId: 'k-other',
  stepIndex: 0,
  ...extra,
});
const pushSent: EnrollmentMessage = { stepIndex: 0, channel: 'push', at: at('2026-11-26T11:00:00Z'), delivered: true };
const emailSent: EnrollmentMessage = { stepIndex: 1, channel: 'email', at: at('2026-11-27T10:00:00Z'), delivered: true };

describe('the default sequence, step by step', () => {
  it('plans the push reminder one hour after abandonment', () => {
    expect(plan()).toEqual({ kind: 'send', stepIndex: 0, channel: 'push', sendAt: at('2026-11-26T11:00:00Z'), deferredBy: [], skipped: [] });
  });

  it('then the email at 24 h', () => {
    expect(plan({ now: at('2026-11-26T11:00:01Z'), enrollment: [pushSent] })).toEqual({
      kind: 'send',
      stepIndex: 1,
      channel: 'email',
      sendAt: at('2026-11-27T10:00:00Z'),
      deferredBy: [],
      skipped: [],
    });
  });

  it('then the offer at 48 h, by SMS when the customer never engaged', () => {
    expect(plan({ now: at('2026-11-27T10:00:01Z'), enrollment: [pushSent, emailSent] })).toEqual({
      kind: 'send',
      stepIndex: 2,
      channel: 'sms',
      sendAt: at('2026-11-28T10:00:00Z'),
      deferredBy: [],
      skipped: [],
    });
  });

  it('the offer goes by email to a customer who last engaged by email and opened this one', () => {
    const decision = plan({ now: at('2026-11-27T12:00:00Z'), enrollment: [pushSent, { ...emailSent, opened: true }], recipient: { lastEngagedChannel: 'email' } });
    expect(decision).toMatchObject({ kind: 'send', stepIndex: 2, channel: 'email', skipped: [] });
  });

  it('after an unanswered email the offer prefers SMS over the last engaged email', () => {
    expect(plan({ now: at('2026-11-27T12:00:00Z'), enrollment: [pushSent, emailSent], recipient: { lastEngagedChannel: 'email' } })).toEqual({
      kind: 'send',
      stepIndex: 2,
      channel: 'sms',
      sendAt: at('2026-11-28T10:00:00Z'),
      deferredBy: [],
      skipped: [{ channel: 'email', reason: 'unanswered_email' }],
    });
  });

  it('reads an open from the history when the enrollment does not carry it', () => {
    const opened: SentMessage = { channel: 'email', at: emailSent.at, campaignId: CAMPAIGN.id, checkoutId: checkout.id, stepIndex: 1, opened: true };
    const decision = plan({ now: at('2026-11-27T12:00:00Z'), enrollment: [pushSent, emailSent], history: [opened], recipient: { lastEngagedChannel: 'email' } });
    expect(decision).toMatchObject({ kind: 'send', channel: 'email', skipped: [] });
  });

  it('the offer goes by push to a customer who last engaged by push', () => {
    const decision = plan({ now: at('2026-11-27T12:00:00Z'), enrollment: [pushSent, emailSent], recipient: { lastEngagedChannel: 'push' } });
    expect(decision).toMatchObject({ kind: 'send', stepIndex: 2, channel: 'push', skipped: [] });
  });

  it('ends with sequence_done', () => {
    const offerSent: EnrollmentMessage = { stepIndex: 2, channel: 'sms', at: at('2026-11-28T10:00:00Z') };
    expect(plan({ now: at('2026-11-28T10:00:01Z'), enrollment: [pushSent, emailSent, offerSent] })).toEqual({ kind: 'none', reason: 'sequence_done' });
  });

  it('accepts the enrollment in any order', () => {
    expect(plan({ now: at('2026-11-27T12:00:00Z'), enrollment: [emailSent, pushSent] })).toMatchObject({ kind: 'send', stepIndex: 2 });
  });
});

describe('exits', () => {
  it('a completed or recovered checkout gets nothing', () => {
    expect(plan({ checkout: { status: 'completed' } })).toEqual({ kind: 'none', reason: 'checkout_completed' });
    expect(plan({ checkout: { status: 'recovered' } })).toEqual({ kind: 'none', reason: 'checkout_completed' });
    expect(plan({ checkout: { stage: 'completed' } })).toEqual({ kind: 'none', reason: 'checkout_completed' });
  });

  it('completion wins over expiry', () => {
    expect(plan({ now: at('2027-01-01T00:00:00Z'), checkout: { status: 'completed' } })).toEqual({ kind: 'none', reason: 'checkout_completed' });
  });

  it('expires expiryHours after abandonment', () => {
    const expiry = at('2026-12-03T10:00:00Z'); // +168 h
    expect(plan({ now: expiry })).toEqual({ kind: 'none', reason: 'expired' });
    expect(plan({ now: ms(expiry, -1) })).toMatchObject({ kind: 'send', stepIndex: 0, sendAt: ms(expiry, -1) });
    expect(plan({ checkout: { status: 'expired' } })).toEqual({ kind: 'none', reason: 'expired' });
  });

  it('no reachable channel on any remaining step', () => {
    expect(plan({ recipient: { email: null, phone: null, pushSubscriptions: 0 } })).toEqual({ kind: 'none', reason: 'no_reachable_channel' });
    expect(plan({ recipient: { consent: { email: false, sms: false, push: false } } })).toEqual({ kind: 'none', reason: 'no_reachable_channel' });
  });

  it('refuses a time scale that is not a positive number', () => {
    expect(() => plan({ timeScale: 0 })).toThrow(/timeScale/);
    expect(() => plan({ timeScale: Number.NaN })).toThrow(/timeScale/);
  });
});

describe('channel fallback', () => {
  it('passes over a push-only step for a customer without push, to the email at 24 h', () => {
    expect(plan({ campaign: PUSH_FIRST, recipient: { pushSubscriptions: 0 } })).toEqual({
      kind: 'send',
      stepIndex: 1,
      channel: 'email',
      sendAt: at('2026-11-27T10:00:00Z'),
      deferredBy: [],
      skipped: [],
      skippedSteps: [0],
    });
  });

  it('the offer falls back to email without SMS consent', () => {
    expect(plan({ now: at('2026-11-27T12:00:00Z'), enrollment: [pushSent, { ...emailSent, opened: true }], recipient: { consent: {} } })).toEqual({
      kind: 'send',
      stepIndex: 2,
      channel: 'email',
      sendAt: at('2026-11-28T10:00:00Z'),
      deferredBy: [],
      skipped: [{ channel: 'sms', reason: 'no_consent' }],
    });
  });

  it('the offer falls back to email without a phone number, even after an unanswered email', () => {
    expect(plan({ now: at('2026-11-27T12:00:00Z'), enrollment: [pushSent, emailSent], recipient: { phone: null } })).toMatchObject({
      kind: 'send',
      channel: 'email',
      skipped: [{ channel: 'sms', reason: 'no_contact' }],
    });
  });

  it('an EU store needs an explicit email opt-in', () => {
    expect(plan({ recipient: { pushSubscriptions: 0, requireEmailOptIn: true, consent: { sms: true } } })).toMatchObject({
      kind: 'send',
      stepIndex: 0,
      channel: 'sms',
      skipped: [
        { channel: 'push', reason: 'no_contact' },
        { channel: 'email', reason: 'no_consent' },
      ],
    });
    expect(plan({ campaign: PUSH_FIRST, recipient: { pushSubscriptions: 0, requireEmailOptIn: true, consent: { sms: true } } })).toMatchObject({
      kind: 'send',
      stepIndex: 2,
      channel: 'sms',
      skippedSteps: [0, 1],
    });
    expect(plan({ recipient: { pushSubscriptions: 0, requireEmailOptIn: true, consent: { email: true } } })).toMatchObject({ kind: 'send', stepIndex: 0, channel: 'email' });
  });
});

describe('quiet hours in the planner', () => {
  it('a push due at 22:30 in Paris waits until 08:00', () => {
    const late = at('2026-11-26T20:30:00Z'); // 21:30 Paris
    expect(plan({ now: late, checkout: { abandonedAt: late } })).toEqual({
      kind: 'send',
      stepIndex: 0,
      channel: 'push',
      sendAt: at('2026-11-27T07:00:00Z'),
      deferredBy: ['quiet_hours'],
      skipped: [],
    });
  });

  it.each([
    ['America/Los_Angeles', '2026-11-27T05:00:00Z' /* 21:00 PST */, '2026-11-27T16:00:00Z' /* 08:00 PST */],
    ['Asia/Kolkata', '2026-11-26T15:00:00Z' /* 20:30 IST */, '2026-11-27T02:30:00Z' /* 08:00 IST */],
    ['Pacific/Auckland', '2026-11-26T08:00:00Z' /* 21:00 NZDT */, '2026-11-26T19:00:00Z' /* 08:00 NZDT */],
  ])('in %s, abandoned at %s, the push waits until %s', (timezone, abandonedAt, expected) => {
    const abandoned = at(abandonedAt);
    expect(plan({ now: abandoned, checkout: { abandonedAt: abandoned }, recipient: { timezone } })).toMatchObject({
      sendAt: at(expected),
      deferredBy: ['quiet_hours'],
    });
  });

  it('across the Paris spring-forward night (2026-03-29)', () => {
    const late = at('2026-03-28T20:30:00Z'); // 21:30 CET; push due 22:30 CET → 08:00 CEST
    expect(plan({ now: late, checkout: { abandonedAt: late } })).toMatchObject({ sendAt: at('2026-03-29T06:00:00Z'), deferredBy: ['quiet_hours'] });
  });

  it('across the New York fall-back night (2026-11-01)', () => {
    const late = at('2026-11-01T01:30:00Z'); // 21:30 EDT Oct 31; push due 22:30 EDT → 08:00 EST
    expect(plan({ now: late, checkout: { abandonedAt: late }, recipient: { timezone: 'America/New_York' } })).toMatchObject({
      sendAt: at('2026-11-01T13:00:00Z'),
      deferredBy: ['quiet_hours'],
    });
  });

  it('without a known zone, quiet hours are read in UTC', () => {
    const late = at('2026-11-26T20:30:00Z'); // push due 21:30 UTC
    expect(plan({ now: late, checkout: { abandonedAt: late }, recipient: { timezone: null } })).toMatchObject({ sendAt: at('2026-11-27T08:00:00Z') });
  });

  it('quiet hours are never scaled: a scaled enrollment abandoned at night expires before morning', () => {
    const late = at('2026-11-26T20:30:00Z'); // expiry at +604.8 s, quiet until 07:00Z
    expect(plan({ now: late, checkout: { abandonedAt: late }, timeScale: 0.001 })).toEqual({ kind: 'none', reason: 'expired' });
  });

  it('scales delays: with 0.001 the 1 h push is due after 3.6 s', () => {
    expect(plan({ timeScale: 0.001 })).toMatchObject({ kind: 'send', stepIndex: 0, sendAt: ms(ABANDONED, 3600), deferredBy: [] });
  });
});

describe('the frequency cap across campaigns', () => {
  it('another campaign messaged 5 h ago: the push waits for the 12 h gap', () => {
    expect(plan({ history: [fromOtherCampaign('2026-11-26T05:00:00Z')] })).toEqual({
      kind: 'send',
      stepIndex: 0,
      channel: 'push',
      sendAt: at('2026-11-26T17:00:00Z'),
      deferredBy: ['min_gap'],
      skipped: [],
    });
  });

  it('the gap pushes the send into quiet hours, which push it to the morning', () => {
    expect(plan({ history: [fromOtherCampaign('2026-11-26T10:30:00Z')] })).toMatchObject({
      sendAt: at('2026-11-27T07:00:00Z'),
      deferredBy: ['min_gap', 'quiet_hours'],
    });
  });

  it('another campaign planned a message for later: the gap holds both ways', () => {
    expect(plan({ history: [fromOtherCampaign('2026-11-26T14:00:00Z')] })).toMatchObject({ sendAt: at('2026-11-27T07:00:00Z'), deferredBy: ['min_gap', 'quiet_hours'] });
  });

  it('three messages this week from two other campaigns: wait until the oldest is a week old', () => {
    const history = [
      fromOtherCampaign('2026-11-20T12:00:00Z'),
      fromOtherCampaign('2026-11-22T10:00:00Z', 'push', { campaignId: 'c-winback', checkoutId: 'k-old' }),
      fromOtherCampaign('2026-11-24T10:00:00Z'),
    ];
    expect(plan({ history })).toMatchObject({ sendAt: at('2026-11-27T12:00:00Z'), deferredBy: ['frequency_cap'] });
  });

  it("counts this enrollment's messages once, whether or not the history repeats them", () => {
    const own: SentMessage = { ...pushSent, campaignId: CAMPAIGN.id, checkoutId: checkout.id };
    const others = [fromOtherCampaign('2026-11-20T12:00:00Z'), fromOtherCampaign('2026-11-21T10:00:00Z')];
    const expected = { kind: 'send', stepIndex: 1, sendAt: at('2026-11-27T12:00:00Z'), deferredBy: ['frequency_cap'] };
    expect(plan({ now: at('2026-11-26T12:00:00Z'), enrollment: [pushSent], history: [...others, own] })).toMatchObject(expected);
    expect(plan({ now: at('2026-11-26T12:00:00Z'), enrollment: [pushSent], history: others })).toMatchObject(expected);
  });

  it('re-planning a message finds no conflict with its own earlier plan', () => {
    const ownPlanned: SentMessage = { channel: 'email', at: at('2026-11-27T10:00:00Z'), campaignId: CAMPAIGN.id, checkoutId: checkout.id, stepIndex: 1 };
    expect(plan({ now: at('2026-11-26T12:00:00Z'), enrollment: [pushSent], history: [ownPlanned] })).toMatchObject({
      stepIndex: 1,
      sendAt: at('2026-11-27T10:00:00Z'),
      deferredBy: [],
    });
  });

  it('a deferral that ends after expiry expires the enrollment', () => {
    // Three messages planned by other campaigns at 10:30, 11:00 and 11:30 fill the week until 2026-12-03T10:30Z;
    // the enrollment expires at 2026-12-03T10:00Z.
    const history = ['10:30', '11:00', '11:30'].map((hm) => fromOtherCampaign(`2026-11-26T${hm}:00Z`));
    expect(plan({ history })).toEqual({ kind: 'none', reason: 'expired' });
  });

  it('a long deferral that ends just before expiry still sends', () => {
    const history = ['08:00', '09:00', '09:30'].map((hm) => fromOtherCampaign(`2026-11-26T${hm}:00Z`));
    expect(plan({ history })).toMatchObject({ kind: 'send', stepIndex: 0, sendAt: at('2026-12-03T08:00:00Z'), deferredBy: ['min_gap', 'frequency_cap'] });
  });
});

describe('SMS rules in the planner', () => {
  // On the 48 h offer: with a push-only first step and no email, it is the SMS-only shopper's first message.
  const floridian = { timezone: null, email: null, pushSubscriptions: 0, phone: '+13055550100', consent: { sms: true } };
  const CAMPAIGN = PUSH_FIRST;
  const planOffer = (overrides: Overrides) => plan({ campaign: CAMPAIGN, ...overrides });
  const roomy = { ...CAMPAIGN, frequencyCap: { maxMessages: 10, windowHours: 168, minGapHours: 0 } };

  it('a Florida number without a zone: New York time, sent before 20:00', () => {
    const abandoned = at('2026-06-10T23:30:00Z'); // 19:30 EDT; the offer at 48 h is 19:30 EDT too
    expect(planOffer({ now: abandoned, checkout: { abandonedAt: abandoned }, recipient: floridian })).toEqual({
      kind: 'send',
      stepIndex: 2,
      channel: 'sms',
      sendAt: at('2026-06-12T23:30:00Z'),
      deferredBy: [],
      skipped: [],
      skippedSteps: [0, 1],
    });
  });

  it('a Florida number: 20:30 is too late, 08:00 the next day', () => {
    const abandoned = at('2026-06-11T00:30:00Z'); // 20:30 EDT
    expect(planOffer({ now: abandoned, checkout: { abandonedAt: abandoned }, recipient: floridian })).toMatchObject({
      sendAt: at('2026-06-13T12:00:00Z'),
      deferredBy: ['sms_window'],
    });
  });

  it('the same hour in Paris is fine (looser floor, 21:00)', () => {
    const abandoned = at('2026-06-10T18:30:00Z'); // 20:30 CEST
    expect(planOffer({ now: abandoned, checkout: { abandonedAt: abandoned }, recipient: { ...floridian, phone: '+33612345678', timezone: 'Europe/Paris' } })).toMatchObject({
      sendAt: at('2026-06-12T18:30:00Z'),
      deferredBy: [],
    });
  });

  it('SMS is held to 08:00–21:00 even when the campaign is quiet only 23:00–06:00', () => {
    const loose = { ...CAMPAIGN, quietHours: { start: '23:00', end: '06:00' } };
    const abandoned = at('2026-06-10T19:30:00Z'); // 21:30 CEST
    expect(
      planOffer({ campaign: loose, now: abandoned, checkout: { abandonedAt: abandoned }, recipient: { ...floridian, phone: '+33612345678', timezone: 'Europe/Paris' } }),
    ).toMatchObject({ sendAt: at('2026-06-13T06:00:00Z'), deferredBy: ['sms_window'] });
  });

  it('Florida: three SMS in the last 24 h (from any campaign) hold the fourth back', () => {
    const abandoned = at('2026-06-10T23:30:00Z');
    const sms = ['14:00', '16:00', '18:00'].map((hm) => fromOtherCampaign(`2026-06-12T${hm}:00Z`, 'sms'));
    expect(planOffer({ campaign: roomy, now: abandoned, checkout: { abandonedAt: abandoned }, recipient: floridian, history: sms })).toMatchObject({
      channel: 'sms',
      sendAt: at('2026-06-13T14:00:00Z'), // 10:00 EDT
      deferredBy: ['state_daily_limit'],
    });
  });

  it('Florida: the state limit then the weekly cap push the offer past expiry', () => {
    const abandoned = at('2026-06-10T23:30:00Z');
    const sms = ['14:00', '16:00', '18:00'].map((hm) => fromOtherCampaign(`2026-06-12T${hm}:00Z`, 'sms'));
    expect(planOffer({ now: abandoned, checkout: { abandonedAt: abandoned }, recipient: floridian, history: sms })).toEqual({ kind: 'none', reason: 'expired' });
  });
});

describe('waterfall', () => {
  const waterfallStep: CampaignStep = {
    delayMinutes: 60,
    channels: ['push', 'email', 'sms'],
    templates: { push: 'p', email: 'e', sms: 's' },
    waterfall: { until: 'clicked', afterMinutes: 120 },
  };
  const campaign: Campaign = { ...CAMPAIGN, steps: [waterfallStep, { delayMinutes: 24 * 60, channels: ['email'], templates: { email: 'e2' } }] };
  const scale = 0.001; // 1 h → 3.6 s, 120 min → 7.2 s, 12 h gap → 43.2 s, 7 days → 604.8 s
  const T = at('2026-05-04T08:00:00Z'); // 10:00 in Paris
  const s = (seconds: number) => ms(T, seconds * 1000);
  const run = (now: Date, enrollment: EnrollmentMessage[], recipient: Partial<Recipient> = {}) =>
    plan({ campaign, timeScale: scale, now, enrollment, recipient, checkout: { abandonedAt: T } });
  const push = { stepIndex: 0, channel: 'push' as const, at: s(3.6), delivered: true };

  it('starts on the first channel', () => {
    expect(run(T, [])).toEqual({ kind: 'send', stepIndex: 0, channel: 'push', sendAt: s(3.6), deferredBy: [], skipped: [] });
  });

  it('waits for the outcome until the deadline', () => {
    expect(run(s(5), [push])).toEqual({ kind: 'none', reason: 'waiting_for_outcome', recheckAt: s(10.8) });
  });

  it('after the deadline without a click, the same step on the next channel (the gap still applies)', () => {
    expect(run(s(10.8), [push])).toEqual({
      kind: 'send',
      stepIndex: 0,
      channel: 'email',
      sendAt: s(46.8), // 43.2 s after the push
      deferredBy: ['min_gap'],
      skipped: [{ channel: 'push', reason: 'waterfall' }],
    });
  });

  it('a failed message falls back at once, and does not count toward the cap', () => {
    expect(run(s(5), [{ ...push, delivered: false, failed: true }])).toEqual({
      kind: 'send',
      stepIndex: 0,
      channel: 'email',
      sendAt: s(5),
      deferredBy: [],
      skipped: [{ channel: 'push', reason: 'waterfall' }],
    });
  });

  it('a click ends the waterfall: on to the next step', () => {
    expect(run(s(5), [{ ...push, clicked: true }])).toEqual({ kind: 'send', stepIndex: 1, channel: 'email', sendAt: s(86.4), deferredBy: [], skipped: [] });
  });

  it("'delivered' is reached by a delivery report", () => {
    const deliveredStep = { ...waterfallStep, waterfall: { until: 'delivered' as const, afterMinutes: 120 } };
    const c2 = { ...campaign, steps: [deliveredStep, campaign.steps[1]] };
    const base = { campaign: c2, timeScale: scale, now: s(5), checkout: { abandonedAt: T } };
    expect(plan({ ...base, enrollment: [push] })).toMatchObject({ kind: 'send', stepIndex: 1 });
    expect(plan({ ...base, enrollment: [{ ...push, delivered: false }] })).toEqual({ kind: 'none', reason: 'waiting_for_outcome', recheckAt: s(10.8) });
    expect(plan({ ...base, now: s(10.8), enrollment: [{ ...push, delivered: false }] })).toMatchObject({ kind: 'send', stepIndex: 0, channel: 'email' });
  });

  it('walks the channels in order, skipping the ones tried', () => {
    const email = { stepIndex: 0, channel: 'email' as const, at: s(46.8), delivered: true };
    expect(run(s(54), [push, email])).toEqual({
      kind: 'send',
      stepIndex: 0,
      channel: 'sms',
      sendAt: s(90), // 43.2 s after the email
      deferredBy: ['min_gap'],
      skipped: [
        { channel: 'push', reason: 'waterfall' },
        { channel: 'email', reason: 'waterfall' },
      ],
    });
  });

  it('skips an untried channel the customer cannot be reached on', () => {
    const email = { stepIndex: 0, channel: 'email' as const, at: s(46.8), delivered: true };
    // No SMS consent: the waterfall is over, on to step 1 (due at 86.4 s, gap from the email → 90 s).
    expect(run(s(54), [push, email], { consent: {} })).toEqual({ kind: 'send', stepIndex: 1, channel: 'email', sendAt: s(90), deferredBy: ['min_gap'], skipped: [] });
  });

  it('when every channel was tried, moves on; three messages used the week, so the next step expires', () => {
    const email = { stepIndex: 0, channel: 'email' as const, at: s(46.8), delivered: true };
    const sms = { stepIndex: 0, channel: 'sms' as const, at: s(90), delivered: true };
    // Step 1 would need push (3.6 s) to leave the scaled week: 3.6 + 604.8 = 608.4 s > expiry at 604.8 s.
    expect(run(s(97.2), [push, email, sms])).toEqual({ kind: 'none', reason: 'expired' });
    // With a roomier cap the next step goes once the gap after the SMS has passed.
    const roomy = { ...campaign, frequencyCap: { maxMessages: 5, windowHours: 168, minGapHours: 12 } };
    expect(plan({ campaign: roomy, timeScale: scale, now: s(97.2), enrollment: [push, email, sms], checkout: { abandonedAt: T } })).toEqual({
      kind: 'send',
      stepIndex: 1,
      channel: 'email',
      sendAt: s(133.2),
      deferredBy: ['min_gap'],
      skipped: [],
    });
  });

  it('the same timings at full scale', () => {
    const hour = 3_600_000;
    const full = (now: Date, enrollment: EnrollmentMessage[]) => plan({ campaign, now, enrollment, checkout: { abandonedAt: T } });
    const realPush = { stepIndex: 0, channel: 'push' as const, at: ms(T, hour), delivered: true };
    expect(full(ms(T, 2 * hour), [realPush])).toEqual({ kind: 'none', reason: 'waiting_for_outcome', recheckAt: ms(T, 3 * hour) });
    // After the deadline, email; the 12 h gap after the push (21:00 Paris) falls in quiet hours → 08:00 next day.
    expect(full(ms(T, 3 * hour), [realPush])).toMatchObject({
      channel: 'email',
      sendAt: at('2026-05-05T06:00:00Z'),
      deferredBy: ['min_gap', 'quiet_hours'],
    });
  });
});

describe('the worked example of campaigns/README.md', () => {
  const abandonedAt = at('2026-11-26T14:00:00Z'); // Thursday 15:00 in Paris
  const base = {
    checkout: { abandonedAt },
    recipient: { lastEngagedChannel: 'email' as const },
    history: [fromOtherCampaign('2026-11-26T08:00:00Z', 'push')], // a browse-abandonment push at 09:00
  };
  const push: EnrollmentMessage = { stepIndex: 0, channel: 'push', at: at('2026-11-27T07:00:00Z'), delivered: true };
  const email: EnrollmentMessage = { stepIndex: 1, channel: 'email', at: at('2026-11-27T19:00:00Z'), delivered: true };
  const sms: EnrollmentMessage = { stepIndex: 2, channel: 'sms', at: at('2026-12-03T08:00:00Z'), delivered: true };

  it('plays out as documented', () => {
    expect(plan({ ...base, now: abandonedAt })).toEqual({
      kind: 'send',
      stepIndex: 0,
      channel: 'push',
      sendAt: at('2026-11-27T07:00:00Z'),
      deferredBy: ['min_gap', 'quiet_hours'],
      skipped: [],
    });
    expect(plan({ ...base, now: at('2026-11-27T07:00:05Z'), enrollment: [push] })).toEqual({
      kind: 'send',
      stepIndex: 1,
      channel: 'email',
      sendAt: at('2026-11-27T19:00:00Z'),
      deferredBy: ['min_gap'],
      skipped: [],
    });
    expect(plan({ ...base, now: at('2026-11-27T19:00:05Z'), enrollment: [push, email] })).toEqual({
      kind: 'send',
      stepIndex: 2,
      channel: 'sms',
      sendAt: at('2026-12-03T08:00:00Z'),
      deferredBy: ['frequency_cap'],
      skipped: [{ channel: 'email', reason: 'unanswered_email' }],
    });
    expect(plan({ ...base, now: at('2026-12-03T08:00:05Z'), enrollment: [push, email, sms] })).toEqual({ kind: 'none', reason: 'sequence_done' });
  });

  it('an order on Saturday stops everything', () => {
    expect(plan({ ...base, now: at('2026-11-28T10:00:00Z'), enrollment: [push, email], checkout: { abandonedAt, status: 'recovered' } })).toEqual({
      kind: 'none',
      reason: 'checkout_completed',
    });
  });
});

describe("the decision policy's choice", () => {
  const offerStepDone = [pushSent, emailSent];
  const afterEmail = at('2026-11-27T10:00:01Z');

  it('uses the chosen channel of the step and reports the ones passed over as the policy', () => {
    const decision = plan({ now: afterEmail, enrollment: offerStepDone, choice: { stepIndex: 2, channel: 'email' } });
    expect(decision).toMatchObject({ kind: 'send', stepIndex: 2, channel: 'email', skipped: [{ channel: 'sms', reason: 'policy' }] });
  });

  it('ignores a channel the step does not list, or one that cannot reach the customer', () => {
    const notListed = plan({ campaign: PUSH_FIRST, choice: { stepIndex: 0, channel: 'email' } });
    expect(notListed).toMatchObject({ kind: 'send', stepIndex: 0, channel: 'push', skipped: [] });
    const noConsent = plan({ now: afterEmail, enrollment: offerStepDone, recipient: { consent: {} }, choice: { stepIndex: 2, channel: 'sms' } });
    expect(noConsent).toMatchObject({ kind: 'send', stepIndex: 2, channel: 'email' });
  });

  it('applies only to the step it was made for', () => {
    const decision = plan({ now: afterEmail, enrollment: offerStepDone, choice: { stepIndex: 1, channel: 'email' } });
    expect(decision).toMatchObject({ kind: 'send', stepIndex: 2, channel: 'sms', skipped: [] });
  });

  it("takes a learned delay only from the step's send-time arms, and still respects quiet hours", () => {
    const learning: Campaign = { ...CAMPAIGN, steps: [{ ...CAMPAIGN.steps[0], sendTimeArms: [15, 60, 240] }, ...CAMPAIGN.steps.slice(1)] };
    expect(plan({ campaign: learning, choice: { stepIndex: 0, delayMinutes: 15 } })).toMatchObject({ sendAt: at('2026-11-26T10:15:00Z') });
    expect(plan({ campaign: learning, choice: { stepIndex: 0, delayMinutes: 30 } })).toMatchObject({ sendAt: at('2026-11-26T11:00:00Z') });
    expect(plan({ choice: { stepIndex: 0, delayMinutes: 15 } })).toMatchObject({ sendAt: at('2026-11-26T11:00:00Z') });
    // Abandoned at 19:30 in Paris: a 4 h delay lands in quiet hours and waits for 08:00.
    const evening = plan({ campaign: learning, checkout: { abandonedAt: at('2026-11-26T18:30:00Z') }, now: at('2026-11-26T18:30:00Z'), choice: { stepIndex: 0, delayMinutes: 240 } });
    expect(evening).toMatchObject({ sendAt: at('2026-11-27T07:00:00Z'), deferredBy: ['quiet_hours'] });
  });
});

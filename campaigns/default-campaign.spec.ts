import { describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN, PREVIOUS_DEFAULT_CAMPAIGNS, upgradedDefaultCampaign } from './default-campaign';
import { localDateTime } from './local-time';
import { planNextMessage } from './planner';
import type { CheckoutFacts, EnrollmentMessage, PlannerDecision, Recipient, SentMessage } from './types';

const HOUR = 3_600_000;
const campaign = { id: 'seed', ...DEFAULT_CAMPAIGN };
const nobody: Recipient = { timezone: 'Europe/Paris', email: null, phone: null, pushSubscriptions: 0, consent: {}, requireEmailOptIn: false };
const emailOnly: Recipient = { ...nobody, email: 'ada@example.com' };
const smsOnly: Recipient = { ...nobody, phone: '+33612345678', consent: { sms: true } };
const pushAndEmail: Recipient = { ...nobody, email: 'ada@example.com', pushSubscriptions: 1 };
const everything: Recipient = { ...pushAndEmail, phone: '+33612345678', consent: { sms: true } };

const checkoutAt = (abandonedAt: Date): CheckoutFacts => ({ id: 'k1', cartValue: 80, stage: 'payment', status: 'abandoned', abandonedAt, isNewCustomer: true });

function first(recipient: Recipient, abandonedAt: Date, history: SentMessage[] = []): PlannerDecision {
  return planNextMessage({ now: abandonedAt, campaign, checkout: checkoutAt(abandonedAt), recipient, history, enrollment: [], timeScale: 1 });
}

/** Plans the whole sequence, each message sent (delivered, never opened) at its planned time. */
function sequence(recipient: Recipient, abandonedAt: Date) {
  const enrollment: EnrollmentMessage[] = [];
  const history: SentMessage[] = [];
  let now = abandonedAt;
  for (;;) {
    const decision = planNextMessage({ now, campaign, checkout: checkoutAt(abandonedAt), recipient, history, enrollment, timeScale: 1 });
    if (decision.kind === 'none') return { messages: enrollment, end: decision.reason };
    const sent = { stepIndex: decision.stepIndex, channel: decision.channel, at: decision.sendAt, delivered: true };
    enrollment.push(sent);
    history.push({ ...sent, campaignId: campaign.id, checkoutId: 'k1' });
    now = new Date(decision.sendAt.getTime() + 1000);
  }
}

/** Monday 4 May 2026, 10:00 in Paris (UTC+2). */
const MORNING = new Date('2026-05-04T08:00:00Z');

describe('DEFAULT_CAMPAIGN', () => {
  it('is the documented seed', () => {
    expect(DEFAULT_CAMPAIGN).toEqual({
      name: 'Abandoned checkout',
      status: 'active',
      priority: 100,
      triggerIdleMinutes: 30,
      eligibility: {},
      steps: [
        { delayMinutes: 60, channels: ['push', 'email', 'sms'], templates: { push: 'reminder-push', email: 'reminder-email', sms: 'reminder-sms' } },
        { delayMinutes: 1440, channels: ['email'], templates: { email: 'reminder-email' } },
        { delayMinutes: 2880, channels: ['last_engaged', 'sms', 'email'], templates: { push: 'offer-push', email: 'offer-email', sms: 'offer-sms' }, discountRuleId: null },
      ],
      quietHours: { start: '21:00', end: '08:00' },
      frequencyCap: { maxMessages: 3, windowHours: 168, minGapHours: 12 },
      expiryHours: 168,
      attributionWindowHours: 120,
      holdoutPercent: 10,
    });
    expect('id' in DEFAULT_CAMPAIGN).toBe(false);
  });

  it('has a template for every channel each step can use', () => {
    for (const step of DEFAULT_CAMPAIGN.steps) {
      for (const choice of step.channels) {
        if (choice !== 'last_engaged') expect(step.templates[choice]).toBeTruthy();
      }
    }
  });
});

describe('the first reminder, within the hour for everyone reachable', () => {
  const oneHourLater = new Date(MORNING.getTime() + HOUR);

  it('goes by push to a shopper with a push subscription', () => {
    expect(first(pushAndEmail, MORNING)).toEqual({ kind: 'send', stepIndex: 0, channel: 'push', sendAt: oneHourLater, deferredBy: [], skipped: [] });
  });

  it('goes by email to a shopper with only an email address', () => {
    expect(first(emailOnly, MORNING)).toEqual({ kind: 'send', stepIndex: 0, channel: 'email', sendAt: oneHourLater, deferredBy: [], skipped: [{ channel: 'push', reason: 'no_contact' }] });
  });

  it('goes by SMS to a shopper with only a phone and SMS consent', () => {
    expect(first(smsOnly, MORNING)).toEqual({
      kind: 'send',
      stepIndex: 0,
      channel: 'sms',
      sendAt: oneHourLater,
      deferredBy: [],
      skipped: [
        { channel: 'push', reason: 'no_contact' },
        { channel: 'email', reason: 'no_contact' },
      ],
    });
  });

  it('never by SMS without consent: a phone alone reaches nobody', () => {
    expect(first({ ...nobody, phone: '+33612345678' }, MORNING)).toEqual({ kind: 'none', reason: 'no_reachable_channel' });
  });

  it('waits for the morning when the hour falls in quiet hours', () => {
    const evening = new Date('2026-05-04T18:30:00Z'); // 20:30 in Paris: due 21:30, quiet until 08:00
    expect(first(emailOnly, evening)).toMatchObject({ kind: 'send', stepIndex: 0, channel: 'email', sendAt: new Date('2026-05-05T06:00:00Z'), deferredBy: ['quiet_hours'] });
  });

  it('skips a channel this deployment cannot send on, as it skips one the shopper cannot be reached on', () => {
    expect(first({ ...everything, disabledChannels: ['push'] }, MORNING)).toMatchObject({ channel: 'email', sendAt: oneHourLater, skipped: [{ channel: 'push', reason: 'channel_disabled' }] });
    expect(first({ ...emailOnly, disabledChannels: ['email'] }, MORNING)).toEqual({ kind: 'none', reason: 'no_reachable_channel' });
  });

  it('is deferred, not dropped, by the 12 h gap after another campaign', () => {
    const other: SentMessage = { channel: 'email', at: new Date('2026-05-04T05:00:00Z'), campaignId: 'other', checkoutId: 'k0', stepIndex: 0 };
    expect(first(pushAndEmail, MORNING, [other])).toEqual({ kind: 'send', stepIndex: 0, channel: 'push', sendAt: new Date('2026-05-04T17:00:00Z'), deferredBy: ['min_gap'], skipped: [] });
  });
});

describe('the three steps and the cap', () => {
  it('the 24 h email and the 48 h offer follow the first reminder', () => {
    const { messages, end } = sequence(everything, MORNING);
    expect(messages.map((m) => [m.stepIndex, m.channel, (m.at.getTime() - MORNING.getTime()) / HOUR])).toEqual([
      [0, 'push', 1],
      [1, 'email', 24],
      [2, 'sms', 48],
    ]);
    expect(end).toBe('sequence_done');
  });

  it('an email-only shopper gets all three by email; an SMS-only shopper the first and the offer', () => {
    expect(sequence(emailOnly, MORNING).messages.map((m) => [m.stepIndex, m.channel])).toEqual([
      [0, 'email'],
      [1, 'email'],
      [2, 'email'],
    ]);
    expect(sequence(smsOnly, MORNING).messages.map((m) => [m.stepIndex, m.channel])).toEqual([
      [0, 'sms'],
      [2, 'sms'],
    ]);
  });

  // Every quarter hour of a day, in three zones: the cap (3 a week, 12 h apart) lets all three out, none in quiet
  // hours, the first one no later than the first allowed moment after the hour.
  it.each(['Europe/Paris', 'America/New_York', 'Asia/Tokyo'])('lets all three through whenever the checkout is abandoned (%s)', (timezone) => {
    const recipient = { ...everything, timezone, phone: null };
    for (let quarter = 0; quarter < 96; quarter++) {
      const abandonedAt = new Date(MORNING.getTime() + quarter * 15 * 60_000);
      const { messages, end } = sequence(recipient, abandonedAt);
      expect(messages.map((m) => m.stepIndex), `abandoned ${abandonedAt.toISOString()}`).toEqual([0, 1, 2]);
      expect(end).toBe('sequence_done');
      for (const m of messages) {
        const { hour } = localDateTime(m.at, timezone);
        expect(hour >= 8 && hour < 21, `${m.at.toISOString()} is in quiet hours`).toBe(true);
      }
      for (let i = 1; i < messages.length; i++) expect(messages[i].at.getTime() - messages[i - 1].at.getTime()).toBeGreaterThanOrEqual(12 * HOUR);
      // Due at +1 h; quiet hours may move it to the next 08:00, at most 11 h later.
      expect(messages[0].at.getTime() - abandonedAt.getTime()).toBeLessThanOrEqual(12 * HOUR);
    }
  });
});

describe('upgrading an untouched seed', () => {
  const stored = (settings: object, version = 1): Parameters<typeof upgradedDefaultCampaign>[0] => JSON.parse(JSON.stringify({ ...settings, version }));

  it('moves a campaign still exactly as an earlier seed left it to the current seed', () => {
    expect(upgradedDefaultCampaign(stored(PREVIOUS_DEFAULT_CAMPAIGNS[0]))).toEqual(DEFAULT_CAMPAIGN);
  });

  it('compares settings, not key order (a JSONB round trip reorders keys)', () => {
    const reversed = (o: object) => Object.fromEntries(Object.entries(o).reverse());
    const reordered = reversed(stored(PREVIOUS_DEFAULT_CAMPAIGNS[0])) as ReturnType<typeof stored>;
    reordered.steps = reordered.steps.map(reversed) as typeof reordered.steps;
    expect(upgradedDefaultCampaign(reordered)).toEqual(DEFAULT_CAMPAIGN);
  });

  it('leaves alone a campaign a marketer edited, paused or renamed, and the current seed', () => {
    expect(upgradedDefaultCampaign(stored(PREVIOUS_DEFAULT_CAMPAIGNS[0], 2))).toBeNull();
    expect(upgradedDefaultCampaign(stored({ ...PREVIOUS_DEFAULT_CAMPAIGNS[0], status: 'paused' }))).toBeNull();
    expect(upgradedDefaultCampaign(stored({ ...PREVIOUS_DEFAULT_CAMPAIGNS[0], name: 'Our reminders' }))).toBeNull();
    expect(upgradedDefaultCampaign(stored({ ...PREVIOUS_DEFAULT_CAMPAIGNS[0], holdoutPercent: 20 }))).toBeNull();
    expect(upgradedDefaultCampaign(stored(DEFAULT_CAMPAIGN))).toBeNull();
  });
});

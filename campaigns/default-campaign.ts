/**
 * The campaign every store starts with (seeded on first start; the database gives it its id).
 *
 *   abandoned (30 min idle)
 *   +1 h   first reminder: push, else email, else SMS (with consent)   'reminder-push' / 'reminder-email' / 'reminder-sms'
 *   +24 h  email reminder                                                'reminder-email'
 *   +48 h  offer on the channel they last engaged with, else SMS, else email
 *   ends 7 days after abandonment; an order within 5 days of an open or click is credited to it.
 *
 * The first reminder is the one that converts best, so everyone we can reach gets it within the hour: the step
 * lists all three channels and fallback takes the first one the shopper can be reached on (and this deployment
 * can send on). A step nobody can receive is passed over, never the end of the sequence.
 *
 * 10 % of abandonments are held out (planned, never sent): the control group the Lift report compares against.
 * Quiet 21:00–08:00 recipient time; at most 3 messages a week and never two within 12 h, across campaigns. The
 * three steps fit that cap whatever the hour of abandonment: they are 23 h and 24 h apart, and a first reminder
 * pushed to 08:00 by quiet hours is still ≥ 12 h before the 24 h email (default-campaign.spec.ts checks every
 * quarter hour of the day). A shopper who heard from another campaign in the last 12 h gets the first reminder
 * later, not twice in an evening: the cap defers, it never drops.
 */
import type { Campaign } from './types';

export const DEFAULT_CAMPAIGN: Omit<Campaign, 'id'> = {
  name: 'Abandoned checkout',
  status: 'active',
  priority: 100,
  triggerIdleMinutes: 30,
  eligibility: {},
  steps: [
    { delayMinutes: 60, channels: ['push', 'email', 'sms'], templates: { push: 'reminder-push', email: 'reminder-email', sms: 'reminder-sms' } },
    { delayMinutes: 24 * 60, channels: ['email'], templates: { email: 'reminder-email' } },
    {
      delayMinutes: 48 * 60,
      channels: ['last_engaged', 'sms', 'email'],
      templates: { push: 'offer-push', email: 'offer-email', sms: 'offer-sms' },
      discountRuleId: null,
    },
  ],
  quietHours: { start: '21:00', end: '08:00' },
  frequencyCap: { maxMessages: 3, windowHours: 168, minGapHours: 12 },
  expiryHours: 168,
  attributionWindowHours: 120,
  holdoutPercent: 10,
};

/**
 * Earlier versions of the seed, newest first. A store whose campaign is still exactly one of them (never edited:
 * version 1, same settings) is moved to `DEFAULT_CAMPAIGN` on start; one a marketer touched is left alone.
 */
export const PREVIOUS_DEFAULT_CAMPAIGNS: readonly Omit<Campaign, 'id'>[] = [
  {
    ...DEFAULT_CAMPAIGN,
    // Until the first reminder fell back to email and SMS, it was push-only: most shoppers heard nothing for 24 h.
    steps: [{ delayMinutes: 60, channels: ['push'], templates: { push: 'reminder-push' } }, ...DEFAULT_CAMPAIGN.steps.slice(1)],
  },
];

/** The settings a seeded campaign is compared on (everything a marketer can change). */
export type SeededCampaignSettings = Omit<Campaign, 'id'>;

/**
 * The campaign an untouched seeded campaign should now be, or null to leave it as it is: when `stored` (as read
 * back, `version` the number of edits + 1) equals a previous seed in every setting and was never edited.
 */
export function upgradedDefaultCampaign(stored: SeededCampaignSettings & { version: number }): Omit<Campaign, 'id'> | null {
  if (stored.version !== 1) return null;
  const { version: _version, ...settings } = stored;
  const current = canonical(settings);
  if (current === canonical(DEFAULT_CAMPAIGN)) return null;
  return PREVIOUS_DEFAULT_CAMPAIGNS.some((previous) => canonical(previous) === current) ? DEFAULT_CAMPAIGN : null;
}

/** JSON with object keys sorted (a JSONB round trip reorders keys); numbers as stored. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

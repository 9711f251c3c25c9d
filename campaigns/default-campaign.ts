/**
 * The campaign every store starts with (seeded on first start; the database gives it its id).
 *
 *   abandoned (30 min idle)
 *   +1 h   push reminder                          'reminder-push'
 *   +24 h  email reminder                         'reminder-email'
 *   +48 h  offer on the channel they last engaged with, else SMS, else email
 *   ends 7 days after abandonment; an order within 5 days of an open or click is credited to it.
 *
 * 10 % of abandonments are held out (planned, never sent): the control group the Lift report compares against.
 * Quiet 21:00–08:00 recipient time; at most 3 messages a week and never two within 12 h, across campaigns.
 * The 1 h push and the 12 h minimum gap interact on purpose: a customer who heard from another campaign
 * in the last 12 h gets the push later, not twice in an evening. The cap defers; it never drops.
 */
import type { Campaign } from './types';

export const DEFAULT_CAMPAIGN: Omit<Campaign, 'id'> = {
  name: 'Abandoned checkout',
  status: 'active',
  priority: 100,
  triggerIdleMinutes: 30,
  eligibility: {},
  steps: [
    { delayMinutes: 60, channels: ['push'], templates: { push: 'reminder-push' } },
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

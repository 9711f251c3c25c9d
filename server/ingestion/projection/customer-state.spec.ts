import { describe, expect, it } from 'vitest';
import { normalizedEvent } from '../testing/event-factory';
import { customerFactsOf, mergeCustomers } from './customer-state';

describe('customer projection', () => {
  const events = [
    normalizedEvent({ type: 'consent_changed', at: '2026-11-26T10:00:00Z', customer: { email: 'a@example.com' }, consent: [{ channel: 'email', granted: true }] }),
    normalizedEvent({ type: 'consent_changed', at: '2026-11-26T11:00:00Z', customer: { email: 'a@example.com' }, consent: [{ channel: 'email', granted: false }] }),
    normalizedEvent({ type: 'consent_changed', at: '2026-11-26T10:30:00Z', customer: { phone: '+14155552671', timezone: 'America/New_York' }, consent: [{ channel: 'sms', granted: true }] }),
    normalizedEvent({ type: 'identify', at: '2026-11-26T12:00:00Z', customer: { timezone: 'Europe/Paris', locale: 'fr-FR' } }),
  ];

  it('takes the latest consent statement per channel, whatever the arrival order', () => {
    const forward = events.map(customerFactsOf).reduce(mergeCustomers);
    const backward = [...events].reverse().map(customerFactsOf).reduce(mergeCustomers);
    expect(forward).toEqual(backward);
    expect(forward.consent.email?.value).toBe(false);
    expect(forward.consent.sms?.value).toBe(true);
    expect(forward.timezone?.value).toBe('Europe/Paris');
    expect(forward.phone?.value).toBe('+14155552671');
    expect(forward.firstSeenAt).toBe(Date.parse('2026-11-26T10:00:00Z'));
    expect(forward.lastSeenAt).toBe(Date.parse('2026-11-26T12:00:00Z'));
  });
});

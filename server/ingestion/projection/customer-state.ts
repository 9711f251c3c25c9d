import { CONSENT_CHANNELS, type ConsentChannel } from '../../../models/customers';
import type { NormalizedEvent } from '../normalized-event';
import { latest, stamp, Stamped } from './lww';

/** What the projection knows about one shopper; merges are order-independent like checkouts'. */
export interface CustomerState {
  email?: Stamped<string>;
  phone?: Stamped<string>;
  timezone?: Stamped<string>;
  locale?: Stamped<string>;
  consent: Partial<Record<ConsentChannel, Stamped<boolean>>>;
  firstSeenAt: number;
  lastSeenAt: number;
}


export function customerFactsOf(event: NormalizedEvent): CustomerState {
  const at = event.occurredAt.getTime();
  const s = <T>(value: T | undefined) => (value === undefined ? undefined : stamp(value, at, event.key));
  const consent: CustomerState['consent'] = {};
  for (const statement of event.consent ?? []) consent[statement.channel] = stamp(statement.granted, at, event.key);
  const c = event.customer;
  return {
    email: s(c?.email),
    phone: s(c?.phone),
    timezone: s(c?.timezone),
    locale: s(c?.locale),
    consent,
    firstSeenAt: at,
    lastSeenAt: at,
  };
}

export function mergeCustomers(a: CustomerState, b: CustomerState): CustomerState {
  const consent: CustomerState['consent'] = {};
  for (const channel of CONSENT_CHANNELS) {
    const winner = latest(a.consent[channel], b.consent[channel]);
    if (winner) consent[channel] = winner;
  }
  return {
    email: latest(a.email, b.email),
    phone: latest(a.phone, b.phone),
    timezone: latest(a.timezone, b.timezone),
    locale: latest(a.locale, b.locale),
    consent,
    firstSeenAt: Math.min(a.firstSeenAt, b.firstSeenAt),
    lastSeenAt: Math.max(a.lastSeenAt, b.lastSeenAt),
  };
}

import type { ConsentChannel, Customer } from '../../../models/customers';
import { customers } from '../../../models/customers';
import { CustomerState } from './customer-state';
import { Clock, clockOf, restamp } from './lww';

type CustomerInsert = typeof customers.$inferInsert;

interface CustomerClocks {
  email?: Clock;
  phone?: Clock;
  timezone?: Clock;
  locale?: Clock;
  consent?: Partial<Record<ConsentChannel, Clock>>;
}

/** Counters (orders, lifetime value) are not part of the state: they are kept by the orders table. */
export function customerRow(id: string, userId: string | null, state: CustomerState, now: Date): Omit<CustomerInsert, 'ordersCount' | 'lifetimeValue'> {
  const consent: Customer['consent'] = {};
  const consentClocks: CustomerClocks['consent'] = {};
  for (const [channel, statement] of Object.entries(state.consent) as Array<[ConsentChannel, NonNullable<CustomerState['consent'][ConsentChannel]>]>) {
    consent[channel] = { granted: statement.value, at: new Date(statement.at).toISOString() };
    consentClocks[channel] = clockOf(statement);
  }
  const clocks: CustomerClocks = {
    email: clockOf(state.email),
    phone: clockOf(state.phone),
    timezone: clockOf(state.timezone),
    locale: clockOf(state.locale),
    consent: consentClocks,
  };
  return {
    id,
    userId,
    email: state.email?.value ?? null,
    phone: state.phone?.value ?? null,
    timezone: state.timezone?.value ?? null,
    locale: state.locale?.value ?? null,
    consent,
    firstSeenAt: new Date(state.firstSeenAt),
    lastSeenAt: new Date(state.lastSeenAt),
    clocks,
    updatedAt: now,
  };
}

export function customerStateOf(row: Customer): CustomerState {
  const clocks = row.clocks as CustomerClocks;
  const consent: CustomerState['consent'] = {};
  for (const [channel, statement] of Object.entries(row.consent) as Array<[ConsentChannel, { granted: boolean }]>) {
    const restamped = restamp(statement.granted, clocks.consent?.[channel]);
    if (restamped) consent[channel] = restamped;
  }
  return {
    email: restamp(row.email, clocks.email),
    phone: restamp(row.phone, clocks.phone),
    timezone: restamp(row.timezone, clocks.timezone),
    locale: restamp(row.locale, clocks.locale),
    consent,
    firstSeenAt: row.firstSeenAt.getTime(),
    lastSeenAt: row.lastSeenAt.getTime(),
  };
}

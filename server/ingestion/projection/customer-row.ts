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
}

const HOUR = 3_600_000;

/** Customers are "last seen" to the hour: finer would rewrite the row on every event for little use. */
export function lastSeenHour(ms: number): number {
  return Math.floor(ms / HOUR) * HOUR;
}

/** Counters (orders, lifetime value) are not part of the state: they are kept by the orders table. */
export function customerRow(id: string, userId: string | null, state: CustomerState, now: Date): Omit<CustomerInsert, 'ordersCount' | 'lifetimeValue'> {
  const consent: Customer['consent'] = {};
  for (const [channel, statement] of Object.entries(state.consent) as Array<[ConsentChannel, NonNullable<CustomerState['consent'][ConsentChannel]>]>) {
    consent[channel] = { granted: statement.value, at: new Date(statement.at).toISOString(), by: statement.by };
  }
  const clocks: CustomerClocks = {
    email: clockOf(state.email),
    phone: clockOf(state.phone),
    timezone: clockOf(state.timezone),
    locale: clockOf(state.locale),
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
    lastSeenAt: new Date(lastSeenHour(state.lastSeenAt)),
    clocks,
    updatedAt: now,
  };
}

export function customerStateOf(row: Customer): CustomerState {
  const clocks = row.clocks as CustomerClocks;
  const consent: CustomerState['consent'] = {};
  for (const [channel, statement] of Object.entries(row.consent) as Array<[ConsentChannel, { granted: boolean; at: string; by: string }]>) {
    consent[channel] = { value: statement.granted, at: Date.parse(statement.at), by: statement.by };
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

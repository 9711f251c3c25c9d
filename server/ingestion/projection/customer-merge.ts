import { CONSENT_CHANNELS, customers } from '../../../models/customers';
import { MergeSpec, MergeUpsert } from '../../database/merge-upsert';

/** The stored-row half of `mergeCustomers`. Order counters are kept by the orders table, not merged here. */
export const CUSTOMER_MERGE: MergeSpec<typeof customers> = {
  id: { rule: 'key' },
  userId: { rule: 'keepFirst' },
  email: { rule: 'latest', clock: 'email' },
  phone: { rule: 'latest', clock: 'phone' },
  timezone: { rule: 'latest', clock: 'timezone' },
  locale: { rule: 'latest', clock: 'locale' },
  consent: { rule: 'latestPerKey', keys: CONSENT_CHANNELS },
  ordersCount: { rule: 'untouched' },
  lifetimeValue: { rule: 'untouched' },
  firstSeenAt: { rule: 'min' },
  lastSeenAt: { rule: 'max' },
  clocks: { rule: 'clocks' },
  createdAt: { rule: 'untouched' },
  updatedAt: { rule: 'replace' },
};

// Most events only confirm what a profile already says: skipping those updates saves a row version each.
export const mergeCustomerRows = new MergeUpsert(customers, CUSTOMER_MERGE, { skipUnchanged: true });

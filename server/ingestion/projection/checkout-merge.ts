import { checkouts } from '../../../models/checkouts';
import { MergeSpec, MergeUpsert } from '../../database/merge-upsert';
import { STAGE_ORDER } from './checkout-state';

/** The stored-row half of `mergeCheckouts`: how a batch's facts about a checkout merge into its row in SQL. */
export const CHECKOUT_MERGE: MergeSpec<typeof checkouts> = {
  id: { rule: 'key' },
  externalId: { rule: 'insertOnly' },
  sourceId: { rule: 'earliest', clock: 'source' },
  customerId: { rule: 'latest', clock: 'customerId' },
  status: {
    rule: 'derived',
    // An order completes a checkout; one the recovery engine credited stays `recovered`.
    sql: (merged, stored) => `CASE WHEN ${stored('status')} = 'recovered' THEN 'recovered' WHEN ${merged('completedAt')} IS NOT NULL THEN 'completed' ELSE ${stored('status')} END`,
  },
  stage: {
    rule: 'derived',
    sql: (merged) => `CASE ${[...STAGE_ORDER].reverse().map((stage) => `WHEN ${merged('stageReachedAt')} ? '${stage}' THEN '${stage}'`).join(' ')} ELSE 'cart' END`,
  },
  stageReachedAt: { rule: 'minPerKey', keys: STAGE_ORDER },
  email: { rule: 'latest', clock: 'email' },
  phone: { rule: 'latest', clock: 'phone' },
  cart: { rule: 'latest', clock: 'cart' },
  cartValue: { rule: 'latest', clock: 'cart' },
  initialCartValue: { rule: 'earliest', clock: 'initialCart' },
  currency: { rule: 'latest', clock: 'cart' },
  itemCount: { rule: 'latest', clock: 'cart' },
  device: { rule: 'latest', clock: 'device' },
  context: { rule: 'latest', clock: 'context' },
  utm: { rule: 'earliest', clock: 'utm' },
  orderId: { rule: 'latest', clock: 'order' },
  orderRevenue: { rule: 'latest', clock: 'order' },
  orderCurrency: { rule: 'latest', clock: 'order' },
  paymentErrors: { rule: 'sum' },
  eventCount: { rule: 'sum' },
  firstActivityAt: { rule: 'min' },
  lastActivityAt: { rule: 'max' },
  completedAt: { rule: 'min' },
  clocks: { rule: 'clocks' },
  // Kept by the recovery engine, not by events.
  abandonedAt: { rule: 'untouched' },
  abandonment: { rule: 'untouched' },
  recoveredAt: { rule: 'untouched' },
  recoveredByMessageId: { rule: 'untouched' },
  createdAt: { rule: 'untouched' },
  updatedAt: { rule: 'replace' },
};

export const mergeCheckoutRows = new MergeUpsert(checkouts, CHECKOUT_MERGE);

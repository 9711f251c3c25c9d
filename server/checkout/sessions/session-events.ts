import { createHash } from 'node:crypto';
import type { CartSnapshot } from '../../../models/checkouts';
import { parseApiEvents } from '../../ingestion/api/api-events';
import type { EventType, NormalizedEvent } from '../../ingestion/normalized-event';

/** What an API checkout step says about the checkout, in the words of `POST /v1/events`. */
export interface SessionStep {
  type: EventType;
  /** The checkout's id in events (its external id), so API steps join the checkout the storefront's own events built. */
  checkoutRef: string;
  occurredAt: Date;
  customer?: { id?: string; email?: string; phone?: string };
  cart?: CartSnapshot;
  orderId?: string;
  revenue?: number;
  properties?: Record<string, unknown>;
  /** Fixed for steps that may be recorded twice (the order), so a replay is stored once. */
  eventId?: string;
}

/** A UUID derived from `seed`: the same completion always records the same order event. */
export function derivedEventId(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The step as the ingestion pipeline's own event: built as a `POST /v1/events` body and read by the same
 * parser, so funnels and abandonment see API checkouts exactly like posted ones.
 */
export function sessionEvent(step: SessionStep): NormalizedEvent {
  const customer = step.customer && Object.fromEntries(Object.entries(step.customer).filter(([, v]) => v !== undefined));
  const body = {
    event_id: step.eventId ?? crypto.randomUUID(),
    type: step.type,
    occurred_at: step.occurredAt.toISOString(),
    checkout_id: step.checkoutRef,
    ...(step.orderId ? { order_id: step.orderId } : {}),
    ...(step.revenue !== undefined ? { revenue: step.revenue } : {}),
    ...(customer && Object.keys(customer).length > 0 ? { customer } : {}),
    ...(step.cart ? { cart: { items: step.cart.items, currency: step.cart.currency, value: step.cart.value } } : {}),
    ...(step.properties ? { properties: step.properties } : {}),
  };
  const [event] = parseApiEvents(body, () => step.occurredAt.getTime());
  return event;
}

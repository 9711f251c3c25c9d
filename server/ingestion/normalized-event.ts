import type { CartSnapshot, CheckoutStage } from '../../models/checkouts';
import type { ConsentChannel } from '../../models/customers';

/** Our event vocabulary; every route's payloads are mapped onto it. */
export const EVENT_TYPES = [
  'checkout_started',
  'checkout_updated',
  'contact_entered',
  'shipping_entered',
  'payment_entered',
  'payment_failed',
  'checkout_step_viewed',
  'order_completed',
  'push_subscribed',
  'consent_changed',
  'page_viewed',
  'cart_viewed',
  'product_added',
  'product_removed',
  'identify',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];
export type EventOrigin = 'api' | 'segment' | 'shopify';

/** Identifiers a checkout may be known by; any one shared between events links them to one checkout. */
export interface CheckoutRefs {
  checkoutId?: string;
  cartId?: string;
  orderId?: string;
}

export interface CustomerFacts {
  /** The merchant's own customer id. */
  userId?: string;
  anonymousId?: string;
  email?: string;
  phone?: string;
  timezone?: string;
  locale?: string;
}

export interface EventContext {
  device?: string;
  userAgent?: string;
  page?: { url?: string; path?: string; title?: string; referrer?: string };
  ip?: string;
  utm?: Partial<Record<'source' | 'medium' | 'campaign' | 'term' | 'content', string>>;
}

export interface WebPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  expirationTime?: number | null;
}

/** What every ingestion route turns a payload into before it is stored and projected. */
export interface NormalizedEvent {
  /** The dedupe key: `event_id`, Segment's `messageId`, or Shopify's webhook id. */
  key: string;
  type: EventType;
  occurredAt: Date;
  origin: EventOrigin;
  refs: CheckoutRefs;
  /** The furthest checkout stage this event proves was reached, if any. */
  stage?: CheckoutStage;
  customer?: CustomerFacts;
  cart?: CartSnapshot;
  context?: EventContext;
  order?: { orderId: string; revenue: number; currency?: string };
  consent?: Array<{ channel: ConsentChannel; granted: boolean }>;
  pushSubscription?: WebPushSubscription;
  paymentError?: { code?: string; message?: string };
  /** The item exactly as it arrived, stored in `events.payload`. */
  payload: unknown;
}

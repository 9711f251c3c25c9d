import type { CartSnapshot, CheckoutStage } from '../../../models/checkouts';
import type { EventContext, NormalizedEvent } from '../normalized-event';
import { earliest, latest, minDefined, stamp, Stamped } from './lww';

export const STAGE_ORDER: readonly CheckoutStage[] = ['cart', 'started', 'contact', 'shipping', 'payment', 'completed'];

export interface OrderFacts {
  orderId: string;
  revenue: number;
  currency?: string;
}

export type ContextSnapshot = Omit<EventContext, 'utm' | 'device'>;
export type Utm = NonNullable<EventContext['utm']>;

/**
 * Everything the projection knows about one checkout. `mergeCheckouts` is commutative, associative and,
 * for the stamped fields, idempotent: folding the same events in any order gives the same state.
 */
export interface CheckoutState {
  source: Stamped<string>;
  firstActivityAt: number;
  lastActivityAt: number;
  stageReachedAt: Partial<Record<CheckoutStage, number>>;
  customerId?: Stamped<string>;
  email?: Stamped<string>;
  phone?: Stamped<string>;
  cart?: Stamped<CartSnapshot>;
  /** The cart's value when first seen, to tell how the cart changed before it was abandoned. */
  initialCartValue?: Stamped<number>;
  device?: Stamped<string>;
  context?: Stamped<ContextSnapshot>;
  utm?: Stamped<Utm>;
  order?: Stamped<OrderFacts>;
  paymentErrors: number;
  eventCount: number;
}

/** The furthest stage reached; a checkout seen only through cart events is still at `cart`. */
export function currentStage(state: Pick<CheckoutState, 'stageReachedAt'>): CheckoutStage {
  for (let i = STAGE_ORDER.length - 1; i >= 0; i--) if (state.stageReachedAt[STAGE_ORDER[i]] !== undefined) return STAGE_ORDER[i];
  return 'cart';
}

/** What a single event says about its checkout. */
export function checkoutFactsOf(event: NormalizedEvent, sourceId: string, customerId: string | undefined): CheckoutState {
  const at = event.occurredAt.getTime();
  const by = event.key;
  const s = <T>(value: T | undefined) => (value === undefined ? undefined : stamp(value, at, by));
  const { device, utm, ...context } = event.context ?? {};
  const hasContext = Object.values(context).some((v) => v !== undefined);
  return {
    source: stamp(sourceId, at, by),
    firstActivityAt: at,
    lastActivityAt: at,
    stageReachedAt: event.stage ? { [event.stage]: at } : {},
    customerId: s(customerId),
    email: s(event.customer?.email),
    phone: s(event.customer?.phone),
    cart: s(event.cart),
    initialCartValue: s(event.cart?.value),
    device: s(device),
    context: hasContext ? s(context) : undefined,
    utm: s(utm),
    order: s(event.order),
    paymentErrors: event.type === 'payment_failed' ? 1 : 0,
    eventCount: 1,
  };
}

export function mergeCheckouts(a: CheckoutState, b: CheckoutState): CheckoutState {
  const stageReachedAt: CheckoutState['stageReachedAt'] = {};
  for (const stage of STAGE_ORDER) {
    const at = minDefined(a.stageReachedAt[stage], b.stageReachedAt[stage]);
    if (at !== undefined) stageReachedAt[stage] = at;
  }
  return {
    source: earliest(a.source, b.source)!,
    firstActivityAt: Math.min(a.firstActivityAt, b.firstActivityAt),
    lastActivityAt: Math.max(a.lastActivityAt, b.lastActivityAt),
    stageReachedAt,
    customerId: latest(a.customerId, b.customerId),
    email: latest(a.email, b.email),
    phone: latest(a.phone, b.phone),
    cart: latest(a.cart, b.cart),
    initialCartValue: earliest(a.initialCartValue, b.initialCartValue),
    device: latest(a.device, b.device),
    context: latest(a.context, b.context),
    utm: earliest(a.utm, b.utm),
    order: latest(a.order, b.order),
    paymentErrors: a.paymentErrors + b.paymentErrors,
    eventCount: a.eventCount + b.eventCount,
  };
}

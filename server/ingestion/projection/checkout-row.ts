import type { Checkout, CheckoutStatus } from '../../../models/checkouts';
import { checkouts } from '../../../models/checkouts';
import { CheckoutState, ContextSnapshot, currentStage, OrderFacts, Utm } from './checkout-state';
import { Clock, clockOf, restamp } from './lww';

type CheckoutInsert = typeof checkouts.$inferInsert;

interface CheckoutClocks {
  source?: Clock;
  customerId?: Clock;
  email?: Clock;
  phone?: Clock;
  cart?: Clock;
  initialCart?: Clock;
  device?: Clock;
  context?: Clock;
  utm?: Clock;
  order?: Clock;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The row a state is stored as; `status` moves to `completed` with the order and otherwise stays as it was. */
export function checkoutRow(id: string, externalId: string, state: CheckoutState, previousStatus: CheckoutStatus | undefined, now: Date): CheckoutInsert {
  const clocks: CheckoutClocks = {
    source: clockOf(state.source),
    customerId: clockOf(state.customerId),
    email: clockOf(state.email),
    phone: clockOf(state.phone),
    cart: clockOf(state.cart),
    initialCart: clockOf(state.initialCartValue),
    device: clockOf(state.device),
    context: clockOf(state.context),
    utm: clockOf(state.utm),
    order: clockOf(state.order),
  };
  const completedAt = state.stageReachedAt.completed;
  const cart = state.cart?.value;
  return {
    id,
    externalId,
    sourceId: state.source.value,
    customerId: state.customerId?.value ?? null,
    status: completedAt !== undefined ? 'completed' : (previousStatus ?? 'active'),
    stage: currentStage(state),
    stageReachedAt: Object.fromEntries(Object.entries(state.stageReachedAt).map(([stage, at]) => [stage, iso(at)])),
    email: state.email?.value ?? null,
    phone: state.phone?.value ?? null,
    cart: cart ?? null,
    cartValue: cart ? String(cart.value) : null,
    initialCartValue: state.initialCartValue ? String(state.initialCartValue.value) : null,
    currency: cart?.currency ?? null,
    itemCount: cart ? cart.items.reduce((n, item) => n + item.quantity, 0) : 0,
    device: state.device?.value ?? null,
    context: state.context?.value ?? null,
    utm: state.utm?.value ?? null,
    orderId: state.order?.value.orderId ?? null,
    orderRevenue: state.order ? String(state.order.value.revenue) : null,
    orderCurrency: state.order?.value.currency ?? null,
    paymentErrors: state.paymentErrors,
    eventCount: state.eventCount,
    firstActivityAt: new Date(state.firstActivityAt),
    lastActivityAt: new Date(state.lastActivityAt),
    completedAt: completedAt === undefined ? null : new Date(completedAt),
    clocks,
    updatedAt: now,
  };
}

export function checkoutStateOf(row: Checkout): CheckoutState {
  const clocks = row.clocks as CheckoutClocks;
  const order: OrderFacts | null =
    row.orderId === null ? null : { orderId: row.orderId, revenue: Number(row.orderRevenue), ...(row.orderCurrency ? { currency: row.orderCurrency } : {}) };
  return {
    source: restamp(row.sourceId, clocks.source) ?? { value: row.sourceId, at: row.firstActivityAt.getTime(), by: '' },
    firstActivityAt: row.firstActivityAt.getTime(),
    lastActivityAt: row.lastActivityAt.getTime(),
    stageReachedAt: Object.fromEntries(Object.entries(row.stageReachedAt).map(([stage, at]) => [stage, Date.parse(at!)])),
    customerId: restamp(row.customerId, clocks.customerId),
    email: restamp(row.email, clocks.email),
    phone: restamp(row.phone, clocks.phone),
    cart: restamp(row.cart, clocks.cart),
    initialCartValue: restamp(row.initialCartValue === null ? null : Number(row.initialCartValue), clocks.initialCart),
    device: restamp(row.device, clocks.device),
    context: restamp(row.context as ContextSnapshot | null, clocks.context),
    utm: restamp(row.utm as Utm | null, clocks.utm),
    order: restamp(order, clocks.order),
    paymentErrors: row.paymentErrors,
    eventCount: row.eventCount,
  };
}

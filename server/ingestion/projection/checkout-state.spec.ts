import { describe, expect, it } from 'vitest';
import { normalizedEvent } from '../testing/event-factory';
import { checkoutFactsOf, CheckoutState, currentStage, mergeCheckouts } from './checkout-state';

const SOURCE = '00000000-0000-0000-0000-000000000001';

function fold(events: ReturnType<typeof normalizedEvent>[]): CheckoutState {
  return events.map((e) => checkoutFactsOf(e, SOURCE, undefined)).reduce(mergeCheckouts);
}

function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  let s = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

const cart = (value: number) => ({ items: [{ sku: 'A', quantity: 1, unit_price: value }], value, currency: 'EUR' });

const journey = [
  normalizedEvent({ type: 'checkout_started', stage: 'started', at: '2026-11-26T10:00:00Z', cart: cart(50), context: { device: 'mobile', utm: { source: 'google' } } }),
  normalizedEvent({ type: 'checkout_updated', stage: 'started', at: '2026-11-26T10:01:00Z', cart: cart(80) }),
  normalizedEvent({ type: 'contact_entered', stage: 'contact', at: '2026-11-26T10:02:00Z', customer: { email: 'a@example.com' } }),
  normalizedEvent({ type: 'shipping_entered', stage: 'shipping', at: '2026-11-26T10:03:00Z', context: { device: 'desktop', utm: { source: 'newsletter' } } }),
  normalizedEvent({ type: 'payment_failed', stage: 'payment', at: '2026-11-26T10:04:00Z' }),
  normalizedEvent({ type: 'contact_entered', stage: 'contact', at: '2026-11-26T10:05:00Z', customer: { email: 'b@example.com' } }),
];

describe('checkout projection', () => {
  it('keeps the latest cart and contact, the first-touch campaign and the furthest stage', () => {
    const state = fold(journey);
    expect(state.cart?.value.value).toBe(80);
    expect(state.email?.value).toBe('b@example.com');
    expect(state.utm?.value).toEqual({ source: 'google' });
    expect(state.device?.value).toBe('desktop');
    expect(currentStage(state)).toBe('payment');
    expect(state.stageReachedAt.contact).toBe(Date.parse('2026-11-26T10:02:00Z'));
    expect(state.paymentErrors).toBe(1);
    expect(state.eventCount).toBe(6);
    expect(state.firstActivityAt).toBe(Date.parse('2026-11-26T10:00:00Z'));
    expect(state.lastActivityAt).toBe(Date.parse('2026-11-26T10:05:00Z'));
  });

  it('ends in the same state whatever order the events arrive in', () => {
    const expected = fold(journey);
    for (let seed = 1; seed <= 50; seed++) expect(fold(shuffled(journey, seed))).toEqual(expected);
  });

  it('merges partial folds associatively (two requests, any split)', () => {
    const expected = fold(journey);
    for (let cut = 1; cut < journey.length; cut++) {
      expect(mergeCheckouts(fold(journey.slice(cut)), fold(journey.slice(0, cut)))).toEqual(expected);
    }
  });

  it('breaks timestamp ties by event key, not by arrival', () => {
    const a = normalizedEvent({ key: 'aaa', at: '2026-11-26T10:00:00Z', cart: cart(10) });
    const b = normalizedEvent({ key: 'bbb', at: '2026-11-26T10:00:00Z', cart: cart(20) });
    expect(fold([a, b]).cart?.value.value).toBe(20);
    expect(fold([b, a]).cart?.value.value).toBe(20);
  });

  it('a late event does not overwrite newer facts but still extends the activity window', () => {
    const late = normalizedEvent({ type: 'checkout_updated', stage: 'started', at: '2026-11-26T09:00:00Z', cart: cart(5) });
    const state = mergeCheckouts(fold(journey), checkoutFactsOf(late, SOURCE, undefined));
    expect(state.cart?.value.value).toBe(80);
    expect(state.firstActivityAt).toBe(Date.parse('2026-11-26T09:00:00Z'));
    expect(state.stageReachedAt.started).toBe(Date.parse('2026-11-26T09:00:00Z'));
  });

  it('is completed by an order whenever it arrives', () => {
    const order = normalizedEvent({ type: 'order_completed', stage: 'completed', at: '2026-11-26T10:10:00Z', order: { orderId: 'o-1', revenue: 80 } });
    const state = fold([order, ...journey]);
    expect(currentStage(state)).toBe('completed');
    expect(state.order?.value.orderId).toBe('o-1');
  });

  it('reports a checkout seen only through cart events at the cart stage', () => {
    expect(currentStage(fold([normalizedEvent({ type: 'product_added', stage: 'cart' })]))).toBe('cart');
  });
});

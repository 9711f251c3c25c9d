import { describe, expect, it } from 'vitest';
import { IngestProblem, IngestRejected } from '../problems';
import { parseSegmentMessages, SegmentParseOptions } from './segment-mapper';

const RECEIVED = new Date('2026-03-10T12:00:00.000Z');
const options: SegmentParseOptions = { receivedAt: RECEIVED, now: () => RECEIVED.getTime(), defaultCurrency: 'USD' };

let counter = 0;
function track(event: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return { type: 'track', event, messageId: `msg-${++counter}`, anonymousId: 'anon-1', timestamp: '2026-03-10T11:00:00Z', properties, ...extra };
}

function parse(body: unknown, opts: Partial<SegmentParseOptions> = {}) {
  return parseSegmentMessages(body, { ...options, ...opts });
}

function one(message: Record<string, unknown>) {
  const { events, ignored } = parse({ batch: [message] });
  expect(ignored).toBe(0);
  expect(events).toHaveLength(1);
  return events[0];
}

function rejection(body: unknown, opts: Partial<SegmentParseOptions> = {}): IngestRejected {
  try {
    parse(body, opts);
  } catch (error) {
    expect(error).toBeInstanceOf(IngestRejected);
    return error as IngestRejected;
  }
  throw new Error('expected the body to be rejected');
}

/** The problems of a body refused as a whole (400). */
function problems(body: unknown, opts: Partial<SegmentParseOptions> = {}): IngestProblem[] {
  const error = rejection(body, opts);
  expect(error.status).toBe(400);
  return error.problems;
}

/** The problems of the messages a batch left out (the batch itself is accepted). */
function rejected(body: unknown, opts: Partial<SegmentParseOptions> = {}): IngestProblem[] {
  return parse(body, opts).rejected;
}

describe('parseSegmentMessages: body shapes', () => {
  it('reads a batch, a bare array, and a single message with a type', () => {
    expect(parse({ batch: [track('Cart Viewed', { cart_id: 'c1' }), track('Cart Viewed', { cart_id: 'c2' })] }).events).toHaveLength(2);
    expect(parse([track('Cart Viewed', { cart_id: 'c1' })]).events).toHaveLength(1);
    const single = parse(track('Cart Viewed', { cart_id: 'c1' }));
    expect(single.events.map((e) => e.refs.cartId)).toEqual(['c1']);
  });

  it('takes one message on a single-type route, whose type may be omitted but must match', () => {
    const { type: _type, ...message } = track('Checkout Started', { order_id: 'o1' });
    expect(parse(message, { expectType: 'track' }).events[0].type).toBe('checkout_started');
    expect(problems({ ...message, type: 'page' }, { expectType: 'track' })).toEqual([{ index: 0, path: 'type', message: 'must be "track" on /v1/track (or be left out)' }]);
    expect(problems({ batch: [message] }, { expectType: 'track' })[0]).toMatchObject({ index: null, path: '' });
    expect(problems([message], { expectType: 'track' })[0]).toMatchObject({ index: null, path: '' });
  });

  it('rejects bodies that are no Segment payload', () => {
    expect(problems('hello')[0]).toMatchObject({ index: null, path: '' });
    expect(problems({ hello: 1 })[0]).toMatchObject({ index: null, path: '' });
    expect(problems({ batch: {} })).toEqual([{ index: null, path: 'batch', message: 'must be an array of messages' }]);
    expect(problems({ batch: [] })).toEqual([{ index: null, path: 'batch', message: 'must hold at least one message' }]);
    expect(rejected({ batch: ['x'] })).toEqual([{ index: 0, path: '', message: 'must be a JSON object: one Segment message' }]);
  });

  it('refuses more than 500 messages with 413', () => {
    const batch = Array.from({ length: 501 }, () => track('Signed Up'));
    const error = rejection({ batch });
    expect(error.status).toBe(413);
    expect(error.problems).toEqual([{ index: null, path: 'batch', message: 'holds 501 messages; at most 500 per request' }]);
    expect(parse({ batch: batch.slice(0, 500) }).ignored).toBe(500);
    expect(rejection(batch).problems[0]).toMatchObject({ index: null, path: '' });
  });

  it('leaves out an oversize message or one with a NUL character, keeping the others', () => {
    const big = track('Cart Viewed', { cart_id: 'c1', blob: 'x'.repeat(33 * 1024) });
    const result = parse({ batch: [track('Cart Viewed', { cart_id: 'c0' }), big] });
    expect(result.events.map((e) => e.refs.cartId)).toEqual(['c0']);
    expect(result.rejected).toEqual([{ index: 1, path: '', message: 'event is larger than 32 KB' }]);
    expect(rejected({ batch: [track('Cart Viewed', { cart_id: 'c\u0000' })] })[0]).toMatchObject({ index: 0, path: 'properties.cart_id' });
  });

  it('refuses an oversize message that is the whole body with 413, and an invalid one with 400', () => {
    const big = track('Cart Viewed', { cart_id: 'c1', blob: 'x'.repeat(33 * 1024) });
    expect(rejection(big).status).toBe(413);
    expect(rejection({ ...track('Cart Viewed', { cart_id: 'c1' }), messageId: undefined }).problems).toEqual([
      { index: 0, path: 'messageId', message: 'is required (a unique id per message, used to drop duplicates)' },
    ]);
  });
});

describe('parseSegmentMessages: per-message acceptance', () => {
  it('keeps every valid message and reports each invalid one with its index', () => {
    const batch = Array.from({ length: 11 }, (_, i) => track('Cart Viewed', { cart_id: `cart-${i}` }));
    batch[4] = track('Checkout Started', { value: 'a lot' });
    const result = parse({ batch });
    expect(result.events.map((e) => e.refs.cartId)).toEqual(['cart-0', 'cart-1', 'cart-2', 'cart-3', 'cart-5', 'cart-6', 'cart-7', 'cart-8', 'cart-9', 'cart-10']);
    expect(result.rejected).toEqual([
      { index: 4, path: 'properties.checkout_id', message: 'is required for "Checkout Started" (or properties.order_id or properties.cart_id), to know which checkout it belongs to' },
      { index: 4, path: 'properties.value', message: 'must be a number' },
    ]);
  });

  it('checks the outer shape with the documented schema, once per field', () => {
    expect(rejected({ batch: [track('Cart Viewed', 'not-an-object' as never)] })).toEqual([
      { index: 0, path: 'properties', message: "must be an object (the event's properties)" },
      { index: 0, path: 'properties.checkout_id', message: 'is required for "Cart Viewed" (or properties.order_id or properties.cart_id), to know which checkout it belongs to' },
    ]);
    expect(rejected({ batch: [track('Cart Viewed', { cart_id: 'c1' }, { timestamp: 1700000000 })] })).toEqual([
      { index: 0, path: 'timestamp', message: 'must be an ISO 8601 timestamp string (when it happened, by the sender)' },
    ]);
  });

  it('refuses an envelope problem, which every message shares, as a whole', () => {
    expect(problems({ batch: [track('Cart Viewed', { cart_id: 'c1' })], context: 'web' })).toEqual([
      { index: null, path: 'context', message: "must be an object (merged under every message's own context)" },
    ]);
  });
});

describe('parseSegmentMessages: envelope', () => {
  it('uses messageId as the dedupe key, and requires it', () => {
    expect(one(track('Cart Viewed', { cart_id: 'c1' }, { messageId: ' ajs-next-1 ' })).key).toBe('ajs-next-1');
    const { messageId: _m, ...noId } = track('Cart Viewed', { cart_id: 'c1' });
    expect(rejected({ batch: [noId] })).toEqual([{ index: 0, path: 'messageId', message: 'is required (a unique id per message, used to drop duplicates)' }]);
    expect(rejected({ batch: [{ ...noId, messageId: '' }] })).toEqual([{ index: 0, path: 'messageId', message: 'must not be empty' }]);
    expect(rejected({ batch: [{ ...noId, messageId: 12 }] })).toEqual([{ index: 0, path: 'messageId', message: 'must be a string' }]);
    expect(rejected({ batch: [{ ...noId, messageId: 'm'.repeat(201) }] })[0]).toMatchObject({ index: 0, path: 'messageId' });
  });

  it('requires userId or anonymousId, except on Ecommerce events known by their ids', () => {
    const anonymous = { anonymousId: undefined };
    expect(rejected({ batch: [{ type: 'page', messageId: 'p1', userId: null, anonymousId: null }] })).toEqual([
      { index: 0, path: 'userId', message: 'is required when there is no anonymousId: every message must carry userId or anonymousId' },
    ]);
    expect(rejected({ batch: [track('Signed Up', {}, anonymous)] })[0]).toMatchObject({ path: 'userId' });
    const event = one(track('Order Completed', { order_id: 'o1', revenue: 10 }, anonymous));
    expect(event.customer).toBeUndefined();
    expect(one(track('Cart Viewed', { cart_id: 'c1' }, { anonymousId: undefined, userId: 42 })).customer?.userId).toBe('42');
  });

  it('names an unknown or missing type', () => {
    expect(rejected({ batch: [{ ...track('X'), type: 'purchase' }] })).toEqual([{ index: 0, path: 'type', message: 'must be one of track, identify, page, screen, group, alias' }]);
    expect(rejected({ batch: [{ ...track('X'), type: undefined }] })).toEqual([{ index: 0, path: 'type', message: 'is required: one of track, identify, page, screen, group, alias' }]);
  });

  it('requires an event name on track', () => {
    expect(rejected({ batch: [track('  ')] })[0]).toMatchObject({ index: 0, path: 'event' });
  });

  it('reports every problem of every message at once', () => {
    const { messageId: _m, ...noId } = track('Checkout Started', {});
    expect(rejected({ batch: [track('Cart Viewed', { cart_id: 'c1' }), noId] })).toEqual([
      { index: 1, path: 'messageId', message: 'is required (a unique id per message, used to drop duplicates)' },
      { index: 1, path: 'properties.checkout_id', message: 'is required for "Checkout Started" (or properties.order_id or properties.cart_id), to know which checkout it belongs to' },
    ]);
  });
});

describe('parseSegmentMessages: timestamps', () => {
  it('uses timestamp when present', () => {
    expect(one(track('Cart Viewed', { cart_id: 'c1' }, { timestamp: '2026-03-10T10:00:00+01:00' })).occurredAt.toISOString()).toBe('2026-03-10T09:00:00.000Z');
  });

  it('corrects originalTimestamp for the device clock skew with the message sentAt', () => {
    // The device clock runs 2 days ahead: it says the event happened 30 s before it sent it.
    const message = track('Cart Viewed', { cart_id: 'c1' }, { timestamp: undefined, originalTimestamp: '2026-03-12T11:59:00Z', sentAt: '2026-03-12T11:59:30Z' });
    expect(one(message).occurredAt.toISOString()).toBe('2026-03-10T11:59:30.000Z');
  });

  it('corrects with the batch sentAt when the message has none', () => {
    const message = track('Cart Viewed', { cart_id: 'c1' }, { timestamp: undefined, originalTimestamp: '2026-03-10T11:50:00Z' });
    const { events } = parse({ batch: [message], sentAt: '2026-03-10T11:55:00Z' });
    expect(events[0].occurredAt.toISOString()).toBe('2026-03-10T11:55:00.000Z');
  });

  it('falls back to originalTimestamp uncorrected, then to the receive time', () => {
    expect(one(track('Cart Viewed', { cart_id: 'c1' }, { timestamp: undefined, originalTimestamp: '2026-03-10T08:00:00Z' })).occurredAt.toISOString()).toBe('2026-03-10T08:00:00.000Z');
    expect(one(track('Cart Viewed', { cart_id: 'c1' }, { timestamp: undefined })).occurredAt).toEqual(RECEIVED);
  });

  it('rejects malformed and future timestamps with their path', () => {
    expect(rejected({ batch: [track('Cart Viewed', { cart_id: 'c1' }, { timestamp: 'yesterday' })] })).toEqual([
      { index: 0, path: 'timestamp', message: 'must be an ISO 8601 timestamp with a time zone offset, such as "2026-11-26T14:03:00Z"' },
    ]);
    expect(rejected({ batch: [track('Cart Viewed', { cart_id: 'c1' }, { timestamp: '2026-03-12T12:00:00Z' })] })).toEqual([
      { index: 0, path: 'timestamp', message: 'is more than 24 hours in the future' },
    ]);
    expect(rejected({ batch: [track('Cart Viewed', { cart_id: 'c1' }, { timestamp: undefined, originalTimestamp: '2026-03-12T12:00:00Z' })] })[0]).toMatchObject({
      path: 'originalTimestamp',
      message: 'is more than 24 hours in the future',
    });
    expect(rejected({ batch: [track('Cart Viewed', { cart_id: 'c1' }, { timestamp: undefined, originalTimestamp: '2026-03-10T11:00:00Z', sentAt: 'soon' })] })[0]).toMatchObject({
      path: 'sentAt',
    });
    expect(rejected({ batch: [track('Cart Viewed', { cart_id: 'c1' }, { timestamp: '2026-13-01T10:00:00Z' })] })[0]).toMatchObject({ path: 'timestamp', message: 'is not a real date' });
    expect(problems({ batch: [track('Cart Viewed', { cart_id: 'c1' })], sentAt: 'now' })[0]).toMatchObject({ index: null, path: 'sentAt' });
  });
});

describe('parseSegmentMessages: Ecommerce mapping', () => {
  const products = [
    { product_id: 'p1', name: 'Mug', quantity: 2, price: 10, image_url: 'https://shop.example/mug.png', url: 'https://shop.example/mug', brand: 'X' },
    { sku: 'SKU-2', price: 5.5 },
  ];

  it('maps Checkout Started with its order id and cart', () => {
    const event = one(track('Checkout Started', { order_id: 'o1', currency: 'EUR', products }));
    expect(event).toMatchObject({ type: 'checkout_started', stage: 'started', origin: 'segment', refs: { orderId: 'o1' } });
    expect(event.refs.checkoutId).toBeUndefined();
    expect(event.cart).toEqual({
      currency: 'EUR',
      value: 25.5,
      items: [
        { sku: 'p1', name: 'Mug', quantity: 2, unit_price: 10, image_url: 'https://shop.example/mug.png', url: 'https://shop.example/mug' },
        { sku: 'SKU-2', quantity: 1, unit_price: 5.5 },
      ],
    });
  });

  it('takes the cart value from value, then revenue, then total', () => {
    expect(one(track('Checkout Started', { order_id: 'o1', currency: 'EUR', products, value: 30, revenue: 20 })).cart?.value).toBe(30);
    expect(one(track('Checkout Started', { order_id: 'o1', currency: 'EUR', products, revenue: 20, total: 22 })).cart?.value).toBe(20);
    expect(one(track('Checkout Started', { order_id: 'o1', currency: 'EUR', products, total: 22 })).cart?.value).toBe(22);
    expect(one(track('Checkout Started', { order_id: 'o1', currency: 'eur', products })).cart?.currency).toBe('EUR');
  });

  it('maps Order Completed to an order, revenue from revenue else total', () => {
    const event = one(track('Order Completed', { checkout_id: 'ch1', order_id: 'o1', revenue: 40, total: 48, currency: 'USD' }));
    expect(event).toMatchObject({ type: 'order_completed', stage: 'completed', refs: { checkoutId: 'ch1', orderId: 'o1' }, order: { orderId: 'o1', revenue: 40, currency: 'USD' } });
    expect(one(track('Order Completed', { order_id: 'o2', total: 48 })).order).toEqual({ orderId: 'o2', revenue: 48, currency: 'USD' });
    expect(one(track('Order Completed', { order_id: 1001, total: 48 })).order?.orderId).toBe('1001');
  });

  it('maps the step events; a completed step by what it collected', () => {
    expect(one(track('Checkout Step Viewed', { checkout_id: 'ch1', step: 2 }))).toMatchObject({ type: 'checkout_step_viewed', stage: 'started' });
    expect(one(track('Checkout Step Completed', { checkout_id: 'ch1', payment_method: 'Visa', shipping_method: 'UPS' }))).toMatchObject({ type: 'payment_entered', stage: 'payment' });
    expect(one(track('Checkout Step Completed', { checkout_id: 'ch1', shipping_method: 'UPS' }))).toMatchObject({ type: 'shipping_entered', stage: 'shipping' });
    expect(one(track('Checkout Step Completed', { checkout_id: 'ch1', step: 1 }))).toMatchObject({ type: 'checkout_step_viewed', stage: 'started' });
    expect(one(track('Payment Info Entered', { checkout_id: 'ch1', payment_method: 'Visa' }))).toMatchObject({ type: 'payment_entered', stage: 'payment' });
  });

  it('maps the cart events; Product Added/Removed never set the cart', () => {
    expect(one(track('Cart Viewed', { cart_id: 'c1', currency: 'USD', products }))).toMatchObject({ type: 'cart_viewed', stage: 'cart', refs: { cartId: 'c1' }, cart: { value: 25.5 } });
    const added = one(track('Product Added', { cart_id: 'c1', product_id: 'p1', price: 10, products, currency: 'USD' }));
    expect(added).toMatchObject({ type: 'product_added', stage: 'cart', refs: { cartId: 'c1' } });
    expect(added.cart).toBeUndefined();
    const removed = one(track('product removed', { cart_id: 'c1', product_id: 'p1' }));
    expect(removed).toMatchObject({ type: 'product_removed', stage: 'cart' });
    expect(removed.cart).toBeUndefined();
  });

  it('reads customer facts from context.traits on track events', () => {
    const event = one(
      track('Checkout Started', { checkout_id: 'ch1' }, { userId: 'u1', context: { traits: { email: ' Ann@Example.COM ', phone: '+14155552671' }, timezone: 'Europe/Paris', locale: 'fr-FR' } }),
    );
    expect(event.customer).toEqual({ userId: 'u1', anonymousId: 'anon-1', email: 'ann@example.com', phone: '+14155552671', timezone: 'Europe/Paris', locale: 'fr-FR' });
    expect(event.consent).toBeUndefined();
  });

  it('reads the browsing context, with the batch context underneath the message context', () => {
    const ua = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';
    const message = track(
      'Checkout Started',
      { checkout_id: 'ch1' },
      { context: { userAgent: ua, page: { url: 'https://shop.example/checkout', path: '/checkout', title: 'Checkout', referrer: '' }, campaign: { source: 'news', name: 'spring', medium: 'email' } } },
    );
    const { events } = parse({ batch: [message], context: { ip: '203.0.113.9', campaign: { source: 'batch', term: 'mugs' } } });
    expect(events[0].context).toEqual({
      device: 'mobile',
      userAgent: ua,
      ip: '203.0.113.9',
      page: { url: 'https://shop.example/checkout', path: '/checkout', title: 'Checkout' },
      utm: { source: 'news', medium: 'email', campaign: 'spring', term: 'mugs' },
    });
  });

  it('stores the message as received, without its write key', () => {
    const rest = track('Cart Viewed', { cart_id: 'c1' }, { integrations: { All: true } });
    expect(one({ ...rest, writeKey: 'secret' }).payload).toEqual(rest);
  });

  it('ignores track events outside the Ecommerce spec, screen and group', () => {
    const result = parse({
      batch: [
        track('Signed Up', { plan: 'pro' }),
        { type: 'screen', name: 'Home', messageId: 's1', anonymousId: 'a' },
        { type: 'group', groupId: 'g1', messageId: 'g1', userId: 'u' },
        track('Cart Viewed', { cart_id: 'c1' }),
      ],
    });
    expect(result.ignored).toBe(3);
    expect(result.events.map((e) => e.type)).toEqual(['cart_viewed']);
  });

  it('requires an id on Ecommerce events and an order on Order Completed', () => {
    expect(rejected({ batch: [track('Checkout Started', { products: [], currency: 'USD' })] })).toEqual([
      { index: 0, path: 'properties.checkout_id', message: 'is required for "Checkout Started" (or properties.order_id or properties.cart_id), to know which checkout it belongs to' },
    ]);
    expect(rejected({ batch: [track('Order Completed', { checkout_id: 'ch1' })] })).toEqual([
      { index: 0, path: 'properties.order_id', message: 'is required for "Order Completed"' },
      { index: 0, path: 'properties.revenue', message: 'is required for "Order Completed" (properties.revenue or properties.total, a number ≥ 0)' },
    ]);
    expect(rejected({ batch: [track('Order Completed', { order_id: 'o1', revenue: '40' })] })).toEqual([{ index: 0, path: 'properties.revenue', message: 'must be a number' }]);
    expect(rejected({ batch: [track('Order Completed', { order_id: { id: 1 }, revenue: -1 })] })).toEqual([
      { index: 0, path: 'properties.order_id', message: 'must be a string' },
      { index: 0, path: 'properties.revenue', message: 'must not be negative' },
    ]);
  });

  it('validates products; a missing currency is the source default', () => {
    expect(one(track('Cart Viewed', { cart_id: 'c1', products })).cart).toMatchObject({ currency: 'USD', value: 25.5 });
    expect(parse({ batch: [track('Cart Viewed', { cart_id: 'c1', products, currency: null })] }, { defaultCurrency: 'EUR' }).events[0].cart?.currency).toBe('EUR');
    expect(parse({ batch: [track('Order Completed', { order_id: 'o9', revenue: 5 })] }, { defaultCurrency: 'JPY' }).events[0].order).toEqual({ orderId: 'o9', revenue: 5, currency: 'JPY' });
    expect(rejected({ batch: [track('Cart Viewed', { cart_id: 'c1', currency: 'XYZ', products })] })[0]).toMatchObject({ path: 'properties.currency' });
    expect(rejected({ batch: [track('Cart Viewed', { cart_id: 'c1', currency: 'USD', products: [{ name: 'Mug', quantity: 0, image_url: 'ftp://x' }] })] })).toEqual([
      { index: 0, path: 'properties.products[0].product_id', message: 'is required (or sku)' },
      { index: 0, path: 'properties.products[0].quantity', message: 'must be at least 1' },
      { index: 0, path: 'properties.products[0].price', message: 'is required (a number ≥ 0)' },
      { index: 0, path: 'properties.products[0].image_url', message: 'must be an http(s) URL' },
    ]);
    expect(rejected({ batch: [track('Cart Viewed', { cart_id: 'c1', currency: 'USD', products: 'mug' })] })[0]).toMatchObject({ path: 'properties.products' });
  });

});

describe('parseSegmentMessages: identify, alias, page', () => {
  it('maps identify to customer facts', () => {
    const event = one({
      type: 'identify',
      messageId: 'i1',
      userId: 'u1',
      anonymousId: 'anon-1',
      traits: { email: 'Ann@Example.com', phone: '+14155552671', name: 'Ann' },
      context: { timezone: 'America/New_York', locale: 'en-US' },
    });
    expect(event).toMatchObject({ type: 'identify', refs: {}, origin: 'segment' });
    expect(event.stage).toBeUndefined();
    expect(event.customer).toEqual({ userId: 'u1', anonymousId: 'anon-1', email: 'ann@example.com', phone: '+14155552671', timezone: 'America/New_York', locale: 'en-US' });
  });

  it('takes identify traits from context.traits when the message has none', () => {
    expect(one({ type: 'identify', messageId: 'i2', userId: 'u1', context: { traits: { email: 'b@example.com' } } }).customer?.email).toBe('b@example.com');
  });

  it('rejects a bad phone, email, timezone, locale or ip with its path', () => {
    expect(rejected({ batch: [{ type: 'identify', messageId: 'i1', userId: 'u1', traits: { phone: '555-1234' } }] })).toEqual([
      { index: 0, path: 'traits.phone', message: 'must be a valid phone number in E.164 form, such as "+14155552671"' },
    ]);
    expect(rejected({ batch: [track('Checkout Started', { checkout_id: 'c' }, { context: { traits: { phone: '+10000000000' } } })] })[0]).toMatchObject({
      path: 'context.traits.phone',
    });
    expect(rejected({ batch: [{ type: 'identify', messageId: 'i1', userId: 'u1', traits: { email: 'not-an-email' } }] })[0]).toMatchObject({ path: 'traits.email' });
    expect(rejected({ batch: [{ type: 'identify', messageId: 'i1', userId: 'u1', context: { timezone: 'Mars/Olympus', locale: 'x_bad_' } }] })).toEqual([
      { index: 0, path: 'context.timezone', message: 'must be an IANA time zone, such as "Europe/Paris"' },
      { index: 0, path: 'context.locale', message: 'must be a BCP 47 language tag, such as "fr-FR"' },
    ]);
    expect(rejected({ batch: [track('Cart Viewed', { cart_id: 'c1' }, { context: { ip: 'localhost' } })] })[0]).toMatchObject({ path: 'context.ip' });
  });

  it('maps alias to identify, previousId as the anonymous id', () => {
    const event = one({ type: 'alias', messageId: 'a1', userId: 'u1', previousId: 'anon-9' });
    expect(event).toMatchObject({ type: 'identify', customer: { userId: 'u1', anonymousId: 'anon-9' } });
    expect(rejected({ batch: [{ type: 'alias', messageId: 'a1', anonymousId: 'x' }] })).toEqual([
      { index: 0, path: 'userId', message: 'is required for alias' },
      { index: 0, path: 'previousId', message: 'is required for alias' },
    ]);
  });

  it('maps page to page_viewed with no checkout refs', () => {
    const event = one({
      type: 'page',
      messageId: 'p1',
      anonymousId: 'anon-1',
      name: 'Checkout',
      properties: { url: 'https://shop.example/cart', title: 'Your cart', checkout_id: 'ch1' },
      context: { page: { url: 'https://shop.example/old', referrer: 'https://google.com/' } },
    });
    expect(event).toMatchObject({ type: 'page_viewed', refs: {}, customer: { anonymousId: 'anon-1' } });
    expect(event.context?.page).toEqual({ url: 'https://shop.example/cart', title: 'Your cart', referrer: 'https://google.com/' });
  });
});

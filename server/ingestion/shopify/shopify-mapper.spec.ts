import { describe, expect, it } from 'vitest';
import { IngestRejected } from '../problems';
import { checkoutStage, isShopifyTopic, parseShopifyWebhook } from './shopify-mapper';

const NOW = Date.parse('2026-03-02T12:00:00Z');
const now = () => NOW;

/** A `checkouts/create` / `checkouts/update` payload, shaped like Shopify's documented Checkout webhook body. */
function checkoutPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 981820079255243537,
    token: '4f2a9c1b7e3d5a60b8c4e2f1a9d7b3c5',
    cart_token: 'Z2NwLXVzLWNlbnRyYWwxOjAxSE5CVjQ2',
    email: 'Jon.Snow@Example.com',
    gateway: null,
    buyer_accepts_marketing: true,
    buyer_accepts_sms_marketing: false,
    sms_marketing_phone: null,
    created_at: '2026-03-02T09:14:05-05:00',
    updated_at: '2026-03-02T09:16:41-05:00',
    landing_site: '/products/winter-parka?utm_source=newsletter&utm_medium=email&utm_campaign=march-sale',
    note: null,
    note_attributes: [{ name: 'gift_wrap', value: 'yes' }],
    referring_site: 'https://www.google.com/',
    shipping_lines: [],
    taxes_included: false,
    total_weight: 1200,
    currency: 'USD',
    presentment_currency: 'CAD',
    completed_at: null,
    closed_at: null,
    user_id: null,
    location_id: null,
    source_identifier: null,
    source_url: null,
    device_id: null,
    phone: null,
    customer_locale: 'en-CA',
    line_items: [
      {
        applied_discounts: [],
        discount_allocations: [],
        key: '8bd4e6bbd4a3c1b7ee6ca2c0f1f3a6b4',
        destination_location_id: 2231211932,
        fulfillment_service: 'manual',
        gift_card: false,
        grams: 1000,
        origin_location_id: 1001473193,
        presentment_title: 'Winter Parka',
        presentment_variant_title: 'Navy / M',
        product_id: 7110622675033,
        properties: null,
        quantity: 1,
        requires_shipping: true,
        sku: 'PARKA-NAVY-M',
        tax_lines: [],
        taxable: true,
        title: 'Winter Parka',
        variant_id: 40094740545625,
        variant_title: 'Navy / M',
        variant_price: '249.00',
        vendor: 'North & Co',
        user_id: null,
        unit_price_measurement: { measured_type: null, quantity_value: null, quantity_unit: null, reference_value: null, reference_unit: null },
        rank: null,
        compare_at_price: null,
        line_price: '249.00',
        price: '249.00',
      },
      {
        key: '1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f',
        product_id: 7110622675034,
        quantity: 2,
        sku: '',
        title: 'Wool Socks',
        variant_id: 40094740545626,
        variant_title: null,
        variant_price: '12.50',
        vendor: 'North & Co',
        line_price: '25.00',
        price: '12.50',
        image: { src: 'https://cdn.shopify.com/s/files/1/0000/0001/products/socks.jpg' },
      },
    ],
    name: '#981820079255243537',
    source: null,
    abandoned_checkout_url: 'https://shop.example.com/548380009/checkouts/4f2a9c1b7e3d5a60b8c4e2f1a9d7b3c5/recover?key=example-secret-token',
    discount_codes: [],
    tax_lines: [],
    source_name: 'web',
    total_discounts: '0.00',
    total_line_items_price: '274.00',
    total_price: '296.18',
    total_tax: '22.18',
    subtotal_price: '274.00',
    total_duties: null,
    reservation_token: null,
    billing_address: null,
    shipping_address: null,
    customer: {
      id: 6840133746837,
      email: 'jon.snow@example.com',
      accepts_marketing: true,
      created_at: '2025-11-20T10:00:00-05:00',
      updated_at: '2026-03-02T09:16:41-05:00',
      first_name: 'Jon',
      last_name: 'Snow',
      state: 'enabled',
      note: null,
      verified_email: true,
      multipass_identifier: null,
      tax_exempt: false,
      phone: '+16135550123',
      email_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in', consent_updated_at: '2025-11-20T10:00:00-05:00' },
      sms_marketing_consent: { state: 'not_subscribed', opt_in_level: 'single_opt_in', consent_updated_at: null, consent_collected_from: 'OTHER' },
      tags: '',
      currency: 'USD',
      accepts_marketing_updated_at: '2025-11-20T10:00:00-05:00',
      admin_graphql_api_id: 'gid://shopify/Customer/6840133746837',
      default_address: null,
    },
    ...overrides,
  };
}

const address = {
  first_name: 'Steve',
  address1: '123 Shipping Street',
  phone: '555-555-SHIP',
  city: 'Shippington',
  zip: 'K2P0S0',
  province: 'Ontario',
  country: 'Canada',
  last_name: 'Shipper',
  address2: null,
  company: 'Shipping Company',
  latitude: null,
  longitude: null,
  name: 'Steve Shipper',
  country_code: 'CA',
  province_code: 'ON',
};

/** An `orders/create` payload, shaped like Shopify's documented Order webhook body. */
function orderPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 5678901234567,
    admin_graphql_api_id: 'gid://shopify/Order/5678901234567',
    app_id: 580111,
    browser_ip: '203.0.113.24',
    buyer_accepts_marketing: false,
    cancel_reason: null,
    cancelled_at: null,
    cart_token: 'Z2NwLXVzLWNlbnRyYWwxOjAxSE5CVjQ2',
    checkout_id: 981820079255243,
    checkout_token: '4f2a9c1b7e3d5a60b8c4e2f1a9d7b3c5',
    client_details: {
      accept_language: 'en-CA,en;q=0.9',
      browser_height: null,
      browser_ip: '203.0.113.24',
      browser_width: null,
      session_hash: null,
      user_agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
    },
    closed_at: null,
    confirmation_number: 'X1Y2Z3A4B',
    confirmed: true,
    contact_email: 'jon.snow@example.com',
    created_at: '2026-03-02T09:20:11-05:00',
    currency: 'USD',
    current_total_price: '219.40',
    customer_locale: 'en-CA',
    email: 'jon.snow@example.com',
    financial_status: 'paid',
    landing_site: '/?utm_source=instagram',
    name: '#1042',
    note: null,
    note_attributes: [],
    number: 42,
    order_number: 1042,
    order_status_url: 'https://shop.example.com/548380009/orders/abcdef/authenticate?key=example',
    phone: null,
    presentment_currency: 'CAD',
    processed_at: '2026-03-02T09:20:10-05:00',
    referring_site: '',
    source_name: 'web',
    subtotal_price: '202.91',
    tags: '',
    test: false,
    token: 'b1946ac92492d2347c6235b4d2611184',
    total_discounts: '0.00',
    total_line_items_price: '202.91',
    total_price: '219.40',
    total_tax: '16.49',
    updated_at: '2026-03-02T09:20:12-05:00',
    billing_address: address,
    customer: {
      id: 6840133746837,
      email: 'jon.snow@example.com',
      created_at: '2025-11-20T10:00:00-05:00',
      updated_at: '2026-03-02T09:20:12-05:00',
      first_name: 'Jon',
      last_name: 'Snow',
      state: 'enabled',
      verified_email: true,
      phone: null,
      email_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in', consent_updated_at: '2025-11-20T10:00:00-05:00' },
      sms_marketing_consent: null,
      admin_graphql_api_id: 'gid://shopify/Customer/6840133746837',
    },
    line_items: [
      {
        id: 1071823172,
        admin_graphql_api_id: 'gid://shopify/LineItem/1071823172',
        fulfillable_quantity: 1,
        fulfillment_service: 'manual',
        gift_card: false,
        grams: 1000,
        name: 'Winter Parka - Navy / M',
        price: '184.31',
        price_set: { shop_money: { amount: '184.31', currency_code: 'USD' }, presentment_money: { amount: '249.00', currency_code: 'CAD' } },
        product_exists: true,
        product_id: 7110622675033,
        properties: [],
        quantity: 1,
        requires_shipping: true,
        sku: 'PARKA-NAVY-M',
        taxable: true,
        title: 'Winter Parka',
        total_discount: '0.00',
        variant_id: 40094740545625,
        variant_title: 'Navy / M',
        vendor: 'North & Co',
        tax_lines: [],
        discount_allocations: [],
      },
      {
        id: 1071823173,
        name: 'Wool Socks',
        price: '9.30',
        product_id: 7110622675034,
        quantity: 2,
        sku: null,
        title: 'Wool Socks',
        variant_id: 40094740545626,
        variant_title: null,
      },
    ],
    shipping_address: address,
    shipping_lines: [{ id: 271878346596884015, code: 'Standard', price: '0.00', source: 'shopify', title: 'Standard Shipping' }],
    ...overrides,
  };
}

function rejection(fn: () => unknown): IngestRejected {
  try {
    fn();
  } catch (error) {
    if (error instanceof IngestRejected) return error;
    throw error;
  }
  throw new Error('expected IngestRejected');
}

describe('parseShopifyWebhook: checkouts', () => {
  it('maps checkouts/create onto checkout_started with refs, shopper, cart, consent and context', () => {
    const payload = checkoutPayload();
    const event = parseShopifyWebhook('checkouts/create', 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', payload, now)!;
    expect(event).toMatchObject({
      key: 'shopify:b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      type: 'checkout_started',
      origin: 'shopify',
      refs: { checkoutId: '4f2a9c1b7e3d5a60b8c4e2f1a9d7b3c5', cartId: 'Z2NwLXVzLWNlbnRyYWwxOjAxSE5CVjQ2' },
      stage: 'contact',
      customer: { userId: '6840133746837', email: 'jon.snow@example.com', phone: '+16135550123', locale: 'en-CA' },
      context: {
        page: { path: '/products/winter-parka', referrer: 'https://www.google.com/' },
        utm: { source: 'newsletter', medium: 'email', campaign: 'march-sale' },
      },
    });
    expect(event.occurredAt.toISOString()).toBe('2026-03-02T14:14:05.000Z');
    expect(event.payload).toBe(payload);
    expect(event.order).toBeUndefined();
    // Checkout amounts are in the presentment currency; empty SKU falls back to the variant id.
    expect(event.cart).toEqual({
      currency: 'CAD',
      value: 296.18,
      items: [
        { sku: 'PARKA-NAVY-M', name: 'Winter Parka', quantity: 1, unit_price: 249, variant_title: 'Navy / M', variant_id: '40094740545625', product_id: '7110622675033' },
        {
          sku: '40094740545626',
          name: 'Wool Socks',
          quantity: 2,
          unit_price: 12.5,
          variant_id: '40094740545626',
          product_id: '7110622675034',
          image_url: 'https://cdn.shopify.com/s/files/1/0000/0001/products/socks.jpg',
        },
      ],
    });
  });

  it('maps checkouts/update onto checkout_updated at updated_at', () => {
    const event = parseShopifyWebhook('checkouts/update', 'w-2', checkoutPayload(), now)!;
    expect(event.type).toBe('checkout_updated');
    expect(event.occurredAt.toISOString()).toBe('2026-03-02T14:16:41.000Z');
  });

  it('falls back to the other timestamp when one is missing', () => {
    const event = parseShopifyWebhook('checkouts/update', 'w-3', checkoutPayload({ updated_at: null }), now)!;
    expect(event.occurredAt.toISOString()).toBe('2026-03-02T14:14:05.000Z');
  });

  it('falls back to currency and to the items total when presentment_currency and total_price are absent', () => {
    const event = parseShopifyWebhook('checkouts/update', 'w-4', checkoutPayload({ presentment_currency: undefined, total_price: undefined }), now)!;
    expect(event.cart).toMatchObject({ currency: 'USD', value: 274 });
  });

  it('leaves a guest checkout without customer id, and without a cart id when Shopify sends none', () => {
    const event = parseShopifyWebhook('checkouts/create', 'w-5', checkoutPayload({ customer: null, cart_token: null, email: 'guest@example.com' }), now)!;
    expect(event.refs).toEqual({ checkoutId: '4f2a9c1b7e3d5a60b8c4e2f1a9d7b3c5', cartId: undefined });
    expect(event.customer).toEqual({ email: 'guest@example.com', locale: 'en-CA' });
  });

  it('keeps an absolute landing_site as the page URL, and reads its utm parameters', () => {
    const event = parseShopifyWebhook(
      'checkouts/update',
      'w-6',
      checkoutPayload({ landing_site: 'https://shop.example.com/?utm_source=google&utm_term=parka', referring_site: 'android-app://com.google.android.gm/' }),
      now,
    )!;
    expect(event.context?.page).toEqual({ url: 'https://shop.example.com/?utm_source=google&utm_term=parka' });
    expect(event.context?.utm).toEqual({ source: 'google', term: 'parka' });
  });

  it('classifies the device from a user agent when the payload carries one', () => {
    const event = parseShopifyWebhook('checkouts/update', 'w-7', checkoutPayload({ user_agent: 'Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X)' }), now)!;
    expect(event.context).toMatchObject({ device: 'tablet', userAgent: 'Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X)' });
  });

  it('has no context when the payload says nothing about the visit', () => {
    const event = parseShopifyWebhook('checkouts/update', 'w-8', checkoutPayload({ landing_site: null, referring_site: null }), now)!;
    expect(event.context).toBeUndefined();
  });
});

describe('stage inference', () => {
  const base = { email: null, phone: null, customer: null, shipping_address: null, shipping_lines: [] };
  it.each([
    ['nothing but the cart', {}, 'started'],
    ['an email', { email: 'a@example.com' }, 'contact'],
    ['a phone, even unformatted', { phone: '(613) 555-0123' }, 'contact'],
    ["the customer's email", { customer: { id: 1, email: 'a@example.com' } }, 'contact'],
    ['a shipping address', { email: 'a@example.com', shipping_address: address }, 'shipping'],
    ['an empty shipping address object', { email: 'a@example.com', shipping_address: { first_name: null, address1: null, city: '', zip: null } }, 'contact'],
    ['a chosen shipping line', { shipping_lines: [{ code: 'Standard', price: '0.00', title: 'Standard' }] }, 'shipping'],
  ])('%s → %s', (_label, fields, stage) => {
    expect(checkoutStage({ ...base, ...fields })).toBe(stage);
    expect(parseShopifyWebhook('checkouts/update', 'w', checkoutPayload({ ...base, ...fields }), now)!.stage).toBe(stage);
  });
});

describe('customer facts', () => {
  it('drops an unformatted phone silently instead of rejecting the webhook', () => {
    const event = parseShopifyWebhook('checkouts/update', 'w-p1', checkoutPayload({ phone: '(613) 555-0123', customer: { id: 42, phone: '613.555.0123' } }), now)!;
    expect(event.customer?.phone).toBeUndefined();
    expect(event.customer?.userId).toBe('42');
    expect(event.stage).toBe('contact');
  });

  it('keeps an E.164 number written with separators, and an impossible one is dropped', () => {
    expect(parseShopifyWebhook('checkouts/update', 'w-p2', checkoutPayload({ phone: '+44 20 7946 0958', customer: null }), now)!.customer?.phone).toBe('+442079460958');
    expect(parseShopifyWebhook('checkouts/update', 'w-p3', checkoutPayload({ phone: '+1 000 000 0000', customer: null }), now)!.customer?.phone).toBeUndefined();
  });

  it('takes the SMS marketing phone when it is the only usable number', () => {
    const event = parseShopifyWebhook('checkouts/update', 'w-p4', checkoutPayload({ phone: '555-555-SHIP', customer: null, sms_marketing_phone: '+16135550199' }), now)!;
    expect(event.customer?.phone).toBe('+16135550199');
  });

  it('normalises the email and drops an invalid one or an invalid locale', () => {
    const event = parseShopifyWebhook('checkouts/update', 'w-e1', checkoutPayload({ email: ' not-an-email ', customer: null, customer_locale: 'not a locale!' }), now)!;
    expect(event.customer).toBeUndefined();
    expect(event.stage).toBe('contact');
  });

  it('prefers the exact id from admin_graphql_api_id when the JSON number lost precision', () => {
    const event = parseShopifyWebhook('checkouts/update', 'w-id', checkoutPayload({ customer: { id: 603851970716743426, admin_graphql_api_id: 'gid://shopify/Customer/603851970716743426' } }), now)!;
    expect(event.customer?.userId).toBe('603851970716743426');
  });
});

describe('consent', () => {
  const consentOf = (overrides: Record<string, unknown>) => parseShopifyWebhook('checkouts/update', 'w-c', checkoutPayload(overrides), now)!.consent;

  it("maps buyer_accepts_marketing onto email consent when the customer's state says nothing", () => {
    expect(consentOf({ buyer_accepts_marketing: true, buyer_accepts_sms_marketing: undefined, customer: { id: 7 } })).toEqual([{ channel: 'email', granted: true }]);
    expect(consentOf({ buyer_accepts_marketing: false, buyer_accepts_sms_marketing: undefined, customer: null })).toEqual([{ channel: 'email', granted: false }]);
  });

  it("lets the customer's email_marketing_consent state override the checkbox", () => {
    const customer = (state: string) => ({ id: 7, email_marketing_consent: { state, opt_in_level: 'single_opt_in' } });
    expect(consentOf({ buyer_accepts_marketing: false, buyer_accepts_sms_marketing: undefined, customer: customer('subscribed') })).toEqual([{ channel: 'email', granted: true }]);
    expect(consentOf({ buyer_accepts_marketing: true, buyer_accepts_sms_marketing: undefined, customer: customer('unsubscribed') })).toEqual([{ channel: 'email', granted: false }]);
    expect(consentOf({ buyer_accepts_marketing: true, buyer_accepts_sms_marketing: undefined, customer: customer('not_subscribed') })).toEqual([{ channel: 'email', granted: false }]);
    // Double opt-in not yet confirmed: no statement either way.
    expect(consentOf({ buyer_accepts_marketing: true, buyer_accepts_sms_marketing: undefined, customer: customer('pending') })).toBeUndefined();
  });

  it('maps sms_marketing_consent (and the SMS checkbox) onto sms consent', () => {
    expect(consentOf({})).toEqual([
      { channel: 'email', granted: true },
      { channel: 'sms', granted: false },
    ]);
    const smsSubscribed = { id: 7, sms_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in' } };
    expect(consentOf({ buyer_accepts_marketing: undefined, buyer_accepts_sms_marketing: false, customer: smsSubscribed })).toEqual([{ channel: 'sms', granted: true }]);
    expect(consentOf({ buyer_accepts_marketing: undefined, buyer_accepts_sms_marketing: true, customer: null })).toEqual([{ channel: 'sms', granted: true }]);
  });

  it('has no consent when the payload states none', () => {
    expect(consentOf({ buyer_accepts_marketing: undefined, buyer_accepts_sms_marketing: undefined, customer: { id: 7, email_marketing_consent: null } })).toBeUndefined();
  });
});

describe('parseShopifyWebhook: orders/create', () => {
  it('maps onto order_completed with order, refs, completed stage, shopper, cart in the shop currency and context', () => {
    const payload = orderPayload();
    const event = parseShopifyWebhook('orders/create', '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', payload, now)!;
    expect(event).toMatchObject({
      key: 'shopify:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      type: 'order_completed',
      origin: 'shopify',
      stage: 'completed',
      refs: { checkoutId: '4f2a9c1b7e3d5a60b8c4e2f1a9d7b3c5', cartId: 'Z2NwLXVzLWNlbnRyYWwxOjAxSE5CVjQ2', orderId: '5678901234567' },
      order: { orderId: '5678901234567', revenue: 219.4, currency: 'USD' },
      customer: { userId: '6840133746837', email: 'jon.snow@example.com', locale: 'en-CA' },
      consent: [{ channel: 'email', granted: true }],
      context: { ip: '203.0.113.24', device: 'mobile', page: { path: '/' }, utm: { source: 'instagram' } },
    });
    expect(event.customer?.phone).toBeUndefined();
    expect(event.occurredAt.toISOString()).toBe('2026-03-02T14:20:10.000Z');
    expect(event.cart).toEqual({
      currency: 'USD',
      value: 219.4,
      items: [
        { sku: 'PARKA-NAVY-M', name: 'Winter Parka', quantity: 1, unit_price: 184.31, variant_title: 'Navy / M', variant_id: '40094740545625', product_id: '7110622675033' },
        { sku: '40094740545626', name: 'Wool Socks', quantity: 2, unit_price: 9.3, variant_id: '40094740545626', product_id: '7110622675034' },
      ],
    });
    expect(event.payload).toBe(payload);
  });

  it('uses created_at when processed_at is absent', () => {
    const event = parseShopifyWebhook('orders/create', 'o-2', orderPayload({ processed_at: null }), now)!;
    expect(event.occurredAt.toISOString()).toBe('2026-03-02T14:20:11.000Z');
  });

  it('accepts an order without checkout (POS, draft order): only the order id links it', () => {
    const event = parseShopifyWebhook('orders/create', 'o-3', orderPayload({ checkout_token: null, cart_token: null, customer: null, email: '', contact_email: null }), now)!;
    expect(event.refs).toEqual({ checkoutId: undefined, cartId: undefined, orderId: '5678901234567' });
    expect(event.customer).toEqual({ locale: 'en-CA' });
  });

  it('reads the id as a string when Shopify sends one', () => {
    const event = parseShopifyWebhook('orders/create', 'o-4', orderPayload({ id: '5678901234568', admin_graphql_api_id: undefined }), now)!;
    expect(event.order?.orderId).toBe('5678901234568');
  });
});

describe('topics', () => {
  it('returns null for topics it does not read, whatever the body', () => {
    for (const topic of ['orders/paid', 'checkouts/delete', 'app/uninstalled', 'customers/create', 'constructor', '__proto__']) {
      expect(isShopifyTopic(topic)).toBe(false);
      expect(parseShopifyWebhook(topic, 'w', 'not even an object', now)).toBeNull();
    }
  });

  it('reads the topic case-insensitively', () => {
    expect(parseShopifyWebhook('Checkouts/Update', 'w', checkoutPayload(), now)?.type).toBe('checkout_updated');
  });
});

describe('validation', () => {
  it('rejects a body that is not an object', () => {
    for (const body of [null, [], 'text', 12]) {
      const error = rejection(() => parseShopifyWebhook('orders/create', 'w', body, now));
      expect(error.status).toBe(400);
      expect(error.problems).toEqual([{ index: null, path: '', message: expect.stringContaining('must be a JSON object') }]);
    }
  });

  it('names each missing or unusable required field of a checkout', () => {
    const error = rejection(() => parseShopifyWebhook('checkouts/update', 'w', checkoutPayload({ token: '', updated_at: 'yesterday' }), now));
    expect(error.status).toBe(400);
    expect(error.problems).toEqual([
      { index: null, path: 'token', message: 'is required: the checkout token, a non-empty string' },
      { index: null, path: 'updated_at', message: expect.stringContaining('ISO 8601') },
    ]);
  });

  it('requires a timestamp, naming the one the topic reads first', () => {
    const update = rejection(() => parseShopifyWebhook('checkouts/update', 'w', checkoutPayload({ updated_at: undefined, created_at: undefined }), now));
    expect(update.problems).toEqual([{ index: null, path: 'updated_at', message: expect.stringContaining('is required') }]);
    const create = rejection(() => parseShopifyWebhook('checkouts/create', 'w', checkoutPayload({ updated_at: undefined, created_at: null }), now));
    expect(create.problems).toEqual([{ index: null, path: 'created_at', message: expect.stringContaining('is required') }]);
  });

  it('rejects a timestamp far in the future', () => {
    const error = rejection(() => parseShopifyWebhook('checkouts/update', 'w', checkoutPayload({ updated_at: '2027-01-01T00:00:00Z' }), now));
    expect(error.problems).toEqual([{ index: null, path: 'updated_at', message: 'is more than 24 hours in the future' }]);
  });

  it('names the id, total_price and processed_at problems of an order', () => {
    const error = rejection(() => parseShopifyWebhook('orders/create', 'w', orderPayload({ id: null, admin_graphql_api_id: null, total_price: undefined, processed_at: '2026-03-02 09:20' }), now));
    expect(error.problems.map((p) => p.path)).toEqual(['id', 'processed_at', 'total_price']);
    expect(error.problems.every((p) => p.index === null)).toBe(true);
  });

  it('requires money strings to be non-negative amounts', () => {
    const error = rejection(() =>
      parseShopifyWebhook(
        'checkouts/update',
        'w',
        checkoutPayload({ total_price: '-5.00', line_items: [{ sku: 'A', quantity: 1, price: 'free' }, { sku: 'B', quantity: 0, price: '1.00' }, 'junk'] }),
        now,
      ),
    );
    expect(error.problems).toEqual([
      { index: null, path: 'total_price', message: 'must be a non-negative amount, such as "19.99"' },
      { index: null, path: 'line_items[0].price', message: 'must be a non-negative amount, such as "19.99"' },
      { index: null, path: 'line_items[1].quantity', message: 'must be a whole number of at least 1' },
      { index: null, path: 'line_items[2]', message: 'must be a line item object' },
    ]);
  });

  it('rejects a currency that is not an ISO 4217 code', () => {
    const error = rejection(() => parseShopifyWebhook('orders/create', 'w', orderPayload({ currency: 'dollars' }), now));
    expect(error.problems).toEqual([{ index: null, path: 'currency', message: expect.stringContaining('ISO 4217') }]);
  });

  it('applies the shared size and NUL checks', () => {
    const nul = rejection(() => parseShopifyWebhook('checkouts/update', 'w', checkoutPayload({ note: 'a\u0000b' }), now));
    expect(nul.status).toBe(400);
    expect(nul.problems).toEqual([{ index: 0, path: 'note', message: expect.stringContaining('NUL') }]);
    expect(parseShopifyWebhook('checkouts/update', 'w', checkoutPayload({ note: 'x'.repeat(40 * 1024) }), now)?.type).toBe('checkout_updated');
    const huge = rejection(() => parseShopifyWebhook('checkouts/update', 'w', checkoutPayload({ note: 'x'.repeat(513 * 1024) }), now));
    expect(huge.status).toBe(413);
  });
});

import { z } from 'zod';
import { apiEventSchema } from '../../ingestion/api/event-schema';
import { MAX_EVENTS_PER_REQUEST } from '../../ingestion/limits';
import { type ApiRoute, route } from '../api-route';
import { ingestResultSchema, shopifyResultSchema } from '../common-schemas';

/** One event of our own format, exactly as `POST /v1/events` parses it. */
export const apiEvent = apiEventSchema(Date.now);

/** `parseApiEvents`' envelope: one event, or `{ events: [...] }` with 1–500 of them (all-or-nothing). */
export const eventsRequestSchema = z.union([apiEvent, z.strictObject({ events: z.array(apiEvent).min(1).max(MAX_EVENTS_PER_REQUEST) })]);

const CHECKOUT_STARTED = {
  event_id: '3f1c9a52-7d4e-4b8a-9c61-0e2f5a7b8d90',
  type: 'checkout_started',
  occurred_at: '2026-11-26T14:03:00Z',
  checkout_id: 'chk_8841',
  customer: { id: 'cus_1042', email: 'ada@example.com', timezone: 'Europe/London', locale: 'en-GB' },
  cart: { items: [{ sku: 'PARKA-NAVY-M', name: 'Winter Parka', quantity: 1, unit_price: 249 }], currency: 'GBP' },
  context: { user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 Safari/605.1.15', page: 'https://shop.example.com/checkout' },
};

const ORDER_COMPLETED = {
  event_id: '9b7e4d21-3c5a-4f8e-a1b2-6d0c9e8f7a35',
  type: 'order_completed',
  occurred_at: '2026-11-26T14:21:40Z',
  checkout_id: 'chk_8841',
  order_id: 'ord_5521',
  revenue: 249,
  customer: { id: 'cus_1042' },
};

/** An abandoned Shopify checkout as its `checkouts/update` webhook sends it (trimmed to what we read). */
export const SHOPIFY_CHECKOUT_EXAMPLE = {
  id: 35821957021785,
  token: 'f8a2c9d1e4b7a6c3f5d8e9b0a1c2d3e4',
  cart_token: 'Z2NwLWV1cm9wZS13ZXN0NDowMUhQ',
  email: 'jon@example.com',
  created_at: '2026-11-26T09:12:44-05:00',
  updated_at: '2026-11-26T09:15:02-05:00',
  currency: 'USD',
  presentment_currency: 'USD',
  total_price: '274.00',
  subtotal_price: '274.00',
  abandoned_checkout_url: 'https://shop.example.com/41279979609/checkouts/ac/f8a2c9d1e4b7a6c3f5d8e9b0a1c2d3e4/recover?key=3c5a',
  line_items: [{ sku: 'PARKA-NAVY-M', title: 'Winter Parka', quantity: 1, price: '249.00', variant_id: 40094740545625, product_id: 7110622675033 }],
  customer: { id: 7390221598809, email: 'jon@example.com', first_name: 'Jon', last_name: 'Snow' },
};

export const ingestionRoutes: ApiRoute[] = [
  route('POST /v1/events', {
    tag: 'Ingestion',
    summary: 'Record checkout events (our own format)',
    description:
      'One event, or `{ "events": [...] }` with up to 500. All-or-nothing: any invalid event rejects the request with every problem named, and nothing is stored. The same `event_id` twice is stored once (counted in `duplicates`).',
    security: 'writeKey',
    body: eventsRequestSchema,
    responses: { 200: { description: 'Every event is committed.', schema: ingestResultSchema } },
    errors: [400, 413],
    examples: [
      { summary: 'A checkout started', value: CHECKOUT_STARTED },
      { summary: 'A batch: started, then ordered', value: { events: [{ ...CHECKOUT_STARTED, event_id: '5a0d7c3e-1b2f-4e6a-8d9c-7f1e2a3b4c5d' }, ORDER_COMPLETED] } },
    ],
  }),
  route('POST /v1/webhooks/shopify', {
    tag: 'Webhooks',
    summary: 'Receive a Shopify webhook',
    description:
      'Topics `checkouts/create`, `checkouts/update` and `orders/create`; other topics are acknowledged and ignored. The write key rides in the address (`?writeKey=`), and the body must be signed with the source\'s Shopify secret (`X-Shopify-Hmac-Sha256`). The body is Shopify\'s own webhook payload.',
    security: 'shopifyWebhook',
    body: z.looseObject({}).meta({ description: "Shopify's checkout or order webhook payload." }),
    headers: {
      'X-Shopify-Topic': { description: 'The webhook topic, such as `checkouts/update`.', required: true },
      'X-Shopify-Webhook-Id': { description: 'The delivery id (deduplicates retries), at most 200 characters.', required: true },
    },
    responses: { 200: { description: 'Stored (or acknowledged and ignored).', schema: shopifyResultSchema } },
    errors: [400, 413],
    examples: [{ summary: 'An abandoned checkout (checkouts/update)', value: SHOPIFY_CHECKOUT_EXAMPLE }],
  }),
];

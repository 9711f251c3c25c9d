import { segmentBatchRequestSchema, segmentBatchResponseSchema, segmentMessageSchema } from '../../ingestion/segment/segment-schemas';
import { type ApiRoute, route } from '../api-route';

const SEGMENT = 'Segment-compatible (HTTP Tracking API; also Segment\'s and RudderStack\'s webhook destinations). gzip and deflate bodies are accepted.';

const checkoutStarted = {
  type: 'track',
  event: 'Checkout Started',
  messageId: 'ajs-next-1f0c2e9a7b4d',
  userId: 'cus_1042',
  timestamp: '2026-11-26T14:03:00Z',
  properties: { checkout_id: 'chk_8841', value: 249, currency: 'GBP', products: [{ product_id: 'parka', sku: 'PARKA-NAVY-M', name: 'Winter Parka', price: 249, quantity: 1 }] },
};

/** The single-message routes share the batch's message schema; the route fixes `type`. */
function single(type: 'track' | 'identify' | 'page' | 'alias', summary: string, example: Record<string, unknown>): ApiRoute {
  return route(`POST /v1/${type}`, {
    tag: 'Ingestion',
    summary,
    description: `${SEGMENT} One message; its \`type\` may be left out.`,
    security: 'writeKey',
    body: segmentMessageSchema,
    responses: { 200: { description: 'Read: stored, a duplicate, ignored, or rejected with its problems.', schema: segmentBatchResponseSchema } },
    errors: [400, 413],
    examples: [{ summary, value: example }],
  });
}

export const segmentRoutes: ApiRoute[] = [
  route('POST /v1/batch', {
    tag: 'Ingestion',
    summary: 'Record a Segment batch',
    description: `${SEGMENT} Each valid message is stored; each invalid one is reported in \`rejected\` and dropped on its own. A body that is not a batch at all is a 400.`,
    security: 'writeKey',
    body: segmentBatchRequestSchema,
    responses: { 200: { description: 'Read: the valid messages are stored.', schema: segmentBatchResponseSchema } },
    errors: [400, 413],
    examples: [
      {
        summary: 'An identify and a Checkout Started',
        value: { batch: [{ type: 'identify', messageId: 'ajs-next-0a9d8c7b6e5f', userId: 'cus_1042', traits: { email: 'ada@example.com' } }, checkoutStarted], sentAt: '2026-11-26T14:03:01Z' },
      },
    ],
  }),
  single('track', 'Record a Segment track message', checkoutStarted),
  single('identify', 'Record a Segment identify message', { messageId: 'ajs-next-2b3c4d5e6f70', userId: 'cus_1042', traits: { email: 'ada@example.com', phone: '+14155552671' } }),
  single('page', 'Record a Segment page message', { messageId: 'ajs-next-3c4d5e6f7081', anonymousId: 'anon-5f2e', name: 'Checkout', properties: { url: 'https://shop.example.com/checkout' } }),
  single('alias', 'Record a Segment alias message', { messageId: 'ajs-next-4d5e6f708192', userId: 'cus_1042', previousId: 'anon-5f2e' }),
];

import { z } from 'zod';
import { MAX_EVENTS_PER_REQUEST } from '../limits';

/**
 * The shapes of Segment's HTTP Tracking API as `/v1/batch` and `/v1/track|identify|page|alias` read them.
 * The reader checks every message's outer shape with `segmentMessageSchema` (a message failing it is rejected
 * on its own) and the body with `segmentBatchEnvelopeSchema`; the Ecommerce details (ids, amounts, products)
 * are read afterwards by segment-mapper. The OpenAPI document is generated from these exports.
 */

/** Segment libraries send `null`, and sometimes `""`, for a field they have no value for. */
const absent = z.union([z.null(), z.literal('')]);
const optionalObject = (what: string) =>
  z.union([z.record(z.string(), z.unknown()), absent], { error: `must be an object (${what})` }).optional();
const optionalTimestamp = (what: string) =>
  z.union([z.string(), z.null()], { error: `must be an ISO 8601 timestamp string (${what})` }).optional();
/** Ids may be strings or numbers (some libraries send numeric user ids). */
const optionalId = z.union([z.string(), z.number(), z.null()], { error: 'must be a string' }).optional();

export const SEGMENT_MESSAGE_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;

export const segmentMessageSchema = z
  .looseObject(
    {
      type: z
        .union([z.enum(SEGMENT_MESSAGE_TYPES), absent], { error: `must be one of ${SEGMENT_MESSAGE_TYPES.join(', ')}` })
        .optional()
        .describe('Required on /v1/batch; may be left out on /v1/<type>. screen and group messages are acknowledged and ignored.'),
      messageId: z
        .string({ error: (issue) => (issue.input === undefined ? 'is required (a unique id per message, used to drop duplicates)' : 'must be a string') })
        .describe('Unique per message: a message whose messageId was already stored is counted as a duplicate and not stored again.'),
      userId: optionalId.describe('The merchant\'s customer id. A message needs userId or anonymousId (Ecommerce events may instead be known by their checkout, cart or order id).'),
      anonymousId: optionalId,
      previousId: optionalId.describe('alias: the id being merged into userId.'),
      event: z.union([z.string(), absent], { error: 'must be a string' }).optional().describe('track: the event name, such as "Checkout Started" (Segment Ecommerce Spec v2).'),
      properties: optionalObject('the event\'s properties'),
      traits: optionalObject('identify: the user\'s traits'),
      context: optionalObject('context: ip, userAgent, page, campaign, locale, timezone, traits'),
      integrations: optionalObject('ignored'),
      timestamp: optionalTimestamp('when it happened, by the sender'),
      originalTimestamp: optionalTimestamp('when it happened, by the device clock; corrected with sentAt'),
      sentAt: optionalTimestamp('when the device sent it'),
      receivedAt: optionalTimestamp('ignored; the server sets it'),
    },
    { error: 'must be a JSON object: one Segment message' },
  )
  .describe('One Segment message (track, identify, page, alias; screen and group are ignored).');

/** The request envelope, messages unread: each message is checked on its own so one bad message rejects only itself. */
export const segmentBatchEnvelopeSchema = z.looseObject(
  {
    batch: z
      .array(z.unknown(), { error: 'must be an array of messages' })
      .min(1, 'must hold at least one message')
      .max(MAX_EVENTS_PER_REQUEST, `at most ${MAX_EVENTS_PER_REQUEST} messages per request`),
    context: optionalObject('merged under every message\'s own context'),
    sentAt: optionalTimestamp('when the library sent the batch; used for clock-skew correction'),
    writeKey: z.string({ error: 'must be a string' }).optional().describe('The write key, when not sent as HTTP Basic user or Bearer token.'),
  },
  { error: 'must be a JSON object' },
);

const exampleBatch = {
  batch: [
    { type: 'identify', messageId: 'm-1', userId: 'u-42', traits: { email: 'shopper@example.com' } },
    {
      type: 'track',
      event: 'Checkout Started',
      messageId: 'm-2',
      userId: 'u-42',
      timestamp: '2026-03-02T09:14:05Z',
      properties: { checkout_id: 'co-981', value: 30, products: [{ product_id: 'p1', name: 'Mug', price: 15, quantity: 2 }] },
    },
  ],
  sentAt: '2026-03-02T09:14:06Z',
};

export const segmentBatchRequestSchema = segmentBatchEnvelopeSchema
  .extend({ batch: z.array(segmentMessageSchema).min(1).max(MAX_EVENTS_PER_REQUEST) })
  .describe('POST /v1/batch body: Segment\'s batch envelope. A bare array of messages, or one message, are accepted too.')
  .meta({ examples: [exampleBatch] });

export const segmentRejectedMessageSchema = z.object({
  index: z.number().int().min(0).describe('Position of the message in the batch.'),
  path: z.string().describe('The field at fault, such as "properties.checkout_id"; "" for the message itself.'),
  message: z.string().describe('What is wrong with it.'),
});

export const segmentBatchResponseSchema = z
  .object({
    success: z.literal(true),
    accepted: z.number().int().min(0).describe('Messages stored.'),
    duplicates: z.number().int().min(0).describe('Messages whose messageId was already stored (not stored again).'),
    ignored: z.number().int().min(0).describe('Well-formed messages of no use here (screen, group, track events outside the Ecommerce spec); not stored.'),
    rejected: z.array(segmentRejectedMessageSchema).describe('Each invalid message, once per problem; nothing of a rejected message is stored.'),
  })
  .describe('The answer to a readable batch: valid messages are stored, invalid ones are reported here individually.')
  .meta({
    examples: [{ success: true, accepted: 10, duplicates: 0, ignored: 0, rejected: [{ index: 3, path: 'properties.checkout_id', message: 'is required for "Checkout Started" (or properties.order_id or properties.cart_id), to know which checkout it belongs to' }] }],
  });

export type SegmentMessage = z.infer<typeof segmentMessageSchema>;
export type SegmentBatchResponse = z.infer<typeof segmentBatchResponseSchema>;

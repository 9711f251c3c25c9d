import { z } from 'zod';
import type { CheckoutStage } from '../../../models/checkouts';
import { email, normaliseEmail, phone, timestamp } from '../field-rules';
import { itemProblem, MAX_EVENTS_PER_REQUEST } from '../limits';
import { CustomerFacts, EventType, NormalizedEvent } from '../normalized-event';
import { IngestProblem, IngestRejected } from '../problems';
import { Ecommerce, ReadContext, readContext, readEcommerce, readPage } from './segment-properties';
import { compact, isAbsent, isObject, mergeUnder, Reader } from './segment-reader';
import { SEGMENT_MESSAGE_TYPES, segmentBatchEnvelopeSchema, segmentMessageSchema } from './segment-schemas';

/** The message types with a route of their own (`POST /v1/<type>`). */
export type SegmentRouteType = 'track' | 'identify' | 'page' | 'alias';

export interface SegmentParseOptions {
  /** When the server received the request; the reference for clock-skew correction. */
  receivedAt: Date;
  now: () => number;
  /** Set on the single-type routes: the body is one message of this type, whose `type` may be omitted. */
  expectType?: SegmentRouteType;
  /** The source's currency, for Ecommerce events that do not say theirs (the spec does not require it). */
  defaultCurrency: string;
}

export interface SegmentParseResult {
  events: NormalizedEvent[];
  /** Well-formed messages we have no use for (screen, group, track events outside the Ecommerce spec). */
  ignored: number;
  /** The problems of the messages left out, each with its index in the batch; none of those messages is stored. */
  rejected: MessageProblem[];
}

/** A problem of one message of a batch. */
export type MessageProblem = IngestProblem & { index: number };

const MESSAGE_TYPES = SEGMENT_MESSAGE_TYPES;
type MessageType = (typeof MESSAGE_TYPES)[number];

/** Segment Ecommerce Spec v2 track events we read, by name (matched case-insensitively, spaces collapsed). */
const ECOMMERCE_EVENTS = new Map<string, Ecommerce>([
  ['checkout started', 'checkout_started'],
  ['checkout step viewed', 'checkout_step_viewed'],
  ['checkout step completed', 'checkout_step_completed'],
  ['payment info entered', 'payment_entered'],
  ['order completed', 'order_completed'],
  ['cart viewed', 'cart_viewed'],
  ['product added', 'product_added'],
  ['product removed', 'product_removed'],
]);

const STAGE_OF: Partial<Record<EventType, CheckoutStage>> = {
  cart_viewed: 'cart',
  product_added: 'cart',
  product_removed: 'cart',
  checkout_started: 'started',
  checkout_step_viewed: 'started',
  shipping_entered: 'shipping',
  payment_entered: 'payment',
  order_completed: 'completed',
};

const messageId = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required (a unique id per message, used to drop duplicates)' : 'must be a string') })
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');

/**
 * `originalTimestamp` and `sentAt` come from the device's clock, which may be off by any amount: only their form
 * is checked here; the 24 h future limit applies to the instant they are corrected to.
 */
const deviceTimestamp = timestamp(() => Number.POSITIVE_INFINITY);
const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;


/**
 * Reads a Segment HTTP Tracking API body: `{ batch: [...], context?, sentAt?, writeKey? }`, a bare array of
 * messages, or one message (webhook destinations post those, and the single-type routes take one).
 * A batch is read message by message, as Segment's own API does: each valid message is kept, each invalid one is
 * reported in `rejected` and kept out entirely. A body that is not a batch at all (or a problem of the envelope,
 * which every message shares) throws IngestRejected; so does an invalid message that is the whole body.
 */
export function parseSegmentMessages(body: unknown, options: SegmentParseOptions): SegmentParseResult {
  const { messages, envelope, single } = messagesOf(body, options.expectType);

  const envelopeProblems: IngestProblem[] = [];
  const batchReader = new Reader(null, envelopeProblems);
  batchReader.run(segmentBatchEnvelopeSchema.pick({ context: true, sentAt: true }), envelope, '');
  const batchContext = isObject(envelope.context) ? envelope.context : {};
  const batchSentAt = isAbsent(envelope.sentAt) || envelopeProblems.length > 0 ? undefined : batchReader.run(deviceTimestamp, envelope.sentAt, 'sentAt');
  if (envelopeProblems.length > 0) throw new IngestRejected(400, envelopeProblems);

  const events: NormalizedEvent[] = [];
  const rejected: IngestProblem[] = [];
  let ignored = 0;
  let oversized = false;
  messages.forEach((message, index) => {
    const unfit = itemProblem(message, index);
    if (unfit) {
      rejected.push(unfit.problem);
      oversized ||= unfit.status === 413;
      return;
    }
    const reader = new Reader(index, rejected);
    // The outer shape first (the documented schema), then the details; a path already at fault is reported once.
    reader.run(segmentMessageSchema, message, '');
    if (!isObject(message)) return;
    const read = readMessage(message, reader, { ...options, batchContext, batchSentAt });
    if (reader.count() > 0) return;
    if (read === 'ignored') ignored++;
    else if (read) events.push(read);
  });
  if (single && rejected.length > 0) throw new IngestRejected(oversized ? 413 : 400, rejected);
  return { events, ignored, rejected: rejected as MessageProblem[] };
}

function messagesOf(body: unknown, expectType: SegmentRouteType | undefined): { messages: unknown[]; envelope: Record<string, unknown>; single: boolean } {
  const reject = (path: string, message: string): never => {
    throw new IngestRejected(400, [{ index: null, path, message }]);
  };
  if (expectType) {
    if (!isObject(body) || 'batch' in body) return reject('', `body must be one ${expectType} message object; send batches to /v1/batch`);
    return { messages: [body], envelope: {}, single: true };
  }
  if (isObject(body) && !('batch' in body) && 'type' in body) return { messages: [body], envelope: {}, single: true };
  if (!Array.isArray(body) && !(isObject(body) && 'batch' in body)) {
    return reject('', 'body must be a Segment batch { "batch": [...] }, an array of messages, or one message with a "type"');
  }
  const envelope = Array.isArray(body) ? { batch: body } : (body as Record<string, unknown>);
  const messages = envelope.batch;
  const path = Array.isArray(body) ? '' : 'batch';
  if (!Array.isArray(messages)) return reject('batch', 'must be an array of messages');
  if (messages.length === 0) reject(path, 'must hold at least one message');
  if (messages.length > MAX_EVENTS_PER_REQUEST) {
    throw new IngestRejected(413, [{ index: null, path, message: `holds ${messages.length} messages; at most ${MAX_EVENTS_PER_REQUEST} per request` }]);
  }
  return { messages, envelope, single: false };
}

interface MessageOptions extends SegmentParseOptions {
  batchContext: Record<string, unknown>;
  batchSentAt: Date | undefined;
}

function readMessage(message: Record<string, unknown>, r: Reader, options: MessageOptions): NormalizedEvent | 'ignored' | undefined {
  const problemsBefore = r.count();
  const type = messageType(message.type, r, options.expectType);
  const key = r.run(messageId, message.messageId, 'messageId');
  const userId = r.id(message.userId, 'userId');
  const anonymousId = r.id(message.anonymousId, 'anonymousId');
  const occurredAt = occurredAtOf(message, r, options);

  let ecommerce: Ecommerce | undefined;
  let eventName = '';
  if (type === 'track') {
    if (typeof message.event !== 'string' || message.event.trim() === '') r.add('event', 'is required for track (the event name, such as "Checkout Started")');
    else eventName = message.event.trim();
    ecommerce = ECOMMERCE_EVENTS.get(eventName.toLowerCase().replace(/\s+/g, ' '));
  }
  // Segment's rule, except that an Ecommerce event may be known only by its checkout, cart or order id.
  const previousId = type === 'alias' ? r.id(message.previousId, 'previousId') : undefined;
  if (type === 'alias') {
    if (isAbsent(message.userId)) r.add('userId', 'is required for alias');
    if (isAbsent(message.previousId)) r.add('previousId', 'is required for alias');
  } else if (type !== undefined && !ecommerce && isAbsent(message.userId) && isAbsent(message.anonymousId)) {
    r.add('userId', 'is required when there is no anonymousId: every message must carry userId or anonymousId');
  }
  if (type === undefined || key === undefined || occurredAt === undefined || r.count() > problemsBefore) {
    // Still read the rest, to report every problem at once.
    if (type !== undefined && type !== 'screen' && type !== 'group' && (type !== 'track' || ecommerce)) mapMessage(type, ecommerce, eventName, message, r, options, {});
    return undefined;
  }
  if (type === 'screen' || type === 'group' || (type === 'track' && !ecommerce)) return 'ignored';
  return mapMessage(type, ecommerce, eventName, message, r, options, { key, userId, anonymousId, previousId, occurredAt });
}

function messageType(raw: unknown, r: Reader, expectType: SegmentRouteType | undefined): MessageType | undefined {
  if (expectType) {
    if (!isAbsent(raw) && raw !== expectType) {
      r.add('type', `must be "${expectType}" on /v1/${expectType} (or be left out)`);
      return undefined;
    }
    return expectType;
  }
  if (isAbsent(raw)) {
    r.add('type', `is required: one of ${MESSAGE_TYPES.join(', ')}`);
    return undefined;
  }
  if (!MESSAGE_TYPES.includes(raw as MessageType)) {
    r.add('type', `must be one of ${MESSAGE_TYPES.join(', ')}`);
    return undefined;
  }
  return raw as MessageType;
}

/**
 * `timestamp` when the sender set one; else `originalTimestamp` corrected for the device's clock skew the way Segment
 * does it, `receivedAt - (sentAt - originalTimestamp)` (uncorrected when there is no `sentAt`); else the receive time.
 */
function occurredAtOf(message: Record<string, unknown>, r: Reader, options: MessageOptions): Date | undefined {
  if (!isAbsent(message.timestamp)) return r.run(timestamp(options.now), message.timestamp, 'timestamp');
  const sentAt = isAbsent(message.sentAt) ? options.batchSentAt : r.run(deviceTimestamp, message.sentAt, 'sentAt');
  if (isAbsent(message.originalTimestamp)) return options.receivedAt;
  const original = r.run(deviceTimestamp, message.originalTimestamp, 'originalTimestamp');
  if (original === undefined || (sentAt === undefined && !isAbsent(message.sentAt))) return undefined;
  const occurredAt = sentAt === undefined ? original : new Date(options.receivedAt.getTime() - (sentAt.getTime() - original.getTime()));
  if (occurredAt.getTime() - options.now() > MAX_FUTURE_MS) {
    r.add('originalTimestamp', sentAt === undefined ? 'is more than 24 hours in the future' : 'is more than 24 hours in the future, even corrected for clock skew with sentAt');
    return undefined;
  }
  return occurredAt;
}

interface Envelope {
  key?: string;
  userId?: string;
  anonymousId?: string;
  previousId?: string;
  occurredAt?: Date;
}

/** Maps a message whose envelope is sound; with an incomplete envelope it only collects the remaining problems. */
function mapMessage(
  type: Exclude<MessageType, 'screen' | 'group'>,
  ecommerce: Ecommerce | undefined,
  eventName: string,
  message: Record<string, unknown>,
  r: Reader,
  options: MessageOptions,
  envelope: Envelope,
): NormalizedEvent | undefined {
  const problemsBefore = r.count();
  const own = message.context;
  if (!isAbsent(own) && !isObject(own)) r.add('context', 'must be an object');
  const merged = mergeUnder(options.batchContext, isObject(own) ? own : {});
  const context = readContext(merged, r);
  const properties = r.object(message.properties, 'properties');

  let customer: CustomerFacts;
  let eventType: EventType;
  let refs: NormalizedEvent['refs'] = {};
  let cart: NormalizedEvent['cart'];
  let order: NormalizedEvent['order'];
  if (type === 'identify' || type === 'alias') {
    const traits = type === 'identify' ? r.object(message.traits, 'traits') : {};
    customer = customerFacts(envelope, context, r, [
      { traits, path: 'traits' },
      { traits: context.traits, path: 'context.traits' },
    ]);
    if (type === 'alias') customer.anonymousId = envelope.previousId;
    eventType = 'identify';
  } else {
    customer = customerFacts(envelope, context, r, [{ traits: context.traits, path: 'context.traits' }]);
    if (type === 'page') {
      eventType = 'page_viewed';
      // A page call's own properties describe the page better than the context does.
      const page = { ...context.event.page, ...compact(readPage(properties, 'properties', r)) };
      context.event.page = Object.keys(page).length > 0 ? page : undefined;
    } else {
      const read = readEcommerce(ecommerce!, eventName, properties, r, options.defaultCurrency);
      eventType = read.type;
      refs = read.refs;
      cart = read.cart;
      order = read.order;
    }
  }
  if (r.count() > problemsBefore || envelope.key === undefined || envelope.occurredAt === undefined) return undefined;

  const { writeKey: _credential, ...payload } = message;
  const event: NormalizedEvent = {
    key: envelope.key,
    type: eventType,
    occurredAt: envelope.occurredAt,
    origin: 'segment',
    refs,
    stage: STAGE_OF[eventType],
    // The write key is a credential: it is not kept with the stored message.
    payload,
  };
  if (Object.values(customer).some((v) => v !== undefined)) event.customer = customer;
  if (cart) event.cart = cart;
  if (order) event.order = order;
  const eventContext = compact(context.event);
  if (Object.keys(eventContext).length > 0) event.context = eventContext;
  return event;
}

/** Customer facts from the envelope, the context, and traits (the first source holding a field wins). */
function customerFacts(envelope: Envelope, context: ReadContext, r: Reader, sources: Array<{ traits: Record<string, unknown>; path: string }>): CustomerFacts {
  const trait = (field: string) => sources.find((s) => !isAbsent(s.traits[field])) ?? sources[0];
  const emailFrom = trait('email');
  const phoneFrom = trait('phone');
  const rawEmail = emailFrom.traits.email;
  return {
    userId: envelope.userId,
    anonymousId: envelope.anonymousId,
    email: r.text(typeof rawEmail === 'string' ? normaliseEmail(rawEmail) : rawEmail, `${emailFrom.path}.email`, email),
    phone: r.text(phoneFrom.traits.phone, `${phoneFrom.path}.phone`, phone),
    timezone: context.timezone,
    locale: context.locale,
  };
}

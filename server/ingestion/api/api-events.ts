import type { CartItem, CheckoutStage } from '../../../models/checkouts';
import type { ConsentChannel } from '../../../models/customers';
import { cartSnapshot } from '../cart';
import { classifyDevice } from '../device';
import { normaliseEmail } from '../field-rules';
import { itemProblem, MAX_EVENTS_PER_REQUEST } from '../limits';
import { EventContext, EventType, NormalizedEvent } from '../normalized-event';
import { IngestProblem, IngestRejected, joinPath } from '../problems';
import { ApiEvent, apiEventSchema, ApiPushSubscription } from './event-schema';

const STAGE_OF: Partial<Record<EventType, CheckoutStage>> = {
  cart_viewed: 'cart',
  product_added: 'cart',
  product_removed: 'cart',
  checkout_started: 'started',
  checkout_updated: 'started',
  checkout_step_viewed: 'started',
  contact_entered: 'contact',
  shipping_entered: 'shipping',
  payment_entered: 'payment',
  payment_failed: 'payment',
  order_completed: 'completed',
};

// Built once: building the schema cost more than parsing a batch with it. Parsing is synchronous, so the clock
// of the parse in progress is the one its timestamps are checked against.
let clockOfParse: () => number = Date.now;
const schema = apiEventSchema(() => clockOfParse());

/** Reads a `POST /v1/events` body (one event or `{ events: [...] }`); all-or-nothing. */
export function parseApiEvents(body: unknown, now: () => number): NormalizedEvent[] {
  clockOfParse = now;
  try {
    return parseItems(eventItems(body));
  } finally {
    clockOfParse = Date.now;
  }
}

function parseItems(items: unknown[]): NormalizedEvent[] {
  const problems: IngestProblem[] = [];
  const oversized: IngestProblem[] = [];
  const events: NormalizedEvent[] = [];
  items.forEach((item, index) => {
    const unfit = itemProblem(item, index);
    if (unfit) {
      (unfit.status === 413 ? oversized : problems).push(unfit.problem);
      return;
    }
    const parsed = schema.safeParse(item);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ index, path: joinPath(issue.path), message: issue.message });
      return;
    }
    events.push(toNormalized(parsed.data, item));
  });
  if (oversized.length > 0) throw new IngestRejected(413, oversized);
  if (problems.length > 0) throw new IngestRejected(400, problems);
  return events;
}

function eventItems(body: unknown): unknown[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new IngestRejected(400, [{ index: null, path: '', message: 'body must be a JSON object: one event, or { "events": [...] }' }]);
  }
  if (!('events' in body)) return [body];
  const list = (body as { events: unknown }).events;
  const extra = Object.keys(body).filter((k) => k !== 'events');
  if (extra.length > 0) throw new IngestRejected(400, extra.map((k) => ({ index: null, path: k, message: 'is not allowed next to "events"' })));
  if (!Array.isArray(list)) throw new IngestRejected(400, [{ index: null, path: 'events', message: 'must be an array of events' }]);
  if (list.length === 0) throw new IngestRejected(400, [{ index: null, path: 'events', message: 'must hold at least one event' }]);
  if (list.length > MAX_EVENTS_PER_REQUEST) {
    throw new IngestRejected(413, [{ index: null, path: 'events', message: `holds ${list.length} events; at most ${MAX_EVENTS_PER_REQUEST} per request` }]);
  }
  return list;
}

function toNormalized(event: ApiEvent, payload: unknown): NormalizedEvent {
  const props = event.properties ?? {};
  const orderId = event.order_id ?? (typeof props.order_id === 'string' ? props.order_id : undefined);
  const c = event.customer;
  const normalized: NormalizedEvent = {
    key: event.event_id.toLowerCase(),
    type: event.type,
    occurredAt: event.occurred_at,
    origin: 'api',
    refs: { checkoutId: event.checkout_id, cartId: event.cart_id, orderId },
    stage: STAGE_OF[event.type],
    payload,
  };
  if (c) {
    normalized.customer = {
      userId: c.id,
      anonymousId: c.anonymous_id,
      email: c.email === undefined ? undefined : normaliseEmail(c.email),
      phone: c.phone,
      timezone: c.timezone,
      locale: c.locale,
    };
  }
  if (event.cart) normalized.cart = cartSnapshot(event.cart.items as CartItem[], event.cart.currency, event.cart.value);
  if (event.context) normalized.context = contextOf(event.context);
  if (event.type === 'order_completed' && orderId !== undefined) {
    const revenue = (event.revenue ?? props.revenue) as number;
    const currency = typeof props.currency === 'string' ? props.currency : event.cart?.currency;
    normalized.order = { orderId, revenue, currency };
  }
  if (event.type === 'consent_changed') {
    normalized.consent = [{ channel: props.channel as ConsentChannel, granted: props.granted as boolean }];
  }
  if (event.type === 'push_subscribed') {
    const s = props.subscription as ApiPushSubscription;
    normalized.pushSubscription = { endpoint: s.endpoint, keys: { p256dh: s.keys.p256dh, auth: s.keys.auth }, expirationTime: s.expirationTime ?? null };
  }
  if (event.type === 'payment_failed') {
    normalized.paymentError = {
      code: typeof props.code === 'string' ? props.code : undefined,
      message: typeof props.message === 'string' ? props.message : undefined,
    };
  }
  return normalized;
}

function contextOf(context: NonNullable<ApiEvent['context']>): EventContext {
  const utm: EventContext['utm'] = {};
  for (const field of ['source', 'medium', 'campaign', 'term', 'content'] as const) {
    const value = context[`utm_${field}`];
    if (value) utm[field] = value;
  }
  const page = typeof context.page === 'string' ? { url: context.page } : context.page;
  return {
    device: context.device ?? classifyDevice(context.user_agent),
    userAgent: context.user_agent,
    page: page ? { url: page.url, path: page.path, title: page.title, referrer: page.referrer } : undefined,
    ip: context.ip,
    utm: Object.keys(utm).length > 0 ? utm : undefined,
  };
}

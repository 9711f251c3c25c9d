import { isIP } from 'node:net';
import type { CartItem, CartSnapshot, CheckoutStage } from '../../../models/checkouts';
import type { ConsentChannel } from '../../../models/customers';
import { cartSnapshot } from '../cart';
import { classifyDevice } from '../device';
import { email as emailRule, isCurrencyCode, isE164Phone, isHttpUrl, isLocale, normaliseEmail, timestamp } from '../field-rules';
import { itemProblem, MAX_REQUEST_BYTES } from '../limits';
import type { CustomerFacts, EventContext, EventType, NormalizedEvent } from '../normalized-event';
import { IngestProblem, IngestRejected, joinPath } from '../problems';

/** The webhook topics we read, and the event each becomes; every other topic is acknowledged and ignored. */
export const SHOPIFY_TOPICS: Readonly<Record<string, EventType>> = {
  'checkouts/create': 'checkout_started',
  'checkouts/update': 'checkout_updated',
  'orders/create': 'order_completed',
};

export function isShopifyTopic(topic: string): boolean {
  return Object.hasOwn(SHOPIFY_TOPICS, topic.trim().toLowerCase());
}

type Json = Record<string, unknown>;
type Path = Array<string | number>;

const MAX_MONEY = 1e12;
const MONEY_STRING = /^\d+(\.\d+)?$/;
const UTM_FIELDS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

/**
 * Reads one Shopify webhook (`checkouts/create`, `checkouts/update`, `orders/create`) into a NormalizedEvent.
 * Returns null for any other topic. Throws IngestRejected (400/413, `index: null` except for size/NUL checks)
 * when the payload lacks what the event needs; optional fields Shopify fills loosely (phones, locales, URLs)
 * are dropped when unusable rather than failing the webhook, since Shopify disables webhooks that keep failing.
 */
export function parseShopifyWebhook(topic: string, webhookId: string, body: unknown, now: () => number): NormalizedEvent | null {
  if (!isShopifyTopic(topic)) return null;
  const type = SHOPIFY_TOPICS[topic.trim().toLowerCase()];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new IngestRejected(400, [{ index: null, path: '', message: `body must be a JSON object: the Shopify ${topic} payload` }]);
  }
  // Shopify's orders with many lines and tax lines outgrow the 32 KB our own events get; Shopify would
  // retry a refused webhook and finally disable it, so a webhook may use the whole request limit.
  const unfit = itemProblem(body, 0, MAX_REQUEST_BYTES);
  if (unfit) throw new IngestRejected(unfit.status, [unfit.problem]);

  const reader = new PayloadReader(body as Json, now);
  const event = type === 'order_completed' ? readOrder(reader, webhookId) : readCheckout(reader, webhookId, type);
  if (reader.problems.length > 0) throw new IngestRejected(400, reader.problems);
  return event;
}

function readCheckout(r: PayloadReader, webhookId: string, type: EventType): NormalizedEvent {
  const b = r.body;
  const checkoutId = r.requiredToken('token', 'the checkout token');
  const occurredAt = type === 'checkout_started' ? r.instant(['created_at', 'updated_at']) : r.instant(['updated_at', 'created_at']);
  const currency = r.currency(['presentment_currency', 'currency']);
  const cart = r.cart(currency, r.money(['total_price'], false));
  const event: NormalizedEvent = {
    key: `shopify:${webhookId.trim()}`,
    type,
    occurredAt: occurredAt ?? new Date(0),
    origin: 'shopify',
    refs: { checkoutId, cartId: optionalToken(b.cart_token) },
    stage: checkoutStage(b),
    payload: b,
  };
  return withShopper(event, b, cart);
}

function readOrder(r: PayloadReader, webhookId: string): NormalizedEvent {
  const b = r.body;
  const orderId = shopifyId(b.id, b.admin_graphql_api_id, 'Order');
  if (orderId === undefined) r.problem(['id'], 'is required: the order id, a positive whole number');
  const occurredAt = r.instant(['processed_at', 'created_at']);
  const revenue = r.money(['total_price'], true);
  // An order's amounts (total_price, line item prices) are in the shop currency, `currency`; presentment amounts live in the *_set fields.
  const currency = r.currency(['currency', 'presentment_currency']);
  const cart = r.cart(currency, revenue);
  const event: NormalizedEvent = {
    key: `shopify:${webhookId.trim()}`,
    type: 'order_completed',
    occurredAt: occurredAt ?? new Date(0),
    origin: 'shopify',
    refs: { checkoutId: optionalToken(b.checkout_token), cartId: optionalToken(b.cart_token), orderId },
    stage: 'completed',
    payload: b,
  };
  if (orderId !== undefined && revenue !== undefined) event.order = { orderId, revenue, ...(currency ? { currency } : {}) };
  return withShopper(event, b, cart);
}

/** Customer, cart, consent and context: what checkouts and orders share. */
function withShopper(event: NormalizedEvent, b: Json, cart: CartSnapshot | undefined): NormalizedEvent {
  const customer = customerOf(b);
  if (customer) event.customer = customer;
  if (cart) event.cart = cart;
  const consent = consentOf(b);
  if (consent.length > 0) event.consent = consent;
  const context = contextOf(b);
  if (context) event.context = context;
  return event;
}

/** The furthest stage the checkout's own fields prove: a shipping choice or address, then contact details. */
export function checkoutStage(b: Json): CheckoutStage {
  if (Array.isArray(b.shipping_lines) && b.shipping_lines.length > 0) return 'shipping';
  if (hasAddress(b.shipping_address)) return 'shipping';
  const c = asObject(b.customer);
  if ([b.email, b.phone, c?.email, c?.phone].some((v) => typeof v === 'string' && v.trim() !== '')) return 'contact';
  return 'started';
}

function hasAddress(value: unknown): boolean {
  const a = asObject(value);
  return a !== undefined && ['address1', 'address2', 'city', 'zip'].some((k) => typeof a[k] === 'string' && (a[k] as string).trim() !== '');
}

function customerOf(b: Json): CustomerFacts | undefined {
  const c = asObject(b.customer);
  const facts: CustomerFacts = {};
  const userId = c ? shopifyId(c.id, c.admin_graphql_api_id, 'Customer') : undefined;
  if (userId !== undefined) facts.userId = userId;
  const email = firstOf([b.email, b.contact_email, c?.email], usableEmail);
  if (email !== undefined) facts.email = email;
  const phone = firstOf([b.phone, c?.phone, b.sms_marketing_phone], usablePhone);
  if (phone !== undefined) facts.phone = phone;
  if (typeof b.customer_locale === 'string' && b.customer_locale.length <= 35 && isLocale(b.customer_locale)) facts.locale = b.customer_locale;
  return Object.keys(facts).length > 0 ? facts : undefined;
}

function usableEmail(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const normalised = normaliseEmail(value);
  return emailRule.safeParse(normalised).success ? normalised : undefined;
}

/** E.164 only. `+44 20 7946 0958` loses its separators; a number without its country code is dropped, never guessed. */
function usablePhone(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  const compact = trimmed.startsWith('+') ? trimmed.replace(/[\s().-]/g, '') : trimmed;
  return isE164Phone(compact) ? compact : undefined;
}

/**
 * `buyer_accepts_marketing` (and `buyer_accepts_sms_marketing`) is what the checkout's box said; the customer's
 * `email_marketing_consent` / `sms_marketing_consent` state, when it says something definite, overrides it.
 * A `pending` (double opt-in unconfirmed), `invalid` or `redacted` state withdraws any statement for that channel.
 */
function consentOf(b: Json): Array<{ channel: ConsentChannel; granted: boolean }> {
  const statements = new Map<ConsentChannel, boolean>();
  if (typeof b.buyer_accepts_marketing === 'boolean') statements.set('email', b.buyer_accepts_marketing);
  if (typeof b.buyer_accepts_sms_marketing === 'boolean') statements.set('sms', b.buyer_accepts_sms_marketing);
  const c = asObject(b.customer);
  const apply = (channel: ConsentChannel, consent: unknown) => {
    const state = asObject(consent)?.state;
    if (typeof state !== 'string') return;
    const s = state.toLowerCase();
    if (s === 'subscribed') statements.set(channel, true);
    else if (s === 'unsubscribed' || s === 'not_subscribed') statements.set(channel, false);
    else if (s === 'pending' || s === 'invalid' || s === 'redacted') statements.delete(channel);
  };
  apply('email', c?.email_marketing_consent);
  apply('sms', c?.sms_marketing_consent);
  return [...statements].map(([channel, granted]) => ({ channel, granted }));
}

function contextOf(b: Json): EventContext | undefined {
  const context: EventContext = {};
  const page: NonNullable<EventContext['page']> = {};
  if (typeof b.landing_site === 'string' && b.landing_site.trim() !== '' && b.landing_site.length <= 4096) {
    const landing = b.landing_site.trim();
    if (isHttpUrl(landing)) page.url = landing;
    const parsed = relativeUrl(landing);
    if (parsed) {
      if (!page.url && landing.startsWith('/')) page.path = parsed.pathname;
      const utm: NonNullable<EventContext['utm']> = {};
      for (const field of UTM_FIELDS) {
        const value = parsed.searchParams.get(`utm_${field}`);
        if (value) utm[field] = value.slice(0, 500);
      }
      if (Object.keys(utm).length > 0) context.utm = utm;
    }
  }
  if (typeof b.referring_site === 'string' && b.referring_site.length <= 4096 && isHttpUrl(b.referring_site.trim())) page.referrer = b.referring_site.trim();
  if (Object.keys(page).length > 0) context.page = page;

  const client = asObject(b.client_details);
  const userAgent = firstOf([b.user_agent, client?.user_agent], (v) => (typeof v === 'string' && v.trim() !== '' ? v.slice(0, 2000) : undefined));
  if (userAgent) {
    context.userAgent = userAgent;
    context.device = classifyDevice(userAgent);
  }
  const ip = firstOf([b.browser_ip, client?.browser_ip], (v) => (typeof v === 'string' && isIP(v) !== 0 ? v : undefined));
  if (ip) context.ip = ip;
  return Object.keys(context).length > 0 ? context : undefined;
}

function relativeUrl(value: string): URL | undefined {
  try {
    return new URL(value, 'https://storefront.invalid');
  } catch {
    return undefined;
  }
}

/**
 * A Shopify numeric id as a string. The `admin_graphql_api_id` (`gid://shopify/Order/…`) is preferred: it is a
 * string, so it keeps ids beyond 2^53 exact where the JSON number may have lost digits.
 */
function shopifyId(id: unknown, gid: unknown, kind: 'Order' | 'Customer'): string | undefined {
  if (typeof gid === 'string') {
    const match = new RegExp(`^gid://shopify/${kind}/(\\d{1,30})$`).exec(gid);
    if (match && (typeof id !== 'number' || Number(match[1]) === id)) return match[1];
  }
  if (typeof id === 'number' && Number.isInteger(id) && id > 0 && id < 1e21) return String(id);
  if (typeof id === 'string' && /^\d{1,30}$/.test(id.trim()) && !/^0+$/.test(id.trim())) return id.trim();
  return undefined;
}

function optionalToken(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed !== '' && trimmed.length <= 200 ? trimmed : undefined;
}

function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function firstOf<T>(values: unknown[], pick: (value: unknown) => T | undefined): T | undefined {
  for (const value of values) {
    const picked = pick(value);
    if (picked !== undefined) return picked;
  }
  return undefined;
}

/** Reads the fields an event needs, collecting every problem rather than stopping at the first. */
class PayloadReader {
  readonly problems: IngestProblem[] = [];

  constructor(
    readonly body: Json,
    private readonly now: () => number,
  ) {}

  problem(path: Path, message: string) {
    this.problems.push({ index: null, path: joinPath(path), message });
  }

  requiredToken(field: string, what: string): string | undefined {
    const value = this.body[field];
    if (typeof value !== 'string' || value.trim() === '') {
      this.problem([field], `is required: ${what}, a non-empty string`);
      return undefined;
    }
    if (value.trim().length > 200) {
      this.problem([field], 'must be at most 200 characters');
      return undefined;
    }
    return value.trim();
  }

  /** The first of `fields` that is present, as an instant; a problem when none is or it does not parse. */
  instant(fields: string[]): Date | undefined {
    const field = fields.find((f) => this.body[f] !== undefined && this.body[f] !== null);
    if (field === undefined) {
      this.problem([fields[0]], `is required: ${fields.length > 1 ? `${fields.join(' or ')}, ` : ''}an ISO 8601 timestamp`);
      return undefined;
    }
    const parsed = timestamp(this.now).safeParse(this.body[field]);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) this.problem([field], issue.message);
      return undefined;
    }
    return parsed.data;
  }

  /** A Shopify money amount (a decimal string, or a number); null or absent is a problem only when required. */
  money(path: Path, required: boolean, at: Json = this.body): number | undefined {
    const value = at[path[path.length - 1]];
    if (value === undefined || value === null) {
      if (required) this.problem(path, 'is required: an amount such as "19.99"');
      return undefined;
    }
    const amount = typeof value === 'string' && MONEY_STRING.test(value.trim()) ? Number(value.trim()) : typeof value === 'number' ? value : NaN;
    if (!Number.isFinite(amount) || amount < 0) {
      this.problem(path, 'must be a non-negative amount, such as "19.99"');
      return undefined;
    }
    if (amount > MAX_MONEY) {
      this.problem(path, 'is implausibly large');
      return undefined;
    }
    return amount;
  }

  /** The first usable currency code among `fields`; one present but not a currency code is a problem. */
  currency(fields: string[]): string | undefined {
    let found: string | undefined;
    for (const field of fields) {
      const value = this.body[field];
      if (value === undefined || value === null || value === '') continue;
      if (typeof value !== 'string' || !isCurrencyCode(value)) {
        this.problem([field], 'must be an ISO 4217 currency code in upper case, such as "EUR"');
        continue;
      }
      found ??= value;
    }
    return found;
  }

  /** The cart from `line_items` and `total_price`; undefined when there is neither, or no currency to price it in. */
  cart(currency: string | undefined, value: number | undefined): CartSnapshot | undefined {
    const lines = this.body.line_items;
    if (lines !== undefined && lines !== null && !Array.isArray(lines)) {
      this.problem(['line_items'], 'must be an array of line items');
      return undefined;
    }
    const items: CartItem[] = [];
    (lines ?? []).forEach((line: unknown, i: number) => {
      const item = this.lineItem(line, i);
      if (item) items.push(item);
    });
    if (currency === undefined || (lines === undefined && value === undefined)) return undefined;
    return cartSnapshot(items, currency, value);
  }

  private lineItem(line: unknown, i: number): CartItem | undefined {
    const l = asObject(line);
    if (!l) {
      this.problem(['line_items', i], 'must be a line item object');
      return undefined;
    }
    const quantity = l.quantity;
    const okQuantity = typeof quantity === 'number' && Number.isInteger(quantity) && quantity >= 1 && quantity <= 100_000;
    if (!okQuantity) this.problem(['line_items', i, 'quantity'], 'must be a whole number of at least 1');
    const price = this.money(['line_items', i, 'price'], true, l);
    if (!okQuantity || price === undefined) return undefined;

    const idString = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 1e21 ? String(v) : optionalToken(v));
    const sku = firstOf([l.sku, l.variant_id, l.product_id, l.key, l.id], idString) ?? `line-${i + 1}`;
    const item: CartItem = { sku, quantity, unit_price: price };
    const name = typeof l.title === 'string' && l.title.trim() !== '' ? l.title : typeof l.name === 'string' ? l.name : undefined;
    if (name) item.name = name.slice(0, 500);
    const variantTitle = typeof l.variant_title === 'string' && l.variant_title.trim() !== '' ? l.variant_title : undefined;
    if (variantTitle) item.variant_title = variantTitle.slice(0, 500);
    const variantId = idString(l.variant_id);
    if (variantId) item.variant_id = variantId;
    const productId = idString(l.product_id);
    if (productId) item.product_id = productId;
    const image = typeof l.image === 'string' ? l.image : asObject(l.image)?.src;
    const imageUrl = firstOf([image, l.image_url], (v) => (typeof v === 'string' && v.length <= 4096 && isHttpUrl(v) ? v : undefined));
    if (imageUrl) item.image_url = imageUrl;
    return item;
  }
}

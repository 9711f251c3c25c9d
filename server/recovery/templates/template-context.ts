import type { ChannelKind } from '../../../campaigns/types';
import type { CartSnapshot } from '../../../models/checkouts';
import type { SignedLinks } from '../links/signed-links';

/** One cart line as templates see it: text already formatted for the recipient. */
export interface TemplateCartItem {
  name: string;
  quantity: number;
  /** Formatted in the checkout currency and the recipient's locale, e.g. "€19.99". */
  unitPrice: string;
  /** quantity × unit price, formatted. */
  lineTotal: string;
  /** http(s) only; absent when the cart gave none or gave something else. */
  imageUrl?: string;
  /** http(s) only. The default templates do not link to it (see buildTemplateContext). */
  url?: string;
}

/** What every template (email, SMS, push) is rendered against. */
export interface TemplateContext {
  customer: { firstName?: string; email?: string };
  cart: {
    items: TemplateCartItem[];
    /** Formatted in the checkout currency and the recipient's locale. */
    total: string;
    /** Sum of the quantities. */
    itemCount: number;
    /** ISO 4217 code. */
    currency: string;
  };
  links: {
    /** A signed click link to the checkout's resume URL. */
    resume: string;
    /** The signed unsubscribe link for the message's channel. */
    unsubscribe: string;
  };
  brand: { name: string };
  offer?: { code: string; description: string; /** Formatted date and time, when the offer expires. */ expiresAt?: string };
}

export interface TemplateContextInput {
  messageId: string;
  channel: ChannelKind;
  links: SignedLinks;
  /** Where "Complete your order" leads (the checkout's resume URL); it is wrapped in a signed click link. */
  resumeUrl: string;
  brandName: string;
  cart: CartSnapshot | null | undefined;
  customer?: { firstName?: string | null; email?: string | null } | null;
  /** BCP 47, e.g. "en-CA"; invalid or absent falls back to "en". */
  locale?: string | null;
  /** IANA zone for the offer's expiry; absent or invalid means UTC (and the zone is shown). */
  timezone?: string | null;
  offer?: { code: string; description: string; expiresAt?: Date | null } | null;
  /** Cart lines shown at most (the rest still counts in itemCount and total). Default 10. */
  maxItems?: number;
}

const FALLBACK_LOCALE = 'en';

// Asking Intl about a locale costs tens of microseconds, and every amount of every message asks; shoppers
// bring few distinct locales. Bounded, so that odd input cannot grow it without end.
const resolvedLocales = new Map<string, string>();
const MAX_RESOLVED_LOCALES = 1_000;

/** A usable BCP 47 locale: the given one when Intl knows it, else "en". */
export function resolveLocale(locale: string | null | undefined): string {
  if (!locale) return FALLBACK_LOCALE;
  let resolved = resolvedLocales.get(locale);
  if (resolved === undefined) {
    resolved = lookUpLocale(locale);
    if (resolvedLocales.size < MAX_RESOLVED_LOCALES) resolvedLocales.set(locale, resolved);
  }
  return resolved;
}

function lookUpLocale(locale: string): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(locale.replace(/_/g, '-'));
    return canonical && Intl.NumberFormat.supportedLocalesOf([canonical]).length > 0 ? canonical : FALLBACK_LOCALE;
  } catch {
    return FALLBACK_LOCALE;
  }
}

/** An amount in major units (19.99) formatted as money; an unknown currency code is shown after the number. */
// Building an Intl.NumberFormat costs far more than using one; a shop has few locale/currency pairs.
const moneyFormats = new Map<string, Intl.NumberFormat | null>();

function moneyFormat(locale: string, currency: string): Intl.NumberFormat | null {
  const key = `${locale}|${currency}`;
  let format = moneyFormats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    } catch {
      format = null;
    }
    if (moneyFormats.size < 1_000) moneyFormats.set(key, format);
  }
  return format;
}

export function formatMoney(amount: number, currency: string, locale?: string | null): string {
  const loc = resolveLocale(locale);
  const value = Number.isFinite(amount) ? amount : 0;
  const format = moneyFormat(loc, currency.toUpperCase());
  if (format) return format.format(value);
  return `${new Intl.NumberFormat(loc, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value)} ${currency}`.trim();
}

export function formatDateTime(at: Date, locale?: string | null, timezone?: string | null): string {
  const loc = resolveLocale(locale);
  let timeZone = 'UTC';
  if (timezone) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: timezone });
      timeZone = timezone;
    } catch {
      // unknown zone: UTC, named
    }
  }
  const formatted = new Intl.DateTimeFormat(loc, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(at);
  return timeZone === 'UTC' ? `${formatted} UTC` : formatted;
}

/** The URL when it is an absolute http(s) URL, else undefined: no `javascript:`, `data:` or relative links from cart data. */
export function safeHttpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Cart and customer text comes from shoppers' browsers: no control characters, bounded length. */
export function cleanText(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const cleaned = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (cleaned === '') return undefined;
  const chars = Array.from(cleaned);
  return chars.length > maxLength ? `${chars.slice(0, maxLength - 1).join('')}…` : cleaned;
}

/**
 * Builds the context of one message. Customer and cart data are taken as untrusted: text is cleaned, URLs
 * are kept only when http(s), and rendering escapes them per channel.
 *
 * Item URLs come from the shopper's browser; the default templates link every line to the (tracked) resume
 * link instead, so a crafted cart cannot make our email point at another site.
 */
export function buildTemplateContext(input: TemplateContextInput): TemplateContext {
  const locale = resolveLocale(input.locale);
  const cart = input.cart ?? { items: [], value: 0, currency: 'USD' };
  const currency = (cart.currency || 'USD').toUpperCase();
  const items = Array.isArray(cart.items) ? cart.items : [];
  const quantity = (q: unknown) => (typeof q === 'number' && Number.isFinite(q) && q > 0 ? q : 0);
  const price = (p: unknown) => (typeof p === 'number' && Number.isFinite(p) ? p : 0);

  const firstName = cleanText(input.customer?.firstName, 60);
  const email = cleanText(input.customer?.email, 320);
  const context: TemplateContext = {
    customer: { ...(firstName ? { firstName } : {}), ...(email ? { email } : {}) },
    cart: {
      items: items.slice(0, input.maxItems ?? 10).map((item) => {
        const imageUrl = safeHttpUrl(item.image_url);
        const url = safeHttpUrl(item.url);
        return {
          name: cleanText(item.name, 120) ?? cleanText(item.sku, 120) ?? 'Item',
          quantity: quantity(item.quantity),
          unitPrice: formatMoney(price(item.unit_price), currency, locale),
          lineTotal: formatMoney(quantity(item.quantity) * price(item.unit_price), currency, locale),
          ...(imageUrl ? { imageUrl } : {}),
          ...(url ? { url } : {}),
        };
      }),
      total: formatMoney(price(cart.value), currency, locale),
      itemCount: items.reduce((sum, item) => sum + quantity(item.quantity), 0),
      currency,
    },
    links: {
      // Text messages get the short form: the full signed link would take a segment of its own.
      resume: input.channel === 'sms' ? input.links.short(input.messageId) : input.links.click(input.messageId, input.resumeUrl),
      unsubscribe: input.links.unsubscribe(input.messageId, input.channel),
    },
    brand: { name: cleanText(input.brandName, 80) ?? 'Our store' },
  };
  if (input.offer) {
    context.offer = {
      code: cleanText(input.offer.code, 64) ?? '',
      description: cleanText(input.offer.description, 200) ?? '',
      ...(input.offer.expiresAt ? { expiresAt: formatDateTime(input.offer.expiresAt, locale, input.timezone) } : {}),
    };
  }
  return context;
}

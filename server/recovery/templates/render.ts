import * as MustacheModule from 'mustache';
import type { ChannelKind } from '../../../campaigns/types';
import type { TemplateContext } from './template-context';

// mustache's ES build has only a default export; its CommonJS build is the namespace itself.
const Mustache: typeof MustacheModule = (MustacheModule as unknown as { default?: typeof MustacheModule }).default ?? MustacheModule;

/** The parts of a template row rendering needs (a `templates` row fits). */
export interface TemplateSource {
  key?: string;
  channel?: ChannelKind;
  /** Email subject or push title. */
  subject?: string | null;
  /** Email HTML. */
  html?: string | null;
  /** Email text part, push body or SMS body. */
  text: string;
}

export class TemplateRenderError extends Error {
  constructor(
    readonly templateKey: string | undefined,
    readonly part: string,
    cause: unknown,
  ) {
    super(`Template ${templateKey ?? '(unnamed)'} ${part}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'TemplateRenderError';
  }
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/**
 * Escapes text for HTML element content and quoted attribute values. Unlike Mustache's default it leaves
 * `/` and `=` alone, so URLs stay readable in `href`s (entity-encoded URLs look like phishing to spam
 * filters); templates must therefore quote their attributes.
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!);
}

const asIs = (value: unknown): string => String(value);

function render(template: string, context: TemplateContext, escape: (value: unknown) => string, key: string | undefined, part: string): string {
  try {
    return Mustache.render(template, context, undefined, { escape });
  } catch (error) {
    throw new TemplateRenderError(key, part, error);
  }
}

/** One line: whitespace (newlines included) collapsed, for subjects and push titles. */
function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** Plain text tidied: no trailing spaces, at most one blank line in a row, no blank lines at either end. */
function tidyText(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export interface RenderedEmailContent {
  subject: string;
  html: string;
  text: string;
}

/**
 * Email: `{{var}}` is HTML-escaped in the HTML part; the subject and the text part are rendered as they
 * are (nodemailer encodes the subject header). A template without HTML gets its text part as HTML.
 */
export function renderEmail(template: TemplateSource, context: TemplateContext): RenderedEmailContent {
  const text = tidyText(render(template.text, context, asIs, template.key, 'text'));
  const html = template.html
    ? render(template.html, context, escapeHtml, template.key, 'html')
    : `<!doctype html><html><body><div style="white-space:pre-wrap;font-family:sans-serif">${escapeHtml(text)}</div></body></html>`;
  return { subject: oneLine(render(template.subject ?? '', context, asIs, template.key, 'subject')), html, text };
}

// ---------------------------------------------------------------------------------------------------------
// SMS

/** GSM 03.38 basic character set (one septet each); ESC (0x1B) is left out on purpose. */
const GSM7_BASIC = new Set(
  Array.from('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'),
);
/** GSM 03.38 extension table: two septets each (ESC + char). */
const GSM7_EXTENSION = new Set(Array.from('\f^{}\\[~]|€'));

/**
 * Typography that would force a whole message into UCS-2 (70 characters a segment) for no visible gain:
 * curly quotes, dashes, the ellipsis and the non-breaking spaces Intl puts in amounts ("19,99 €").
 */
const GSM7_LOOKALIKES: Array<[RegExp, string]> = [
  [/[\u2018\u2019\u201a\u201b\u2032]/g, "'"],
  [/[\u201c\u201d\u201e\u201f\u2033]/g, '"'],
  [/[\u2010-\u2015\u2212]/g, '-'],
  [/\u2026/g, '...'],
  [/[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g, ' '],
  [/[\u200b-\u200d\u2060\ufeff]/g, ''],
];

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegmentCount {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
}

/**
 * How many SMS segments a body takes: GSM-7 when every character is in the GSM 03.38 tables (160 septets
 * in one segment, 153 per segment when concatenated; an extension character takes two and is never split),
 * else UCS-2 (70 code units, 67 when concatenated; a surrogate pair is never split).
 */
export function smsSegments(body: string): SmsSegmentCount {
  const chars = Array.from(body);
  const gsm = chars.every((c) => GSM7_BASIC.has(c) || GSM7_EXTENSION.has(c));
  const costs = gsm ? chars.map((c) => (GSM7_EXTENSION.has(c) ? 2 : 1)) : chars.map((c) => c.length);
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  const units = costs.reduce((a, b) => a + b, 0);
  if (units === 0) return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments: 0 };
  if (units <= single) return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > multi) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments };
}

/** Replaces typography with its GSM-7 look-alike (see GSM7_LOOKALIKES). */
export function toGsmFriendly(body: string): string {
  return GSM7_LOOKALIKES.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), body);
}

export interface RenderedSmsContent {
  body: string;
  segments: number;
  encoding: SmsEncoding;
}

/** SMS: rendered without any escaping; typography is made GSM-7 friendly unless `smartEncoding` is false. */
export function renderSms(template: TemplateSource, context: TemplateContext, options: { smartEncoding?: boolean } = {}): RenderedSmsContent {
  let body = tidyText(render(template.text, context, asIs, template.key, 'text'));
  if (options.smartEncoding !== false) body = toGsmFriendly(body);
  const count = smsSegments(body);
  return { body, segments: count.segments, encoding: count.encoding };
}

// ---------------------------------------------------------------------------------------------------------
// Push

/** Web Push payloads must fit in 4 KB once encrypted; we keep the JSON under 3 KB. */
export const PUSH_PAYLOAD_LIMIT_BYTES = 3072;

export interface RenderedPushContent {
  title: string;
  body: string;
  /** The body was cut (with an ellipsis) to fit the payload limit. */
  truncated: boolean;
}

export interface RenderPushOptions {
  /** Default PUSH_PAYLOAD_LIMIT_BYTES. */
  maxPayloadBytes?: number;
  /**
   * Builds the JSON payload the push sender will send, so the size is measured on the real thing.
   * Default: `{ title, body, url: links.resume, clickUrl: links.resume }`.
   */
  payload?: (content: { title: string; body: string }) => unknown;
}

const segmenter = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : undefined;

function graphemes(value: string): string[] {
  return segmenter ? Array.from(segmenter.segment(value), (s) => s.segment) : Array.from(value);
}

/**
 * The longest prefix (whole graphemes, ending in "…") for which `fits` holds, cut at a word boundary when
 * one is near; '' when not even "…" fits.
 */
function truncateToFit(value: string, fits: (candidate: string) => boolean): string {
  const parts = graphemes(value);
  const cut = (count: number) => `${parts.slice(0, count).join('').trimEnd()}…`;
  let low = 0;
  let high = parts.length - 1;
  let best = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (fits(cut(mid))) {
      best = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  if (best < 0) return '';
  // Mid-word: back off to the last space within 20 graphemes (a shorter candidate always fits too).
  if (best < parts.length && !/\s/.test(parts[best]!)) {
    for (let i = best - 1; i >= Math.max(1, best - 20); i--) {
      if (/\s/.test(parts[i]!)) return cut(i);
    }
  }
  return cut(best);
}

/**
 * Push: title from `subject` (the brand name when empty), body from `text`, both rendered without
 * escaping and on one line. When the payload would exceed the limit, the body is cut with an ellipsis
 * (then the title, should the body alone not be enough).
 */
export function renderPush(template: TemplateSource, context: TemplateContext, options: RenderPushOptions = {}): RenderedPushContent {
  const limit = options.maxPayloadBytes ?? PUSH_PAYLOAD_LIMIT_BYTES;
  const payload = options.payload ?? ((c) => ({ ...c, url: context.links.resume, clickUrl: context.links.resume }));
  const size = (title: string, body: string) => Buffer.byteLength(JSON.stringify(payload({ title, body })), 'utf8');

  let title = oneLine(render(template.subject ?? '', context, asIs, template.key, 'subject')) || context.brand.name;
  let body = oneLine(render(template.text, context, asIs, template.key, 'text'));
  if (size(title, body) <= limit) return { title, body, truncated: false };

  body = truncateToFit(body, (candidate) => size(title, candidate) <= limit);
  if (body === '' || size(title, body) > limit) {
    body = '';
    title = truncateToFit(title, (candidate) => size(candidate, '') <= limit);
  }
  return { title, body, truncated: true };
}

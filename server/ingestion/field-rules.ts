import { isIP } from 'node:net';
import { isValidPhoneNumber } from 'libphonenumber-js/max';
import { z } from 'zod';

const currencies = new Set(Intl.supportedValuesOf('currency'));
const knownTimezones = new Map<string, boolean>();

export function isCurrencyCode(value: string): boolean {
  return currencies.has(value);
}

export function isTimezone(value: string): boolean {
  let known = knownTimezones.get(value);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: value });
      known = true;
    } catch {
      known = false;
    }
    if (knownTimezones.size < 5_000) knownTimezones.set(value, known);
  }
  return known;
}

export function isLocale(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

export function isE164Phone(value: string): boolean {
  return /^\+[1-9]\d{6,14}$/.test(value) && isValidPhoneNumber(value);
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Push services are https; plain http is accepted only on this machine (local push services in development
 * and tests). Which push services we actually call is decided at send time by PUSH_SERVICE_HOSTS.
 */
export function isPushEndpointUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  } catch {
    return false;
  }
}

export const currencyCode = z
  .string()
  .refine(isCurrencyCode, 'must be an ISO 4217 currency code in upper case, such as "EUR"');
export const phone = z.string().refine(isE164Phone, 'must be a valid phone number in E.164 form, such as "+14155552671"');
export const timezone = z.string().refine(isTimezone, 'must be an IANA time zone, such as "Europe/Paris"');
export const locale = z.string().max(35).refine(isLocale, 'must be a BCP 47 language tag, such as "fr-FR"');
export const email = z.email({ message: 'must be an email address' }).max(320);
export const ipAddress = z.string().refine((v) => isIP(v) !== 0, 'must be an IPv4 or IPv6 address');
export const httpUrl = z.string().max(4096).refine(isHttpUrl, 'must be an http(s) URL');
export const identifier = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
export const money = z.number().finite().min(0, 'must not be negative').max(1e12, 'is implausibly large');

const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** JavaScript rolls 30 February over to 2 March; a timestamp must name a real calendar day and time. */
function isRealInstant(match: RegExpExecArray): boolean {
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 7].map((i) => Number(match[i] ?? 0));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59;
}

/** An ISO 8601 instant with its offset, at most 24 h ahead of the server's clock. */
export function timestamp(now: () => number) {
  return z
    .string()
    .regex(ISO_8601, 'must be an ISO 8601 timestamp with a time zone offset, such as "2026-11-26T14:03:00Z"')
    .transform((value, ctx) => {
      const date = new Date(value);
      if (Number.isNaN(date.getTime()) || !isRealInstant(ISO_8601.exec(value)!)) {
        ctx.addIssue({ code: 'custom', message: 'is not a real date' });
        return z.NEVER;
      }
      if (date.getTime() - now() > MAX_FUTURE_MS) {
        ctx.addIssue({ code: 'custom', message: 'is more than 24 hours in the future' });
        return z.NEVER;
      }
      return date;
    });
}

export function normaliseEmail(value: string): string {
  return value.trim().toLowerCase();
}

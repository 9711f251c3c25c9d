import { z } from 'zod';
import { isCurrencyCode } from '../ingestion/field-rules';

/** A browser origin: scheme, host and optional port. */
export const origin = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}, 'must be an origin such as https://shop.example (scheme, host and optional port, no path or trailing slash)');

/** An ISO 4217 code in upper case, one Intl knows ("USD", "EUR"). */
export const defaultCurrency = z
  .string('must be a string: an ISO 4217 currency code such as "EUR"')
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code: three upper-case letters, such as "EUR"')
  .refine(isCurrencyCode, 'is not an ISO 4217 currency code');

export const newSourceSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  shopifySecret: z.string().min(8, 'must be at least 8 characters').max(500).optional(),
  allowedOrigins: z.array(origin).max(50, 'at most 50 origins').default([]),
  /** EU stores: abandoned-checkout email only to shoppers who opted in explicitly. */
  requireEmailOptIn: z.boolean().default(false),
  /** The currency of Ecommerce events that do not name one. */
  defaultCurrency: defaultCurrency.default('USD'),
});

export type NewSource = z.input<typeof newSourceSchema>;

import { z } from 'zod';
import type { PostalAddress } from '../addresses/address';
import { validateAddress } from '../addresses/normalise-address';
import { invalidRequest, type Problem } from '../../http/resource-http';
import { PAYMENT_PROVIDERS } from '../../payments/payment-provider';

const label = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');

export const newAddressSchema = z.strictObject({ label: label.optional(), address: z.unknown(), is_default: z.boolean().optional() });
export const addressChangeSchema = z.strictObject({ label: label.nullable().optional(), address: z.unknown().optional(), is_default: z.boolean().optional() });

/** The address normalised by the offline validator, or a 400 naming each field under `address.`. */
export function validAddressOrThrow(input: unknown, at = 'address'): PostalAddress {
  const result = validateAddress(input);
  if (result.ok) return result.address;
  throw invalidRequest(result.problems.map((p): Problem => ({ path: p.field === 'address' ? at : `${at}.${p.field}`, message: p.message })));
}

/** 13–19 digits passing Luhn: a card number sent where a token belongs. */
export function looksLikeCardNumber(value: string): boolean {
  const digits = value.replace(/[\s-]/g, '');
  if (!/^\d{13,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

const token = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(500)
  .refine((v) => !looksLikeCardNumber(v), 'looks like a card number: send the payment provider\'s token, never the card itself');

const BRANDS = ['visa', 'mastercard', 'amex', 'discover', 'jcb', 'diners', 'unionpay', 'cartes_bancaires', 'maestro', 'other'] as const;

/**
 * A tokenized card. Strict, so a `number`, `cvc` or `cvv` field is refused by name rather than silently
 * dropped: the caller learns it sent card data we will not hold.
 */
export function newPaymentMethodSchema(now: Date) {
  return z
    .strictObject({
      provider: z.enum(PAYMENT_PROVIDERS, { message: `must be one of ${PAYMENT_PROVIDERS.join(', ')}` }),
      token,
      fallback_tokens: z.partialRecord(z.enum(PAYMENT_PROVIDERS, { message: `keys must be among ${PAYMENT_PROVIDERS.join(', ')}` }), token).optional(),
      brand: z.enum(BRANDS, { message: `must be one of ${BRANDS.join(', ')}` }),
      last4: z.string().regex(/^\d{4}$/, 'must be the last 4 digits of the card'),
      exp_month: z.number().int('must be a whole number').min(1, 'must be 1–12').max(12, 'must be 1–12'),
      exp_year: z.number().int('must be a whole number').min(2000, 'must be a four-digit year').max(2100, 'must be a four-digit year'),
      is_default: z.boolean().optional(),
    })
    .superRefine((v, ctx) => {
      const thisMonth = now.getUTCFullYear() * 12 + now.getUTCMonth();
      if (v.exp_year * 12 + (v.exp_month - 1) < thisMonth) ctx.addIssue({ code: 'custom', path: ['exp_year'], message: 'the card has expired' });
      if (v.fallback_tokens && v.provider in v.fallback_tokens) ctx.addIssue({ code: 'custom', path: ['fallback_tokens', v.provider], message: 'is the primary provider; its token is `token`' });
    });
}

export const paymentMethodChangeSchema = z.strictObject({ is_default: z.literal(true, { message: 'only `true` may be sent: choose another card as default instead' }) });

export type NewAddressInput = z.output<typeof newAddressSchema>;
export type NewPaymentMethodInput = z.output<ReturnType<typeof newPaymentMethodSchema>>;

import { z } from 'zod';
import { identifier, money } from '../ingestion/field-rules';
import { IngestProblem, IngestRejected, joinPath } from '../ingestion/problems';
import { readableBody } from '../ingestion/readable-body';
import { normalizeDiscountCode } from './discount-code-generator';

const code = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string: the discount code') })
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .transform(normalizeDiscountCode);

const shopperFields = {
  code,
  /** The storefront's checkout (or cart) id, as sent in its events. */
  checkoutId: identifier.optional(),
  /** The merchant's own customer id (the `customer.id` / Segment `userId` of its events). */
  customerId: identifier.optional(),
  cartValue: money.optional(),
  shippingValue: money.optional(),
};

const SHOPPER_REQUIRED = 'checkoutId or customerId is required: the checkout or customer using the code';

/** `POST /v1/discounts/validate`. */
export const validateRequestSchema = z
  .strictObject(shopperFields, 'must be a JSON object')
  .refine((r) => r.checkoutId !== undefined || r.customerId !== undefined, { path: ['checkoutId'], message: SHOPPER_REQUIRED });

/** `POST /v1/discounts/redeem`. */
export const redeemRequestSchema = z
  .strictObject({ ...shopperFields, orderId: identifier }, 'must be a JSON object')
  .refine((r) => r.checkoutId !== undefined || r.customerId !== undefined, { path: ['checkoutId'], message: SHOPPER_REQUIRED });

export type ValidateRequest = z.output<typeof validateRequestSchema>;
export type RedeemRequest = z.output<typeof redeemRequestSchema>;

/** The request, or a 400 naming every problem as `{ index: null, path, message }`, as the ingestion API does. */
export function parseDiscountRequest<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(readableBody(body));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.flatMap((issue): IngestProblem[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ index: null, path: joinPath([...issue.path, key]), message: 'is not a known field' }))
      : [{ index: null, path: joinPath(issue.path), message: /received undefined$/.test(issue.message) ? 'is required' : issue.message }],
  );
  throw new IngestRejected(400, problems);
}

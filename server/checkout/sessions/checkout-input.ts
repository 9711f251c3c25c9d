import { z } from 'zod';
import { normalizeDiscountCode } from '../../discounts/discount-code-generator';
import { currencyCode, email, httpUrl, identifier, money, phone } from '../../ingestion/field-rules';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuid = z.string().regex(UUID, 'must be a UUID');

const item = z.strictObject({
  sku: identifier,
  name: z.string().max(500).optional(),
  quantity: z.number().int('must be a whole number').min(1, 'must be at least 1').max(100_000),
  unit_price: money,
  image_url: httpUrl.optional(),
  url: httpUrl.optional(),
});

export const cartInput = z.strictObject({
  items: z.array(item).min(1, 'must hold at least one item').max(500, 'at most 500 items'),
  currency: currencyCode,
});

/** `POST /v1/checkouts`. */
export const createCheckoutSchema = z.strictObject({
  /** The merchant's customer id; with it, the checkout starts from the customer's saved defaults. */
  customer_id: identifier.optional(),
  email: email.optional(),
  phone: phone.optional(),
  cart: cartInput,
  use_profile_defaults: z.boolean().optional(),
});

export const contactSchema = z
  .strictObject({ email: email.optional(), phone: phone.optional() })
  .refine((c) => c.email !== undefined || c.phone !== undefined, { path: ['email'], message: 'email or phone is required' });

export const shippingAddressSchema = z
  .strictObject({ address: z.unknown().optional(), saved_address_id: uuid.optional() })
  .refine((s) => (s.address === undefined) !== (s.saved_address_id === undefined), { path: ['address'], message: 'send either address or saved_address_id' });

export const shippingMethodSchema = z.strictObject({
  id: identifier,
  label: z.string().trim().min(1, 'must not be empty').max(200),
  amount: money,
});

export const paymentMethodChoiceSchema = z.strictObject({ payment_method_id: uuid });

/** The code as `/v1/discounts` reads it: case, spaces and dashes as the shopper typed them do not matter. */
export const discountSchema = z.strictObject({ code: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters').transform(normalizeDiscountCode) });

/** `POST /v1/checkouts/{id}/complete`: everything optional; what is missing comes from the checkout, then the profile's defaults. */
export const completeSchema = z.strictObject({
  payment_method_id: uuid.optional(),
  saved_address_id: uuid.optional(),
  /** The total the shopper saw; when the cart changed since, the answer is 409 and nothing is charged. */
  expected_total: money.optional(),
});

export type CreateCheckoutInput = z.output<typeof createCheckoutSchema>;
export type CompleteInput = z.output<typeof completeSchema>;

import { z } from 'zod';
import type { PostalAddress } from '../../checkout/addresses/address';
import { DEFAULT_SUGGESTIONS } from '../../checkout/addresses/autocomplete-query';
import { addressChangeSchema, newAddressSchema, newPaymentMethodSchema, paymentMethodChangeSchema } from '../../checkout/profiles/profile-input';
import {
  completeSchema,
  contactSchema,
  createCheckoutSchema,
  discountSchema,
  paymentMethodChoiceSchema,
  shippingAddressSchema,
  shippingMethodSchema,
} from '../../checkout/sessions/checkout-input';
import { redeemRequestSchema, validateRequestSchema } from '../../discounts/discount-request-schema';
import { type ApiRoute, route } from '../api-route';

/**
 * The postal address the offline validator reads (checkout/addresses/normalise-address.ts, by hand, with rules per
 * country). Described here field for field; `SAME_FIELDS` breaks the build when PostalAddress changes without it.
 */
export const postalAddressSchema = z
  .looseObject({
    name: z.string().optional(),
    company: z.string().optional(),
    line1: z.string(),
    line2: z.string().optional(),
    city: z.string().optional().meta({ description: 'Required except where the country has a default city (e.g. Singapore).' }),
    region: z.string().optional().meta({ description: 'State, province or county, where the country has them (code or name).' }),
    postalCode: z.string().optional().meta({ description: 'Required where the country uses postal codes; reformatted to its canonical form.' }),
    countryCode: z.string().meta({ description: 'ISO 3166-1 alpha-2 (a few names such as "UK" are accepted).' }),
  })
  .meta({ description: 'A postal address; fields are normalised (casing, postal code format, region code), and each problem is named by its field.' });
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const SAME_FIELDS: Same<keyof typeof postalAddressSchema.shape, keyof PostalAddress> = true;

const ADDRESS = { name: 'Ada Lovelace', line1: '12 main street', city: 'springfield', region: 'IL', postalCode: '62701', countryCode: 'US' };
const CART = { items: [{ sku: 'BOOT-TRAIL-42', name: 'Trail boot', quantity: 2, unit_price: 59.5 }], currency: 'USD' };

export const EXAMPLE_CUSTOMER_ID = 'cus_1042';
export const EXAMPLE_DISCOUNT_CODE = 'COMEBACK-7KQ2';
export const EXAMPLE_PAYMENT_METHOD_ID = '0b6f2c1e-8d4a-4e7b-9f3c-5a1d2e3f4a5b';

const checkoutParams = { id: 'The checkout id `POST /v1/checkouts` returned (`co_` and 32 hex digits).' };
const customerParams = { customerId: 'The merchant\'s own customer id (1–200 visible ASCII characters).' };
const session = (description: string) => ({ 200: { description } });
const shopper = { checkoutId: 'chk_8841', customerId: EXAMPLE_CUSTOMER_ID, cartValue: 119 };

export const storefrontRoutes: ApiRoute[] = [
  route('POST /v1/discounts/validate', {
    tag: 'Discounts',
    summary: 'Check a discount code for a checkout',
    description: 'A refused code is an answer, not an error: `200 { valid: false, reason, message }`. Limited per source (429 with Retry-After).',
    security: 'writeKey',
    body: validateRequestSchema,
    responses: { 200: { description: 'Whether the code applies, and its offer.' } },
    errors: [400, 429],
    examples: [{ summary: 'A recovery code at checkout', value: { code: EXAMPLE_DISCOUNT_CODE, ...shopper } }],
  }),
  route('POST /v1/discounts/redeem', {
    tag: 'Discounts',
    summary: 'Redeem a discount code for an order',
    description: 'Once per code: 409 when another order used it, 422 when it does not apply.',
    security: 'writeKey',
    body: redeemRequestSchema,
    responses: { 200: { description: 'Redeemed.' } },
    errors: [400, 409, 422],
    examples: [{ summary: 'The order that used the code', value: { code: EXAMPLE_DISCOUNT_CODE, ...shopper, orderId: 'ord_5521' } }],
  }),
  route('POST /v1/addresses/validate', {
    tag: 'Addresses',
    summary: 'Normalise and check a postal address',
    description: 'An invalid address is an answer (`200 { valid: false, problems }`); a body that is not an object is a 400. With an address provider configured, also whether the address exists.',
    security: 'writeKey',
    body: postalAddressSchema,
    responses: { 200: { description: 'The normalised address, or its problems by field.' } },
    errors: [400],
    examples: [{ summary: 'A US address typed in lower case', value: ADDRESS }],
  }),
  route('GET /v1/addresses/autocomplete', {
    tag: 'Addresses',
    summary: 'Suggest addresses as the customer types',
    security: 'writeKey',
    query: z.object({
      q: z.string().min(3).max(200).meta({ description: 'The address text typed so far (3–200 characters).' }),
      country: z.string().optional().meta({ description: 'ISO 3166-1 alpha-2 code to search in.' }),
      limit: z.string().regex(/^\d{1,2}$/).optional().meta({ description: `1–10 suggestions (default ${DEFAULT_SUGGESTIONS}).` }),
      proximity: z.string().optional().meta({ description: '"longitude,latitude" to rank nearby addresses first.' }),
    }),
    responses: { 200: { description: '`{ suggestions: [...] }`.' } },
    errors: [400, 429, 501, 503],
  }),

  route('POST /v1/checkouts', {
    tag: 'Checkout',
    summary: 'Create a checkout from a cart',
    description: 'With `customer_id`, the checkout starts from the customer\'s saved address and card.',
    security: 'serverKey',
    body: createCheckoutSchema,
    responses: { 201: { description: 'The checkout with its totals.' } },
    errors: [400],
    examples: [{ summary: 'A returning customer\'s cart', value: { customer_id: EXAMPLE_CUSTOMER_ID, email: 'ada@example.com', cart: CART } }],
  }),
  route('GET /v1/checkouts/{id}', { tag: 'Checkout', summary: 'Read a checkout', security: 'serverKey', params: checkoutParams, responses: session('The checkout with its totals.'), errors: [400, 404] }),
  route('PUT /v1/checkouts/{id}/contact', {
    tag: 'Checkout',
    summary: 'Set the contact email or phone',
    security: 'serverKey',
    params: checkoutParams,
    body: contactSchema,
    responses: session('The updated checkout.'),
    errors: [400, 404, 409],
    examples: [{ summary: 'Email and phone', value: { email: 'ada@example.com', phone: '+14155552671' } }],
  }),
  route('PUT /v1/checkouts/{id}/shipping-address', {
    tag: 'Checkout',
    summary: 'Set the shipping address',
    description: 'Either an `address` (normalised and checked) or a `saved_address_id` of the customer.',
    security: 'serverKey',
    params: checkoutParams,
    body: shippingAddressSchema,
    responses: session('The updated checkout.'),
    errors: [400, 404, 409],
    examples: [{ summary: 'A new address', value: { address: ADDRESS } }],
  }),
  route('PUT /v1/checkouts/{id}/shipping-method', {
    tag: 'Checkout',
    summary: 'Choose the shipping method',
    security: 'serverKey',
    params: checkoutParams,
    body: shippingMethodSchema,
    responses: session('The updated checkout and totals.'),
    errors: [400, 404, 409],
    examples: [{ summary: 'Standard shipping', value: { id: 'std', label: 'Standard (3–5 days)', amount: 4.99 } }],
  }),
  route('PUT /v1/checkouts/{id}/payment-method', {
    tag: 'Checkout',
    summary: 'Choose one of the customer\'s saved cards',
    security: 'serverKey',
    params: checkoutParams,
    body: paymentMethodChoiceSchema,
    responses: session('The updated checkout.'),
    errors: [400, 404, 409, 422],
    examples: [{ summary: 'A saved card', value: { payment_method_id: EXAMPLE_PAYMENT_METHOD_ID } }],
  }),
  route('PUT /v1/checkouts/{id}/discount', {
    tag: 'Checkout',
    summary: 'Apply a discount code',
    security: 'serverKey',
    params: checkoutParams,
    body: discountSchema,
    responses: session('The checkout with the discount in its totals.'),
    errors: [400, 404, 409, 422],
    examples: [{ summary: 'The code from a reminder', value: { code: EXAMPLE_DISCOUNT_CODE } }],
  }),
  route('DELETE /v1/checkouts/{id}/discount', { tag: 'Checkout', summary: 'Remove the discount code', security: 'serverKey', params: checkoutParams, responses: session('The checkout without the discount.'), errors: [400, 404, 409] }),
  route('POST /v1/checkouts/{id}/complete', {
    tag: 'Checkout',
    summary: 'Complete the checkout in one click',
    description:
      'What the body leaves out comes from the checkout, then the customer\'s saved defaults. One charge per checkout however many concurrent attempts; an `Idempotency-Key` replayed returns the first answer. 409 `price_changed` when `expected_total` is not the current total (nothing charged); 202 while a payment is being confirmed.',
    security: 'serverKey',
    params: checkoutParams,
    headers: { 'Idempotency-Key': { description: 'Makes retries safe: the same key returns the first result.' } },
    body: completeSchema,
    responses: { 200: { description: 'Paid: the order id and payment.' }, 202: { description: 'The payment is being confirmed; retry with the same key.' } },
    errors: [400, 402, 404, 409, 422],
    examples: [{ summary: 'Pay the total the shopper saw', value: { expected_total: 123.99 } }],
  }),

  route('GET /v1/customers/{customerId}/profile', { tag: 'Profiles', summary: 'Read a customer\'s saved addresses and cards', security: 'serverKey', params: customerParams, responses: session('Addresses, cards and the defaults.'), errors: [400] }),
  route('GET /v1/customers/{customerId}/addresses', { tag: 'Profiles', summary: 'List saved addresses', security: 'serverKey', params: customerParams, responses: session('`{ data: [...] }`.'), errors: [400] }),
  route('POST /v1/customers/{customerId}/addresses', {
    tag: 'Profiles',
    summary: 'Save an address',
    description: 'The address is normalised and checked (`address.<field>` names each problem); the first one saved is the default.',
    security: 'serverKey',
    params: customerParams,
    body: newAddressSchema,
    responses: { 201: { description: 'The saved address.' } },
    errors: [400],
    examples: [{ summary: 'A home address', value: { label: 'Home', address: ADDRESS, is_default: true } }],
  }),
  route('GET /v1/customers/{customerId}/addresses/{id}', { tag: 'Profiles', summary: 'Read a saved address', security: 'serverKey', params: { ...customerParams, id: 'The saved address id (UUID).' }, responses: session('The address.'), errors: [400, 404] }),
  route('PATCH /v1/customers/{customerId}/addresses/{id}', {
    tag: 'Profiles',
    summary: 'Change a saved address',
    security: 'serverKey',
    params: { ...customerParams, id: 'The saved address id (UUID).' },
    body: addressChangeSchema,
    responses: session('The changed address.'),
    errors: [400, 404],
    examples: [{ summary: 'Rename it and make it the default', value: { label: 'Office', is_default: true } }],
  }),
  route('DELETE /v1/customers/{customerId}/addresses/{id}', { tag: 'Profiles', summary: 'Delete a saved address', security: 'serverKey', params: { ...customerParams, id: 'The saved address id (UUID).' }, responses: { 204: { description: 'Deleted.' } }, errors: [400, 404] }),
  route('GET /v1/customers/{customerId}/payment-methods', { tag: 'Profiles', summary: 'List saved cards', security: 'serverKey', params: customerParams, responses: session('`{ data: [...] }` (never the tokens).'), errors: [400] }),
  route('POST /v1/customers/{customerId}/payment-methods', {
    tag: 'Profiles',
    summary: 'Save a tokenized card',
    description: 'Only the payment provider\'s token: a card number, `cvc` or `cvv` is refused by name.',
    security: 'serverKey',
    params: customerParams,
    body: newPaymentMethodSchema(new Date()),
    responses: { 201: { description: 'The saved card (without its token).' } },
    errors: [400],
    examples: [{ summary: 'A Stripe card', value: { provider: 'stripe', token: 'pm_card_visa', brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2031 } }],
  }),
  route('PATCH /v1/customers/{customerId}/payment-methods/{id}', {
    tag: 'Profiles',
    summary: 'Make a saved card the default',
    security: 'serverKey',
    params: { ...customerParams, id: 'The saved card id (UUID).' },
    body: paymentMethodChangeSchema,
    responses: session('The card, now the default.'),
    errors: [400, 404],
    examples: [{ summary: 'Make it the default', value: { is_default: true } }],
  }),
  route('DELETE /v1/customers/{customerId}/payment-methods/{id}', { tag: 'Profiles', summary: 'Delete a saved card', security: 'serverKey', params: { ...customerParams, id: 'The saved card id (UUID).' }, responses: { 204: { description: 'Deleted.' } }, errors: [400, 404] }),
];

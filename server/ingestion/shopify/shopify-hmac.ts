import { createHmac, timingSafeEqual } from 'node:crypto';

/** A SHA-256 digest in standard, padded base64: 43 characters and one `=`. */
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Whether `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the body's exact bytes under the shared secret.
 * An absent, empty or garbled header, or an empty secret, is simply not a valid signature.
 */
export function verifyShopifyHmac(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  if (typeof secret !== 'string' || secret === '' || typeof header !== 'string') return false;
  const given = header.trim();
  if (!BASE64_SHA256.test(given)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const received = Buffer.from(given, 'base64');
  return received.length === expected.length && timingSafeEqual(received, expected);
}

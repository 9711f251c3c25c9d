import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyShopifyHmac } from './shopify-hmac';

const SECRET = 'shpss_0123456789abcdef0123456789abcdef';
const body = Buffer.from(JSON.stringify({ id: 820982911946154508, email: 'jon@example.com', total_price: '598.94' }), 'utf8');
const sign = (bytes: Buffer, secret = SECRET) => createHmac('sha256', secret).update(bytes).digest('base64');

describe('verifyShopifyHmac', () => {
  it('accepts the base64 HMAC-SHA256 of the exact body bytes under the shared secret', () => {
    expect(verifyShopifyHmac(body, sign(body), SECRET)).toBe(true);
  });

  it('tolerates surrounding whitespace in the header', () => {
    expect(verifyShopifyHmac(body, ` ${sign(body)}\t`, SECRET)).toBe(true);
  });

  it('is computed over bytes, not characters: non-ASCII bodies verify, and re-encoded ones do not', () => {
    const utf8 = Buffer.from('{"note":"Grüße — 東京"}', 'utf8');
    expect(verifyShopifyHmac(utf8, sign(utf8), SECRET)).toBe(true);
    const latin1 = Buffer.from('{"note":"Grüße — 東京"}', 'latin1');
    expect(verifyShopifyHmac(latin1, sign(utf8), SECRET)).toBe(false);
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyShopifyHmac(body, sign(body, 'shpss_someone_else'), SECRET)).toBe(false);
  });

  it('rejects a body changed after signing, even by one byte or by re-serialising it', () => {
    const signature = sign(body);
    const tampered = Buffer.from(body);
    tampered[tampered.length - 3] ^= 1;
    expect(verifyShopifyHmac(tampered, signature, SECRET)).toBe(false);
    const reformatted = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2));
    expect(verifyShopifyHmac(reformatted, signature, SECRET)).toBe(false);
  });

  it('rejects the hex form of the right digest (Shopify sends base64)', () => {
    const hex = createHmac('sha256', SECRET).update(body).digest('hex');
    expect(verifyShopifyHmac(body, hex, SECRET)).toBe(false);
  });

  it('returns false, never throws, for an absent, empty or garbled header', () => {
    for (const header of [undefined, '', '   ', 'not base64 at all!', 'c2hvcnQ=', `${sign(body)}AAAA`, sign(body).slice(0, -1), `${sign(body).slice(0, -2)}!=`]) {
      expect(verifyShopifyHmac(body, header, SECRET)).toBe(false);
    }
  });

  it('returns false when the secret is empty, even for a signature made with an empty key', () => {
    expect(verifyShopifyHmac(body, sign(body, ''), '')).toBe(false);
  });

  it('verifies an empty body like any other', () => {
    const empty = Buffer.alloc(0);
    expect(verifyShopifyHmac(empty, sign(empty), SECRET)).toBe(true);
    expect(verifyShopifyHmac(empty, sign(body), SECRET)).toBe(false);
  });
});

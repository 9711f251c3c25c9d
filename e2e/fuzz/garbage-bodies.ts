import fc from 'fast-check';
import { toJsonText } from './body-mutations';

/**
 * Bodies that are not what the route reads at all: random bytes, cut or corrupted JSON, bytes that are not UTF-8,
 * JSON under the wrong content type (or a compression it is not in), and the form routes' equivalents.
 */
export interface RawBody {
  raw: string | Uint8Array;
  contentType?: string;
  /** Extra headers that belong to the body (Content-Encoding). */
  headers?: Record<string, string>;
}

const bytes = (...values: number[]) => Uint8Array.from(values);

const FIXED: RawBody[] = [
  { raw: '', contentType: 'application/json' },
  { raw: 'null', contentType: 'application/json' },
  { raw: '[]', contentType: 'application/json' },
  { raw: '"text"', contentType: 'application/json' },
  { raw: '0', contentType: 'application/json' },
  { raw: 'true', contentType: 'application/json' },
  { raw: 'NaN', contentType: 'application/json' },
  { raw: '{"a":1,"a":2}', contentType: 'application/json' },
  { raw: '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}', contentType: 'application/json' },
  { raw: '{"a":"\\ud800"}', contentType: 'application/json' },
  { raw: '{"a":"\\u0000"}', contentType: 'application/json' },
  { raw: '{"\\ud800":1}', contentType: 'application/json' },
  { raw: '{}', contentType: 'application/json; charset=utf-16' },
  { raw: '<?xml version="1.0"?><a>1</a>', contentType: 'text/xml' },
  { raw: '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n', contentType: 'multipart/form-data; boundary=b' },
  { raw: 'a=1&b[c]=2&__proto__[polluted]=yes', contentType: 'application/x-www-form-urlencoded' },
  { raw: '%ZZ=%&=&&==%ED%A0%80&%00=%00', contentType: 'application/x-www-form-urlencoded' },
  { raw: bytes(0x00, 0x01, 0xff, 0xfe), contentType: 'application/octet-stream' },
  { raw: '{"a":1}' },
  { raw: '{"a":1}', contentType: '' },
  { raw: '{"a":1}', contentType: 'application/json', headers: { 'content-encoding': 'gzip' } },
  { raw: '{"a":1}', contentType: 'application/json', headers: { 'content-encoding': 'deflate' } },
  { raw: '{"a":1}', contentType: 'application/json', headers: { 'content-encoding': 'br' } },
  { raw: bytes(0x1f, 0x8b, 0x08, 0x00, 0x00), contentType: 'application/json', headers: { 'content-encoding': 'gzip' } },
  // Not UTF-8: an overlong "/", an encoded surrogate half, a stray continuation byte, all inside a JSON string.
  { raw: bytes(0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d), contentType: 'application/json' },
  { raw: bytes(0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d), contentType: 'application/json' },
  { raw: bytes(0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x80, 0x22, 0x7d), contentType: 'application/json' },
  { raw: bytes(0xef, 0xbb, 0xbf, 0x7b, 0x7d), contentType: 'application/json' },
];

export function garbageArbitrary(example: unknown, contentType: string): fc.Arbitrary<RawBody> {
  const text = example === undefined ? '{"a":1}' : contentType === 'application/x-www-form-urlencoded' ? new URLSearchParams(example as Record<string, string>).toString() : toJsonText(example);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...FIXED) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 512 }).map((raw) => ({ raw, contentType })) },
    // Cut anywhere: a client that lost its connection, or a proxy that truncated.
    { weight: 2, arbitrary: fc.nat({ max: Math.max(0, text.length - 1) }).map((n) => ({ raw: text.slice(0, n), contentType })) },
    // One byte changed.
    {
      weight: 2,
      arbitrary: fc.tuple(fc.nat({ max: Math.max(0, text.length - 1) }), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
        const raw = Buffer.from(text);
        raw[Math.min(i, raw.length - 1)] = b;
        return { raw: Uint8Array.from(raw), contentType };
      }),
    },
    // The example itself under a content type the route does not read it as.
    { weight: 2, arbitrary: fc.constantFrom('text/plain', 'text/html', 'application/xml', 'application/x-www-form-urlencoded', 'application/json', 'application/vnd.api+json', 'image/png').map((type) => ({ raw: text, contentType: type })) },
    // Far beyond the body limit (512 KB).
    { weight: 1, arbitrary: fc.constantFrom(600_000, 2_000_000).map((n) => ({ raw: `{"a":"${'x'.repeat(n)}"}`, contentType })) },
  );
}

import fc from 'fast-check';

/**
 * The values an attacker (or a broken client) puts where a field's value goes: wrong types, numbers at the
 * edges of what JSON, JavaScript and PostgreSQL can hold, strings PostgreSQL cannot store, strings that look
 * like code, and sizes far beyond anything real.
 */

/** A fragment of JSON text inserted as it is, for what `JSON.stringify` cannot write (1e400, depth 20 000). */
export class RawJson {
  constructor(readonly text: string) {}
}

export const deepNesting = (depth: number, kind: 'array' | 'object'): RawJson =>
  new RawJson(kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`);

const edgeNumbers: unknown[] = [
  0, -0, -1, 1, 0.1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 1, -(2 ** 53) - 1, 2 ** 63, 2 ** 64, 1e21, 1e308, -1e308, 5e-324, 1.7976931348623157e308,
  // Literals that parse to Infinity or lose precision; JSON.stringify cannot write them.
  new RawJson('1e400'), new RawJson('-1e400'), new RawJson('123456789012345678901234567890'), new RawJson('-0.0'), new RawJson('1E+2'),
  // Numbers as text, where a number is expected (and the reverse below).
  'NaN', 'Infinity', '-Infinity', '-0', '1e308', '0x10', '1_000', ' 1', '１２', '',
];

const edgeStrings: string[] = [
  '', ' ', '\ud800', '\udfff', 'a\ud800b', '\udc00\ud800', '\u0000', 'a\u0000b', '\u202eRTL override', '\u200f\u200e', '\ufeffBOM', 'e\u0301\u0301\u0301',
  '😀', '👩‍👩‍👧‍👦', '\u{10ffff}', '\uffff', '\r\n', '\t', '\\', '"', "'", '`',
  "' OR 1=1 --", '"; DROP TABLE events; --', '{{constructor.constructor}}', '{{{resumeUrl}}}', '{{#each}}', '<script>alert(1)</script>', '${7*7}',
  '../../../../etc/passwd', '%00', '%ED%A0%80', 'null', 'undefined', 'true', '[]', '{}', '__proto__', 'constructor', '$where',
  'x'.repeat(256), 'x'.repeat(10_001), '😀'.repeat(5_000), '\ud800'.repeat(100), 'ß'.repeat(3000),
  '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '0000-00-00', '2026-02-30T25:61:61Z', '+275760-09-13T00:00:00.001Z',
];

/** Keys that reach prototypes, query operators, or limits of key handling. */
export const HOSTILE_KEYS: string[] = [
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '$where', '$gt', '$ne', '$regex',
  '', ' ', 'a.b', 'a[0]', '\u0000', '\ud800', '😀', "'; DROP TABLE events;--", 'k'.repeat(10_000),
];

export const hostileString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...edgeStrings) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    // A lone surrogate somewhere in an otherwise ordinary string.
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 10 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 10 })).map(([a, c, b]) => `${a}${String.fromCharCode(c)}${b}`) },
  );

export const hostileNumber = (): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...edgeNumbers) }, { weight: 1, arbitrary: fc.double() }, { weight: 1, arbitrary: fc.integer() });

/** Something of another shape than the field holds, or something huge. */
export const hostileValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: hostileString() },
    { weight: 3, arbitrary: hostileNumber() },
    { weight: 2, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], { '': null }, [[]], [{}]) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom(2, 33, 200, 1_000, 5_000, 20_000).chain((depth) => fc.constantFrom(deepNesting(depth, 'array'), deepNesting(depth, 'object'))) },
    { weight: 1, arbitrary: fc.constantFrom(1_000, 100_000, 600_000).map((length) => 'A'.repeat(length)) },
    { weight: 1, arbitrary: fc.constantFrom(1_000, 20_000).map((length) => Array.from({ length }, (_, i) => i)) },
    { weight: 1, arbitrary: fc.constantFrom(500, 5_000).map((length) => Object.fromEntries(Array.from({ length }, (_, i) => [`k${i}`, i]))) },
  );

/** `{ [key]: value }` with the key as an own property, as JSON.parse makes it (so `__proto__` is sent too). */
export function ownProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The value a hostile key carries: a pollution attempt for the prototype keys, anything otherwise. */
export const valueForKey = (key: string): fc.Arbitrary<unknown> =>
  key === '__proto__' ? fc.constant({ polluted: 'yes', isAdmin: true }) : key === 'constructor' ? fc.constant({ prototype: { polluted: 'yes' } }) : hostileValue();

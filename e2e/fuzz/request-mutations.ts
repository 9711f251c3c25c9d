import fc from 'fast-check';
import type { z } from 'zod';
import { HOSTILE_KEYS, hostileString } from './hostile-values';

/**
 * Mutations of what travels in the address: path parameters (a real id changed, cut, replaced) and query
 * strings (the route's own parameters with hostile values, repeated, unknown ones, broken percent-encoding).
 */

/** Percent-encoding that also writes lone surrogates (as their 3-byte form, which is not UTF-8). */
export function encodeUnit(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`.toUpperCase();
    else out += encodeURIComponent(char);
  }
  return out;
}

/** Already-encoded pieces no encoder makes. */
const BROKEN_ENCODINGS = ['%', '%Z', '%ZZ', '%00', '%ED%A0%80', '%C0%AF', '%FF', '%2e%2e', '..', '.', '%2F', ';', '%3B%3B', '%25', '%u0041'];

export const pathParamArbitrary = (valid: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(encodeUnit(valid)) },
    { weight: 2, arbitrary: fc.nat({ max: Math.max(0, valid.length - 1) }).map((n) => encodeUnit(valid.slice(0, n) || 'x')) },
    { weight: 2, arbitrary: hostileString().map((suffix) => encodeUnit(`${valid}${suffix}`)) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.nat({ max: Math.max(0, valid.length - 1) }), fc.constantFrom('0', 'f', 'Z', '-', '.', '_', 'é', '\ud800')).map(([i, c]) => encodeUnit(`${valid.slice(0, i)}${c}${valid.slice(i + 1)}`)),
    },
    { weight: 3, arbitrary: hostileString().filter((s) => s.length > 0).map(encodeUnit) },
    { weight: 1, arbitrary: fc.uuid().map(encodeUnit) },
    { weight: 1, arbitrary: fc.constantFrom('0', '-1', '-0', 'NaN', '1e308', '99999999999999999999', '00000000-0000-0000-0000-000000000000', 'co_', `co_${'0'.repeat(32)}`) },
    { weight: 2, arbitrary: fc.constantFrom(...BROKEN_ENCODINGS).map((raw) => `${encodeUnit(valid)}${raw}`) },
  );

/** Values the list routes (react-admin's `filter`, `sort`, `range`) and the report routes read as JSON or text. */
const LIST_VALUES = [
  '[0,24]', '[1e20,1e20]', '[0,1e308]', '[-1,5]', '[5,1]', '[0,"a"]', '[]', '[0]', '[0,1,2]', '[0.5,1.5]', '[9007199254740993,9007199254740999]', '[null,null]', '{"a":1}', '[0,-0]',
  '["id","ASC"]', '["id","SIDEWAYS"]', '["__proto__","ASC"]', '["constructor","DESC"]', '["; DROP TABLE events","ASC"]', '[["id"],"ASC"]',
  '{}', '{"q":"boots"}', '{"q":["a"]}', '{"q":{"$gt":""}}', '{"__proto__":{"polluted":"yes"}}', '{"id":[]}', '{"id":["not-a-uuid"]}', '{"q":"\\ud800"}', '{"q":"\\u0000"}',
  '{"status":1e400}', '{"from":"9999-99-99"}', 'null', '"', '[', '{', 'true',
  '2026-02-30', '0000-01-01', '9999-12-31', 'csv', 'json', 'xml', 'day', 'week', '1h', 'contact:1h,completed:3d', 'contact:99999d', 'a:b:c', ',,,',
];

/** Plausible values by parameter name, for those whose schema gives no example (days, ids, step numbers). */
const BY_NAME: Record<string, string[]> = {
  from: ['2026-11-01'],
  to: ['2026-11-30'],
  stepIndex: ['0', '1'],
  campaignId: ['00000000-0000-4000-8000-000000000000'],
  sourceId: ['00000000-0000-4000-8000-000000000000'],
  q: ['12 main street springfield'],
  limit: ['5'],
  sort: ['["createdAt","DESC"]'],
};

/** A plausible value of one query parameter: an enum's option, the documented example, or one by its name. */
function plausible(schema: z.ZodType | undefined, name: string): string[] {
  return [...new Set([...fromSchema(schema), ...(Object.hasOwn(BY_NAME, name) ? BY_NAME[name] : [])])];
}

function fromSchema(schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  const def = (schema as { def?: { type?: string; innerType?: z.ZodType; entries?: Record<string, string> } }).def;
  if (def?.type === 'optional' || def?.type === 'default') return fromSchema(def.innerType);
  const values: string[] = [];
  if (def?.type === 'enum' && def.entries) values.push(...Object.values(def.entries).map(String));
  const example = (schema.meta?.() as { example?: unknown } | undefined)?.example;
  if (typeof example === 'string') values.push(example);
  return values;
}

/** A query string (without `?`) for a route reading `query`'s parameters (none for most write routes). */
export function queryArbitrary(query: z.ZodObject | undefined): fc.Arbitrary<string> {
  const shape = (query?.shape ?? {}) as Record<string, z.ZodType>;
  const known = Object.keys(shape);
  const key = known.length ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_KEYS, 'limit', 'offset') }) : fc.constantFrom(...HOSTILE_KEYS, 'filter', 'range');
  const pair = key.chain((k) =>
    fc
      .oneof(
        // Often a plausible value, so that a case can be wrong in one parameter only and reach the route's code.
        { weight: plausible(shape[k], k).length ? 4 : 0, arbitrary: fc.constantFrom(...(plausible(shape[k], k).length ? plausible(shape[k], k) : [''])) },
        { weight: 2, arbitrary: fc.constantFrom(...LIST_VALUES) },
        { weight: 2, arbitrary: hostileString() },
      )
      .map((value) => `${encodeUnit(k)}=${encodeUnit(value)}`),
  );
  const piece = fc.oneof({ weight: 5, arbitrary: pair }, { weight: 1, arbitrary: fc.constantFrom(...BROKEN_ENCODINGS, '&&', '=', 'a[b]=c', 'range[]=1', 'range[0]=1') });
  return fc.array(piece, { minLength: 1, maxLength: known.length ? 5 : 2 }).map((pieces) => pieces.join('&'));
}

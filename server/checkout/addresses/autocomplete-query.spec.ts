import { describe, expect, it } from 'vitest';
import { parseAutocompleteQuery } from './autocomplete-query';

describe('parseAutocompleteQuery', () => {
  it('reads the query with defaults, ignoring parameters that are not its own', () => {
    expect(parseAutocompleteQuery({ q: '  10   Downing ', writeKey: 'wk_1' })).toEqual({ ok: true, query: { q: '10 Downing', limit: 5 } });
    expect(parseAutocompleteQuery({ q: '10 Downing', country: 'uk', limit: '10', proximity: '-0.1276, 51.5034' })).toEqual({
      ok: true,
      query: { q: '10 Downing', country: 'GB', limit: 10, proximity: { longitude: -0.1276, latitude: 51.5034 } },
    });
    expect(parseAutocompleteQuery({ q: 'Rue', country: 'fr', limit: '' })).toMatchObject({ ok: true, query: { country: 'FR', limit: 5 } });
  });

  it('names every problem by its parameter', () => {
    const result = parseAutocompleteQuery({ q: 'ab', country: 'ZZ', limit: '11', proximity: '200,1' });
    expect(result).toEqual({
      ok: false,
      problems: [
        { parameter: 'q', message: 'must be at least 3 characters (it has 2)' },
        { parameter: 'country', message: '"ZZ" is not a country we can check addresses for' },
        { parameter: 'limit', message: 'must be a whole number from 1 to 10 (got "11")' },
        { parameter: 'proximity', message: 'must be "longitude,latitude" in degrees, like "-0.1276,51.5034" (got "200,1")' },
      ],
    });
  });

  it('refuses a missing, blank or overlong q, a malformed country or limit, and a repeated parameter', () => {
    const problem = (query: Record<string, unknown>) => (parseAutocompleteQuery(query) as { problems: { parameter: string; message: string }[] }).problems;
    expect(problem({})).toEqual([{ parameter: 'q', message: 'is required: the address text typed so far' }]);
    expect(problem({ q: '   ' })[0].message).toMatch(/is required/);
    expect(problem({ q: 'x'.repeat(201) })).toEqual([{ parameter: 'q', message: 'must be at most 200 characters (it has 201)' }]);
    expect(problem({ q: 'abc', country: 'USA' })).toEqual([{ parameter: 'country', message: '"USA" is not an ISO 3166-1 alpha-2 code (like "US")' }]);
    expect(problem({ q: 'abc', limit: '0' })[0].parameter).toBe('limit');
    expect(problem({ q: 'abc', limit: '2.5' })[0].parameter).toBe('limit');
    expect(problem({ q: 'abc', limit: 'five' })[0].parameter).toBe('limit');
    expect(problem({ q: ['abc', 'def'] })).toEqual([{ parameter: 'q', message: 'must be given once' }]);
    expect(problem({ q: 'abc', proximity: 'ip' })[0].parameter).toBe('proximity');
  });
});

import { describe, expect, it } from 'vitest';
import { jsonLimitProblem, MAX_JSON_DEPTH } from './json-limits';

const nested = (levels: number, key = 'a') => JSON.parse(`${`{"${key}":`.repeat(levels)}1${'}'.repeat(levels)}`);

describe('JSON limits', () => {
  it('allows 32 levels and names the path (shortened) of the 33rd', () => {
    expect(jsonLimitProblem(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(jsonLimitProblem(nested(MAX_JSON_DEPTH + 1))).toEqual({ path: 'a.a.a.a.a.a.a.a…', message: 'is nested deeper than 32 levels of objects and arrays' });
    expect(jsonLimitProblem(JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`))).toMatchObject({ path: '[0][0][0][0][0][0][0][0]…' });
  });

  it('walks 100,000 levels without overflowing its own stack', () => {
    expect(jsonLimitProblem(nested(100_000), 100_001)).toBeUndefined();
    expect(jsonLimitProblem(nested(100_000))?.message).toMatch(/deeper than 32/);
  });

  it('finds lone surrogates and NUL in values and keys, with their path', () => {
    expect(jsonLimitProblem({ cart: { items: [{ name: 'ok' }, { name: 'x\ud800' }] } })).toEqual({ path: 'cart.items[1].name', message: expect.stringMatching(/lone UTF-16 surrogate/) });
    expect(jsonLimitProblem({ a: '\udc00 low first' })?.path).toBe('a');
    expect(jsonLimitProblem({ a: 'pair \ud83d\ude00 ok', b: ['\u00e9'] })).toBeUndefined();
    expect(jsonLimitProblem({ a: 'x\u0000' })).toMatchObject({ path: 'a', message: expect.stringMatching(/NUL/) });
    expect(jsonLimitProblem({ ['k\u0000']: 1 })).toMatchObject({ path: 'k\u0000', message: expect.stringMatching(/^the key contains a NUL/) });
    expect(jsonLimitProblem('\ud800')).toMatchObject({ path: '' });
  });

  it('shortens long keys in the path', () => {
    expect(jsonLimitProblem({ ['k'.repeat(100)]: '\ud800' })?.path).toBe(`${'k'.repeat(40)}…`);
  });
});

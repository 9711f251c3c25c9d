import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, CODE_LENGTH, generateDiscountCode, normalizeDiscountCode } from './discount-code-generator';

describe('generateDiscountCode', () => {
  it('makes 12 upper-case characters of the unambiguous alphabet, carrying at least 50 random bits', () => {
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(new Set(CODE_ALPHABET).size).toBe(32);
    expect(CODE_ALPHABET).not.toMatch(/[01OI]/);
    expect(CODE_LENGTH * Math.log2(CODE_ALPHABET.length)).toBeGreaterThanOrEqual(50);
    for (let i = 0; i < 200; i++) expect(generateDiscountCode()).toMatch(/^[A-HJ-NP-Z2-9]{12}$/);
  });

  it('does not repeat and uses every symbol about evenly', () => {
    const codes = Array.from({ length: 5000 }, () => generateDiscountCode());
    expect(new Set(codes).size).toBe(codes.length);
    const counts = new Map<string, number>();
    for (const c of codes.join('')) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(32);
    const expected = (5000 * 12) / 32; // 1875; a biased generator would drift far outside ±15 %
    for (const n of counts.values()) expect(Math.abs(n - expected)).toBeLessThan(expected * 0.15);
  });
});

describe('normalizeDiscountCode', () => {
  it('ignores case, spaces and dashes', () => {
    expect(normalizeDiscountCode(' abcd-efgh 2345 ')).toBe('ABCDEFGH2345');
    expect(normalizeDiscountCode('ABCDEFGH2345')).toBe('ABCDEFGH2345');
  });
});

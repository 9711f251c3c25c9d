import { describe, expect, it } from 'vitest';
import type { PostalAddress } from './address';
import { verdict } from './verification-verdict';

const given: PostalAddress = { name: 'Ada Lovelace', line1: '1 Church Road', line2: 'Flat 2', city: 'London', postalCode: 'N1 1AA', countryCode: 'GB' };
const barnes: PostalAddress = { line1: '1 Church Road', city: 'London', postalCode: 'SW13 9HE', countryCode: 'GB' };
const manorPark: PostalAddress = { line1: '1 Church Road', city: 'London', postalCode: 'E12 6AQ', countryCode: 'GB' };
const recipient = { name: 'Ada Lovelace', line2: 'Flat 2' };

describe('verdict', () => {
  it('finds the one vouched-for address, keeping the recipient and flat', () => {
    expect(verdict(given, [{ address: barnes, confidence: 'exact' }])).toEqual({ status: 'found', confidence: 'exact', address: { ...barnes, ...recipient } });
    expect(verdict(given, [{ address: barnes, confidence: 'high' }, { address: manorPark, confidence: 'low' }])).toMatchObject({ status: 'found', confidence: 'high' });
  });

  it('prefers a single exact match over corrected ones', () => {
    expect(verdict(given, [{ address: manorPark, confidence: 'high' }, { address: barnes, confidence: 'exact' }])).toMatchObject({ status: 'found', address: { postalCode: 'SW13 9HE' } });
  });

  it('is ambiguous between equally good matches, or when only a twice-corrected one exists', () => {
    expect(verdict(given, [{ address: barnes, confidence: 'high' }, { address: manorPark, confidence: 'high' }])).toEqual({
      status: 'ambiguous',
      candidates: [
        { ...barnes, ...recipient },
        { ...manorPark, ...recipient },
      ],
    });
    expect(verdict(given, [{ address: barnes, confidence: 'medium' }, { address: manorPark, confidence: 'low' }])).toEqual({ status: 'ambiguous', candidates: [{ ...barnes, ...recipient }] });
  });

  it('counts the same address twice once', () => {
    expect(verdict(given, [{ address: barnes, confidence: 'high' }, { address: { ...barnes, city: 'LONDON' }, confidence: 'high' }])).toMatchObject({ status: 'found' });
  });

  it('finds nothing in low-confidence guesses or an empty answer', () => {
    expect(verdict(given, [{ address: barnes, confidence: 'low' }])).toEqual({ status: 'not_found' });
    expect(verdict(given, [])).toEqual({ status: 'not_found' });
  });
});

import { describe, expect, it } from 'vitest';
import { describeProblem } from './address';
import { COUNTRY_RULES } from './country-rules';
import { validateAddress } from './normalise-address';

function problems(input: unknown): string[] {
  const result = validateAddress(input);
  return result.ok ? [] : result.problems.map(describeProblem);
}

function address(input: unknown) {
  const result = validateAddress(input);
  if (!result.ok) throw new Error(result.problems.map(describeProblem).join('; '));
  return result.address;
}

const us = { name: 'Ada Lovelace', line1: '1 Market St', city: 'San Francisco', region: 'CA', postalCode: '94103', countryCode: 'US' };

describe('validateAddress', () => {
  it('returns a clean address unchanged', () => {
    expect(validateAddress(us)).toEqual({ ok: true, address: us });
  });

  it('normalises a sloppy US address', () => {
    expect(
      address({
        name: '  ADA   LOVELACE ',
        company: 'ACME Inc.',
        line1: '1 MARKET STREET',
        line2: 'suite 400',
        city: 'san   francisco',
        region: 'California',
        postalCode: '941031234',
        countryCode: 'us',
      }),
    ).toEqual({
      name: 'Ada Lovelace',
      company: 'ACME Inc.',
      line1: '1 Market St',
      line2: 'Ste 400',
      city: 'San Francisco',
      region: 'CA',
      postalCode: '94103-1234',
      countryCode: 'US',
    });
  });

  it('keeps mixed case as typed, and abbreviates within it', () => {
    expect(address({ ...us, line1: '1 MacArthur Boulevard', name: 'JJ de la Cruz', city: 'San francisco' })).toMatchObject({
      line1: '1 MacArthur Blvd',
      name: 'JJ de la Cruz',
      city: 'San francisco',
    });
  });

  it('abbreviates street types only in the US and Canada', () => {
    expect(address({ ...us, countryCode: 'CA', region: 'Ontario', postalCode: 'k1a0b1', city: 'ottawa', line1: '80 wellington street' })).toEqual({
      name: 'Ada Lovelace',
      line1: '80 Wellington St',
      city: 'Ottawa',
      region: 'ON',
      postalCode: 'K1A 0B1',
      countryCode: 'CA',
    });
    expect(address({ line1: '10 DOWNING STREET', city: 'LONDON', postalCode: 'sw1a2aa', countryCode: 'gb' })).toEqual({
      line1: '10 Downing Street',
      city: 'London',
      postalCode: 'SW1A 2AA',
      countryCode: 'GB',
    });
  });

  it('writes postal codes canonically for the brief’s examples', () => {
    const base = { line1: '1 Main', city: 'Town' };
    expect(address({ ...base, postalCode: '1234ab', countryCode: 'NL' }).postalCode).toBe('1234 AB');
    expect(address({ ...base, postalCode: '1000001', countryCode: 'JP', region: 'Tokyo' }).postalCode).toBe('100-0001');
    expect(address({ ...base, postalCode: '00950', countryCode: 'PL' }).postalCode).toBe('00-950');
    expect(address({ ...base, postalCode: '01310100', countryCode: 'BR', region: 'SP' }).postalCode).toBe('01310-100');
  });

  it.each(Object.entries(COUNTRY_RULES))('%s: accepts a minimal address with the example postal code', (code, rule) => {
    const region = rule.region?.list ? rule.region.list.example : rule.region ? 'Somewhere' : undefined;
    expect(validateAddress({ line1: '1 Main', city: 'Town', region, postalCode: rule.postalCode.example, countryCode: code }).ok).toBe(true);
  });

  it.each(Object.entries(COUNTRY_RULES))('%s: names the country’s format when the postal code is wrong', (code, rule) => {
    expect(problems({ line1: '1 Main', city: 'Town', region: rule.region?.list?.example ?? 'Somewhere', postalCode: 'ZZ-99999999', countryCode: code })).toEqual([
      expect.stringMatching(new RegExp(`^postalCode: "ZZ-99999999" is not an? ${rule.postalCode.label} \\(like "${rule.postalCode.example}"\\)$`)),
    ]);
  });

  it('gives the precise messages of the brief', () => {
    expect(problems({ line1: '1 Main', city: 'London', postalCode: '12345', countryCode: 'GB' })).toEqual(['postalCode: "12345" is not a UK postcode (like "SW1A 1AA")']);
    expect(problems({ ...us, region: undefined })).toEqual(['region: required for US (a state such as "CA")']);
    expect(problems({ ...us, countryCode: 'CA', region: '', postalCode: 'K1A 0B1' })).toEqual(['region: required for CA (a province or territory such as "ON")']);
    expect(problems({ ...us, countryCode: 'AU', region: null, postalCode: '2000' })).toEqual(['region: required for AU (a state or territory such as "NSW")']);
    expect(problems({ ...us, countryCode: 'IE', postalCode: 'D02 X28' })).toEqual(['postalCode: "D02 X28" is not an Eircode (like "D02 X285")']);
  });

  it('refuses a region not in the country’s list', () => {
    expect(problems({ ...us, region: 'Californa' })).toEqual(['region: "Californa" is not a US state (like "CA")']);
    expect(problems({ ...us, region: 'ON' })).toEqual(['region: "ON" is not a US state (like "CA")']);
  });

  it('keeps free-text regions elsewhere, required where carriers need them', () => {
    expect(address({ line1: '1-1 Chiyoda', city: 'Chiyoda-ku', region: 'Tokyo', postalCode: '1000001', countryCode: 'JP' }).region).toBe('Tokyo');
    expect(address({ line1: '1 Main', city: 'Paris', region: 'Île-de-France', postalCode: '75008', countryCode: 'FR' }).region).toBe('Île-de-France');
    expect(problems({ line1: '1 Main', city: 'Mumbai', postalCode: '400001', countryCode: 'IN' })).toEqual(['region: required for IN (a state such as "Maharashtra")']);
  });

  it('checks a Canadian postal code against the province', () => {
    const ottawa = { line1: '80 Wellington St', city: 'Ottawa', postalCode: 'K1A 0B1', countryCode: 'CA' };
    expect(problems({ ...ottawa, region: 'QC' })).toEqual(['postalCode: "K1A 0B1" is in ON, not QC']);
    expect(problems({ ...ottawa, postalCode: 'X0A 0H0', region: 'BC' })).toEqual(['postalCode: "X0A 0H0" is in NT or NU, not BC']);
    expect(validateAddress({ ...ottawa, postalCode: 'X0A 0H0', region: 'Nunavut' }).ok).toBe(true);
  });

  it('lets the postal code be missing only where the country allows', () => {
    expect(address({ line1: '1 Grafton Street', city: 'Dublin', countryCode: 'IE' })).toEqual({ line1: '1 Grafton Street', city: 'Dublin', countryCode: 'IE' });
    expect(problems({ line1: '1 Main', city: 'Berlin', countryCode: 'DE' })).toEqual(['postalCode: required for DE (like "10115")']);
  });

  it('fills in the city of a city-state', () => {
    expect(address({ line1: '1 Raffles Place', postalCode: '048616', countryCode: 'SG' }).city).toBe('Singapore');
    expect(address({ line1: '1 Raffles Place', city: 'singapore', postalCode: '048616', countryCode: 'SG' }).city).toBe('Singapore');
  });

  it('reports every problem at once, in field order', () => {
    expect(problems({ name: 42, line1: '  ', city: '', region: 'Narnia', postalCode: '1234', countryCode: 'US', phone: '+1 555' })).toEqual([
      'name: must be a string',
      'line1: required',
      'city: required for US',
      'region: "Narnia" is not a US state (like "CA")',
      'postalCode: "1234" is not a US ZIP code (like "94103")',
      'phone: is not a known field',
    ]);
  });

  it('still checks the other fields when the country is unknown', () => {
    expect(problems({ line1: '', city: 'Atlantis', countryCode: 'ZZ' })).toEqual(['line1: required', 'countryCode: "ZZ" is not a country we can check addresses for']);
    expect(problems({ line1: '1 Main', city: 'X', countryCode: 'USA' })).toEqual(['countryCode: "USA" is not an ISO 3166-1 alpha-2 code (like "US")']);
    expect(problems({ line1: '1 Main', city: 'X', countryCode: 840 })).toEqual(['countryCode: must be a string']);
    expect(problems({ line1: '1 Main', countryCode: '1!' })).toEqual(['city: required', 'countryCode: "1!" is not an ISO 3166-1 alpha-2 code (like "US")']);
    expect(problems({ line1: '1 Main', city: 'X' })).toEqual(['countryCode: required (an ISO 3166-1 alpha-2 code such as "US")']);
  });

  it('accepts "UK" for GB', () => {
    expect(address({ line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', countryCode: 'uk' }).countryCode).toBe('GB');
  });

  it.each([null, undefined, 'an address', 42, [], [us]])('refuses %j as a whole', (input) => {
    expect(problems(input)).toEqual(['address: must be an object']);
  });

  it('refuses values that are not strings and overlong ones', () => {
    expect(problems({ ...us, line1: ['1 Main'], postalCode: 94103, city: 'x'.repeat(61), line2: {} })).toEqual([
      'line1: must be a string',
      'line2: must be a string',
      'city: must be at most 60 characters (it has 61)',
      'postalCode: must be a string',
    ]);
  });

  it('treats null and blank optional fields as absent', () => {
    expect(address({ ...us, name: null, company: '   ', line2: '' })).toEqual({ line1: '1 Market St', city: 'San Francisco', region: 'CA', postalCode: '94103', countryCode: 'US' });
  });

  it('collapses all whitespace, newlines included', () => {
    expect(address({ ...us, line1: '1\tMarket\n St ' }).line1).toBe('1 Market St');
  });
});

import { describe, expect, it } from 'vitest';
import { currencyDigits, formatMajorUnits, toMinorUnits } from './minor-units';

describe('minor units', () => {
  it.each([
    ['USD', 2],
    ['eur', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['KWD', 3],
    ['BHD', 3],
  ])('%s has %d digits', (currency, digits) => {
    expect(currencyDigits(currency)).toBe(digits);
  });

  it.each([
    [19.99, 'USD', 1999],
    [0.1 + 0.2, 'USD', 30],
    [1500, 'JPY', 1500],
    [12.345, 'KWD', 12345],
    [100, 'eur', 10000],
  ])('%d %s is %d minor units', (amount, currency, minor) => {
    expect(toMinorUnits(amount, currency)).toBe(minor);
  });

  it('refuses precision the currency does not have, and non-positive amounts', () => {
    expect(() => toMinorUnits(10.5, 'JPY')).toThrow('10.5 JPY has more than 0 decimal places');
    expect(() => toMinorUnits(1.999, 'USD')).toThrow('more than 2 decimal places');
    expect(() => toMinorUnits(0, 'USD')).toThrow('positive');
    expect(() => toMinorUnits(Number.NaN, 'USD')).toThrow('positive');
    expect(() => toMinorUnits(1, 'US')).toThrow('not an ISO 4217 currency code');
  });

  it('formats major units for numeric columns', () => {
    expect(formatMajorUnits(19.9, 'USD')).toBe('19.90');
    expect(formatMajorUnits(1500, 'JPY')).toBe('1500');
  });
});

const digitsByCurrency = new Map<string, number>();

/** Digits after the decimal point in a currency's minor unit: 2 for USD, 0 for JPY, 3 for KWD (ISO 4217 via Intl). */
export function currencyDigits(currency: string): number {
  const known = digitsByCurrency.get(currency);
  if (known !== undefined) return known;
  if (!/^[A-Za-z]{3}$/.test(currency)) throw new RangeError(`"${currency}" is not an ISO 4217 currency code`);
  // Building a NumberFormat costs far more than a charge's arithmetic, so each currency is asked once.
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2;
  digitsByCurrency.set(currency, digits);
  return digits;
}

/**
 * An amount in major units (19.99 USD, 1500 JPY) as the integer providers take (1999, 1500). Refuses amounts that
 * are not positive or carry more precision than the currency has: rounding a price silently is a wrong charge.
 */
export function toMinorUnits(amount: number, currency: string): number {
  const digits = currencyDigits(currency);
  if (!Number.isFinite(amount) || amount <= 0) throw new RangeError(`amount must be a positive number, got ${amount}`);
  const minor = Math.round(amount * 10 ** digits);
  if (Math.abs(minor - amount * 10 ** digits) > 1e-6 * Math.max(1, minor)) {
    throw new RangeError(`${amount} ${currency.toUpperCase()} has more than ${digits} decimal places`);
  }
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount ${amount} is too large`);
  return minor;
}

/** Major units as the exact decimal string stored in `numeric` columns. */
export function formatMajorUnits(amount: number, currency: string): string {
  return amount.toFixed(currencyDigits(currency));
}

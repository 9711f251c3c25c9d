/** A postal address as a customer gives it at checkout; `countryCode` is ISO 3166-1 alpha-2. */
export interface PostalAddress {
  name?: string;
  company?: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode?: string;
  countryCode: string;
}

export type AddressField = keyof PostalAddress;

/** `field` is an address field, an unknown field's own name, or `address` when the input is not an object. */
export interface AddressProblem {
  field: string;
  message: string;
}

export type AddressValidation = { ok: true; address: PostalAddress } | { ok: false; problems: AddressProblem[] };

/** `postalCode: "12345" is not a UK postcode (like "SW1A 1AA")`. */
export function describeProblem(problem: AddressProblem): string {
  return `${problem.field}: ${problem.message}`;
}

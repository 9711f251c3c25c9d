/**
 * The offline check run on an address before payment: every problem at once, each naming its field, or the
 * address normalised (trimmed, single spaces, sensible case, US/CA street abbreviations, canonical postal code,
 * region codes for the US, Canada and Australia).
 */
import type { AddressField, AddressProblem, AddressValidation, PostalAddress } from './address';
import { COUNTRY_ALIASES, COUNTRY_RULES, formatPostalCode, type CountryRule } from './country-rules';
import { regionCode } from './regions';
import { abbreviateStreet } from './street-abbreviations';
import { tidyCase } from './text-case';

const MAX_LENGTH: Readonly<Record<AddressField, number>> = {
  name: 100,
  company: 100,
  line1: 100,
  line2: 100,
  city: 60,
  region: 60,
  postalCode: 16,
  countryCode: 60,
};

const FIELDS = Object.keys(MAX_LENGTH) as AddressField[];

/** Canadian postal districts by first letter (Canada Post); X is shared by the Northwest Territories and Nunavut. */
const CA_DISTRICTS: Readonly<Record<string, string[]>> = {
  A: ['NL'], B: ['NS'], C: ['PE'], E: ['NB'], G: ['QC'], H: ['QC'], J: ['QC'], K: ['ON'], L: ['ON'], M: ['ON'],
  N: ['ON'], P: ['ON'], R: ['MB'], S: ['SK'], T: ['AB'], V: ['BC'], X: ['NT', 'NU'], Y: ['YT'],
};

type Fields = Partial<Record<AddressField, string>>;

function readFields(input: Record<string, unknown>, problems: AddressProblem[]): Fields {
  const fields: Fields = {};
  for (const key of Object.keys(input)) {
    if (!FIELDS.includes(key as AddressField)) problems.push({ field: key, message: 'is not a known field' });
  }
  for (const field of FIELDS) {
    const value = input[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') {
      problems.push({ field, message: 'must be a string' });
      continue;
    }
    const text = value.replace(/\s+/g, ' ').trim();
    if (text.length > MAX_LENGTH[field]) {
      problems.push({ field, message: `must be at most ${MAX_LENGTH[field]} characters (it has ${text.length})` });
      continue;
    }
    if (text !== '') fields[field] = text;
  }
  return fields;
}

function readCountry(fields: Fields, problems: AddressProblem[]): [string, CountryRule] | null {
  const typed = fields.countryCode;
  if (typed === undefined && problems.some((p) => p.field === 'countryCode')) return null;
  if (typed === undefined) {
    problems.push({ field: 'countryCode', message: 'required (an ISO 3166-1 alpha-2 code such as "US")' });
    return null;
  }
  const code = COUNTRY_ALIASES[typed.toUpperCase()] ?? typed.toUpperCase();
  const rule = COUNTRY_RULES[code];
  if (!rule) {
    const message = /^[A-Z]{2}$/.test(code)
      ? `"${typed}" is not a country we can check addresses for`
      : `"${typed}" is not an ISO 3166-1 alpha-2 code (like "US")`;
    problems.push({ field: 'countryCode', message });
    return null;
  }
  return [code, rule];
}

function required(field: AddressField, country: string, what?: string): AddressProblem {
  return { field, message: what ? `required for ${country} (${what})` : `required for ${country}` };
}

export function validateAddress(input: unknown): AddressValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problems: [{ field: 'address', message: 'must be an object' }] };
  }
  const problems: AddressProblem[] = [];
  const fields = readFields(input as Record<string, unknown>, problems);
  const country = readCountry(fields, problems);
  if (fields.line1 === undefined && !problems.some((p) => p.field === 'line1')) problems.push({ field: 'line1', message: 'required' });
  if (!country) {
    if (fields.city === undefined && !problems.some((p) => p.field === 'city')) problems.push({ field: 'city', message: 'required' });
    return { ok: false, problems: ordered(problems) };
  }
  const [code, rule] = country;
  const usStyle = code === 'US' || code === 'CA';
  const line = (text: string | undefined) => (text === undefined ? undefined : usStyle ? abbreviateStreet(tidyCase(text)) : tidyCase(text));

  const has = (field: AddressField) => fields[field] !== undefined || problems.some((p) => p.field === field);
  if (!rule.defaultCity && !has('city')) problems.push(required('city', code));
  if (rule.region && !has('region')) problems.push(required('region', code, rule.region.description));
  if (rule.postalCodeRequired && !has('postalCode')) problems.push(required('postalCode', code, `like "${rule.postalCode.example}"`));

  let region = fields.region;
  let listedRegion: string | null = null;
  const list = rule.region?.list;
  if (region !== undefined && list) {
    listedRegion = regionCode(list, region);
    if (listedRegion === null) problems.push({ field: 'region', message: `"${region}" is not a ${code} ${list.kind} (like "${list.example}")` });
    region = listedRegion ?? region;
  }

  let postalCode = fields.postalCode;
  if (postalCode !== undefined) {
    const formatted = formatPostalCode(rule.postalCode, postalCode);
    if (formatted === null) {
      problems.push({ field: 'postalCode', message: `"${postalCode}" is not ${article(rule.postalCode.label)} (like "${rule.postalCode.example}")` });
    } else if (code === 'CA' && listedRegion !== null && !CA_DISTRICTS[formatted[0]].includes(listedRegion)) {
      problems.push({ field: 'postalCode', message: `"${formatted}" is in ${CA_DISTRICTS[formatted[0]].join(' or ')}, not ${listedRegion}` });
    }
    postalCode = formatted ?? postalCode;
  }

  if (problems.length > 0) return { ok: false, problems: ordered(problems) };
  const address: PostalAddress = {
    ...(fields.name !== undefined && { name: tidyCase(fields.name) }),
    ...(fields.company !== undefined && { company: fields.company }),
    line1: line(fields.line1)!,
    ...(fields.line2 !== undefined && { line2: line(fields.line2) }),
    city: fields.city === undefined ? rule.defaultCity! : tidyCase(fields.city),
    ...(region !== undefined && { region }),
    ...(postalCode !== undefined && { postalCode }),
    countryCode: code,
  };
  return { ok: true, address };
}

function article(label: string): string {
  return /^[AEIO]/.test(label) ? `an ${label}` : `a ${label}`;
}

function ordered(problems: AddressProblem[]): AddressProblem[] {
  const rank = (field: string) => (FIELDS.includes(field as AddressField) ? FIELDS.indexOf(field as AddressField) : FIELDS.length);
  return [...problems].sort((a, b) => rank(a.field) - rank(b.field));
}

/**
 * What a deliverable address needs in each country we ship to: the postal code's shape and how it is written,
 * and which of postal code, city and region must be there. Shapes follow each post's published format
 * (UPU Postal Addressing Systems); where a post rejects known impossible prefixes, so does the pattern.
 */
import { REGION_LISTS, type RegionList } from './regions';

export interface PostalCodeRule {
  /** For messages: `is not a UK postcode`. */
  label: string;
  /** A valid code, written canonically. */
  example: string;
  /** Matched against the compact form: upper case, no spaces or hyphens. */
  pattern: RegExp;
  /** Compact form → canonical form; the compact form itself when absent. */
  format?: (compact: string) => string;
  /** A country prefix people write before the code, accepted and dropped: "L-1234" → "1234". */
  prefix?: string;
}

export interface CountryRule {
  name: string;
  postalCode: PostalCodeRule;
  postalCodeRequired: boolean;
  /** The city when none is given, for city-states; the city is required otherwise. */
  defaultCity?: string;
  /** Present when a region must be given; `list` when it must be one of a known list. */
  region?: { description: string; list?: RegionList };
}

const space = (at: number) => (compact: string) => `${compact.slice(0, at)} ${compact.slice(at)}`;
const hyphen = (at: number) => (compact: string) => `${compact.slice(0, at)}-${compact.slice(at)}`;

function listed(list: RegionList): CountryRule['region'] {
  return { description: `a ${list.kind} such as "${list.example}"`, list };
}

function country(
  name: string,
  postalCode: PostalCodeRule,
  options: Partial<Pick<CountryRule, 'postalCodeRequired' | 'defaultCity' | 'region'>> = {},
): CountryRule {
  return { name, postalCode, postalCodeRequired: true, ...options };
}

const digits = (label: string, count: number, example: string, first = '\\d', more: Partial<PostalCodeRule> = {}): PostalCodeRule => ({
  label,
  example,
  pattern: new RegExp(`^${first}\\d{${count - 1}}$`),
  ...more,
});

export const COUNTRY_RULES: Readonly<Record<string, CountryRule>> = {
  US: country(
    'the United States',
    { label: 'US ZIP code', example: '94103', pattern: /^\d{5}(\d{4})?$/, format: (c) => (c.length === 9 ? hyphen(5)(c) : c) },
    { region: listed(REGION_LISTS.US) },
  ),
  CA: country(
    'Canada',
    {
      label: 'Canadian postal code',
      example: 'K1A 0B1',
      pattern: /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\d[ABCEGHJ-NPRSTV-Z]\d$/,
      format: space(3),
    },
    { region: listed(REGION_LISTS.CA) },
  ),
  GB: country('the United Kingdom', {
    label: 'UK postcode',
    example: 'SW1A 1AA',
    pattern: /^(GIR0AA|[A-PR-UWYZ](\d[\dA-HJKPS-UW]?|[A-HK-Y]\d[\dABEHMNPRV-Y]?)\d[ABD-HJLNP-UW-Z]{2})$/,
    format: (c) => `${c.slice(0, -3)} ${c.slice(-3)}`,
  }),
  IE: country(
    'Ireland',
    { label: 'Eircode', example: 'D02 X285', pattern: /^([AC-FHKNPRTV-Y]\d{2}|D6W)[\dAC-FHKNPRTV-Y]{4}$/, format: space(3) },
    { postalCodeRequired: false },
  ),
  FR: country('France', digits('French postal code', 5, '75008', '\\d', { prefix: 'F' })),
  DE: country('Germany', { label: 'German postal code', example: '10115', pattern: /^(?!00)\d{5}$/, prefix: 'D' }),
  ES: country('Spain', { label: 'Spanish postal code', example: '28013', pattern: /^(0[1-9]|[1-4]\d|5[0-2])\d{3}$/ }),
  IT: country('Italy', digits('Italian postal code', 5, '00184', '\\d', { prefix: 'I' })),
  NL: country('the Netherlands', {
    label: 'Dutch postal code',
    example: '1012 AB',
    pattern: /^[1-9]\d{3}(?!SA|SD|SS)[A-Z]{2}$/,
    format: space(4),
    prefix: 'NL',
  }),
  BE: country('Belgium', digits('Belgian postal code', 4, '1000', '[1-9]', { prefix: 'B' })),
  LU: country('Luxembourg', digits('Luxembourg postal code', 4, '1009', '\\d', { prefix: 'L' })),
  AT: country('Austria', digits('Austrian postal code', 4, '1010', '[1-9]', { prefix: 'A' })),
  CH: country('Switzerland', digits('Swiss postal code', 4, '8001', '[1-9]', { prefix: 'CH' })),
  PT: country('Portugal', digits('Portuguese postal code', 7, '1100-148', '[1-9]', { format: hyphen(4) })),
  DK: country('Denmark', digits('Danish postal code', 4, '1050', '\\d', { prefix: 'DK' })),
  SE: country('Sweden', digits('Swedish postal code', 5, '114 55', '[1-9]', { format: space(3), prefix: 'SE' })),
  NO: country('Norway', digits('Norwegian postal code', 4, '0150', '\\d', { prefix: 'NO' })),
  FI: country('Finland', digits('Finnish postal code', 5, '00100', '\\d', { prefix: 'FI' })),
  PL: country('Poland', digits('Polish postal code', 5, '00-950', '\\d', { format: hyphen(2) })),
  CZ: country('Czechia', digits('Czech postal code', 5, '110 00', '[1-7]', { format: space(3) })),
  SK: country('Slovakia', digits('Slovak postal code', 5, '811 01', '[089]', { format: space(3) })),
  HU: country('Hungary', digits('Hungarian postal code', 4, '1051', '[1-9]')),
  SI: country('Slovenia', digits('Slovenian postal code', 4, '1000', '[1-9]')),
  HR: country('Croatia', digits('Croatian postal code', 5, '10000', '[1-5]')),
  EE: country('Estonia', digits('Estonian postal code', 5, '10111', '[1-9]')),
  BG: country('Bulgaria', digits('Bulgarian postal code', 4, '1000', '[1-9]')),
  GR: country('Greece', digits('Greek postal code', 5, '105 57', '[1-8]', { format: space(3) })),
  RO: country('Romania', digits('Romanian postal code', 6, '010011')),
  TR: country('Türkiye', { label: 'Turkish postal code', example: '34433', pattern: /^(0[1-9]|[1-7]\d|8[01])\d{3}$/ }),
  IL: country('Israel', digits('Israeli postal code', 7, '6100000')),
  AU: country('Australia', digits('Australian postcode', 4, '2000'), { region: listed(REGION_LISTS.AU) }),
  NZ: country('New Zealand', digits('New Zealand postcode', 4, '6011')),
  JP: country('Japan', digits('Japanese postal code', 7, '100-0001', '\\d', { format: hyphen(3) }), {
    region: { description: 'a prefecture such as "Tokyo"' },
  }),
  KR: country('South Korea', digits('South Korean postal code', 5, '03154')),
  CN: country('China', digits('Chinese postal code', 6, '100000', '[1-9]')),
  SG: country('Singapore', digits('Singapore postal code', 6, '018956'), { defaultCity: 'Singapore' }),
  IN: country('India', digits('Indian PIN code', 6, '110001', '[1-9]'), { region: { description: 'a state such as "Maharashtra"' } }),
  BR: country('Brazil', digits('Brazilian CEP', 8, '01310-100', '\\d', { format: hyphen(5) }), {
    region: { description: 'a state such as "SP"' },
  }),
  MX: country('Mexico', digits('Mexican postal code', 5, '06600'), { region: { description: 'a state such as "Jalisco"' } }),
  ZA: country('South Africa', digits('South African postal code', 4, '8001')),
};

/** Written by people but not ISO: "UK" for GB. */
export const COUNTRY_ALIASES: Readonly<Record<string, string>> = { UK: 'GB' };

/** The canonical code for a postal code of the country, or null when it does not have the country's shape. */
export function formatPostalCode(rule: PostalCodeRule, text: string): string | null {
  const compact = text.toUpperCase().replace(/[\s\-‐–—]/g, '');
  const candidates = rule.prefix && compact.startsWith(rule.prefix) ? [compact, compact.slice(rule.prefix.length)] : [compact];
  const match = candidates.find((candidate) => rule.pattern.test(candidate));
  return match === undefined ? null : (rule.format ?? ((c: string) => c))(match);
}

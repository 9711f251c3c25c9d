import { describe, expect, it } from 'vitest';
import { COUNTRY_RULES, formatPostalCode } from './country-rules';

/** Per country: [typed, canonical] pairs that must be accepted, and typed codes that must be refused. */
const CASES: Record<string, { valid: Array<[string, string]>; invalid: string[] }> = {
  US: { valid: [['94103', '94103'], ['941031234', '94103-1234'], ['94103-1234', '94103-1234'], [' 02134 ', '02134']], invalid: ['9410', '941031', '94103-12', 'ABCDE'] },
  CA: { valid: [['k1a0b1', 'K1A 0B1'], ['K1A 0B1', 'K1A 0B1'], ['h3z-2y7', 'H3Z 2Y7']], invalid: ['D1A 0B1', 'K1A 0O1', 'W1A 0B1', 'K1A0B', '12345'] },
  GB: {
    valid: [['SW1A1AA', 'SW1A 1AA'], ['sw1a 1aa', 'SW1A 1AA'], ['M11AE', 'M1 1AE'], ['B338TH', 'B33 8TH'], ['CR26XH', 'CR2 6XH'], ['DN551PT', 'DN55 1PT'], ['W1A0AX', 'W1A 0AX'], ['EC1A1BB', 'EC1A 1BB'], ['GIR 0AA', 'GIR 0AA']],
    invalid: ['12345', 'SW1A', 'QA1 1AA', 'SW1A 1AC', 'SW1A1A', 'AAA 1AA'],
  },
  IE: { valid: [['D02X285', 'D02 X285'], ['a65 f4e2', 'A65 F4E2'], ['D6WFE98', 'D6W FE98']], invalid: ['D02 X28', 'B02 X285', 'D02 X2B5', '12345'] },
  FR: { valid: [['75008', '75008'], ['97110', '97110'], ['F-75008', '75008']], invalid: ['7500', '750080', 'ABCDE'] },
  DE: { valid: [['10115', '10115'], ['01067', '01067'], ['D-10115', '10115']], invalid: ['00123', '1011', '101155'] },
  ES: { valid: [['28013', '28013'], ['01001', '01001'], ['52001', '52001']], invalid: ['00123', '53001', '99999', '2801'] },
  IT: { valid: [['00184', '00184'], ['20121', '20121'], ['I-20121', '20121']], invalid: ['0018', '001840'] },
  NL: { valid: [['1012ab', '1012 AB'], ['1012 AB', '1012 AB'], ['NL-1012 AB', '1012 AB']], invalid: ['0123 AB', '1012 SA', '1012 SS', '1012', '1012 A'] },
  BE: { valid: [['1000', '1000'], ['B-9000', '9000']], invalid: ['0999', '10000', '100'] },
  LU: { valid: [['1009', '1009'], ['L-1009', '1009'], ['l1009', '1009']], invalid: ['10090', 'L-100'] },
  AT: { valid: [['1010', '1010'], ['A-6020', '6020']], invalid: ['0101', '10100'] },
  CH: { valid: [['8001', '8001'], ['CH-1211', '1211']], invalid: ['0800', '80010'] },
  PT: { valid: [['1100-148', '1100-148'], ['1100148', '1100-148']], invalid: ['1100', '0100-148', '1100-14'] },
  DK: { valid: [['1050', '1050'], ['DK-8000', '8000'], ['0800', '0800']], invalid: ['105', '10500'] },
  SE: { valid: [['11455', '114 55'], ['114 55', '114 55'], ['SE-114 55', '114 55']], invalid: ['01455', '1145', '114555'] },
  NO: { valid: [['0150', '0150'], ['NO-5003', '5003']], invalid: ['015', '01500'] },
  FI: { valid: [['00100', '00100'], ['FI-00100', '00100']], invalid: ['0010', '001000'] },
  PL: { valid: [['00-950', '00-950'], ['00950', '00-950']], invalid: ['0095', '00-9500'] },
  CZ: { valid: [['11000', '110 00'], ['110 00', '110 00']], invalid: ['01000', '81000', '1100'] },
  SK: { valid: [['81101', '811 01'], ['040 01', '040 01']], invalid: ['11000', '8110'] },
  HU: { valid: [['1051', '1051']], invalid: ['0105', '10510'] },
  SI: { valid: [['1000', '1000']], invalid: ['0100', '10000'] },
  HR: { valid: [['10000', '10000']], invalid: ['60000', '1000'] },
  EE: { valid: [['10111', '10111']], invalid: ['01011', '1011'] },
  BG: { valid: [['1000', '1000']], invalid: ['0100', '10000'] },
  GR: { valid: [['10557', '105 57'], ['105 57', '105 57']], invalid: ['00557', '90557', '1055'] },
  RO: { valid: [['010011', '010011']], invalid: ['01001', '0100111'] },
  TR: { valid: [['34433', '34433'], ['06100', '06100']], invalid: ['00100', '82000', '3443'] },
  IL: { valid: [['6100000', '6100000']], invalid: ['610000', '61000000'] },
  AU: { valid: [['2000', '2000'], ['0800', '0800']], invalid: ['200', '20000', 'NSW1'] },
  NZ: { valid: [['6011', '6011']], invalid: ['601', '60110'] },
  JP: { valid: [['1000001', '100-0001'], ['100-0001', '100-0001']], invalid: ['100001', '100-00011', '１００'] },
  KR: { valid: [['03154', '03154']], invalid: ['0315', '031544', '110-230'] },
  CN: { valid: [['100000', '100000']], invalid: ['010000', '10000'] },
  SG: { valid: [['018956', '018956']], invalid: ['18956', '0189567'] },
  IN: { valid: [['110001', '110001'], ['110 001', '110001']], invalid: ['010001', '11000'] },
  BR: { valid: [['01310100', '01310-100'], ['01310-100', '01310-100']], invalid: ['0131010', '01310-1000'] },
  MX: { valid: [['06600', '06600']], invalid: ['0660', '066000'] },
  ZA: { valid: [['8001', '8001'], ['0002', '0002']], invalid: ['800', '80010'] },
};

describe('country rules', () => {
  it('cover at least the 32 countries of the brief, and every country is tested here', () => {
    const brief = 'US CA GB IE FR DE ES IT NL BE LU AT CH PT DK SE NO FI PL CZ HU GR RO AU NZ JP KR SG IN BR MX ZA'.split(' ');
    expect(Object.keys(COUNTRY_RULES)).toEqual(expect.arrayContaining(brief));
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(COUNTRY_RULES).sort());
  });

  it.each(Object.entries(COUNTRY_RULES))('%s: its own example is valid and already canonical', (_code, rule) => {
    expect(formatPostalCode(rule.postalCode, rule.postalCode.example)).toBe(rule.postalCode.example);
  });

  describe.each(Object.entries(CASES))('%s postal codes', (code, { valid, invalid }) => {
    const rule = COUNTRY_RULES[code].postalCode;
    it.each(valid)('accepts %j as %j', (typed, canonical) => {
      expect(formatPostalCode(rule, typed)).toBe(canonical);
    });
    it.each(invalid)('refuses %j', (typed) => {
      expect(formatPostalCode(rule, typed)).toBeNull();
    });
  });

  it('only drops a prefix that is the country’s own', () => {
    expect(formatPostalCode(COUNTRY_RULES.LU.postalCode, 'D-1009')).toBeNull();
    expect(formatPostalCode(COUNTRY_RULES.US.postalCode, 'US-94103')).toBeNull();
  });

  it('asks for a region where carriers need one, from a list in the US, Canada and Australia', () => {
    const withRegion = Object.entries(COUNTRY_RULES).filter(([, rule]) => rule.region).map(([code]) => code);
    expect(withRegion.sort()).toEqual(['AU', 'BR', 'CA', 'IN', 'JP', 'MX', 'US']);
    const listed = Object.entries(COUNTRY_RULES).filter(([, rule]) => rule.region?.list).map(([code]) => code);
    expect(listed.sort()).toEqual(['AU', 'CA', 'US']);
    expect(COUNTRY_RULES.US.region?.description).toBe('a state such as "CA"');
  });

  it('makes the postal code optional only in Ireland, and the city only in Singapore', () => {
    expect(Object.entries(COUNTRY_RULES).filter(([, rule]) => !rule.postalCodeRequired).map(([code]) => code)).toEqual(['IE']);
    expect(Object.entries(COUNTRY_RULES).filter(([, rule]) => rule.defaultCity).map(([code]) => code)).toEqual(['SG']);
  });
});

import { describe, expect, it } from 'vitest';
import { REGION_LISTS, regionCode } from './regions';

const { US, CA, AU } = REGION_LISTS;

describe('region codes', () => {
  it('lists every US state and DC, every Canadian province and territory, every Australian state and territory', () => {
    const usStates = Object.keys(US.names).filter((code) => !['AS', 'GU', 'MP', 'PR', 'VI', 'UM', 'AA', 'AE', 'AP', 'DC'].includes(code));
    expect(usStates).toHaveLength(50);
    expect(Object.keys(CA.names)).toHaveLength(13);
    expect(Object.keys(AU.names)).toHaveLength(8);
  });

  it.each([
    [US, 'California', 'CA'],
    [US, 'california', 'CA'],
    [US, 'ca', 'CA'],
    [US, 'New  York', 'NY'],
    [US, 'washington d.c.', 'DC'],
    [US, 'District Of Columbia', 'DC'],
    [US, 'Puerto Rico', 'PR'],
    [US, 'AE', 'AE'],
    [CA, 'Québec', 'QC'],
    [CA, 'quebec', 'QC'],
    [CA, 'Colombie-Britannique', 'BC'],
    [CA, 'British Columbia', 'BC'],
    [CA, 'Newfoundland & Labrador', 'NL'],
    [CA, 'Ile du Prince Edouard', 'PE'],
    [AU, 'New South Wales', 'NSW'],
    [AU, 'N.S.W.', 'NSW'],
    [AU, 'vic', 'VIC'],
    [AU, 'Australian Capital Territory', 'ACT'],
  ])('%# reads %s as %s', (list, typed, code) => {
    expect(regionCode(list, typed)).toBe(code);
  });

  it.each([
    [US, 'Californa'],
    [US, 'Ontario'],
    [US, 'XX'],
    [CA, 'CA'],
    [CA, 'New York'],
    [AU, 'Victoria BC'],
    [AU, 'NY'],
  ])('%# refuses %s', (list, typed) => {
    expect(regionCode(list, typed)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import type { PostalAddress } from './address';
import { AddressCheckService } from './address-check.service';
import { AddressProvider, AddressProviderUnavailable, AddressVerification } from './address-provider';

const DOWNING = { line1: '10 downing street', city: 'LONDON', postalCode: 'sw1a 1aa', countryCode: 'gb' };
const NORMALISED: PostalAddress = { line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 1AA', countryCode: 'GB' };

function providerAnswering(answer: AddressVerification | Error) {
  const asked: PostalAddress[] = [];
  const provider: AddressProvider = {
    name: 'fake',
    autocomplete: async () => [],
    verify: async (address) => {
      asked.push(address);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { asked, provider };
}

describe('AddressCheckService', () => {
  it('refuses a malformed address offline, without asking the provider', async () => {
    const { asked, provider } = providerAnswering({ status: 'not_found' });
    const check = await new AddressCheckService(provider).check({ line1: '1 Main St', city: 'Springfield', postalCode: '1234', countryCode: 'US' });
    expect(check).toMatchObject({ valid: false, message: expect.stringMatching(/region: required for US.*; postalCode: "1234" is not a US ZIP code/) });
    expect(asked).toEqual([]);
  });

  it('asks the provider about the normalised address and names what it corrected', async () => {
    const { asked, provider } = providerAnswering({ status: 'found', confidence: 'high', address: { ...NORMALISED, postalCode: 'SW1A 2AA' } });
    expect(await new AddressCheckService(provider).check(DOWNING)).toEqual({
      valid: true,
      address: NORMALISED,
      verified: true,
      existence: { status: 'found', confidence: 'high', address: { ...NORMALISED, postalCode: 'SW1A 2AA' }, corrected: ['postalCode'] },
    });
    expect(asked).toEqual([NORMALISED]);
  });

  it('says when an address is unknown or could be one of several', async () => {
    expect(await new AddressCheckService(providerAnswering({ status: 'not_found' }).provider).check(DOWNING)).toMatchObject({
      valid: true,
      verified: true,
      existence: { status: 'not_found', message: 'fake knows no such address; ask the customer to check it' },
    });
    const candidates = [NORMALISED, { ...NORMALISED, postalCode: 'SW1A 2AA' }];
    expect(await new AddressCheckService(providerAnswering({ status: 'ambiguous', candidates }).provider).check(DOWNING)).toMatchObject({
      verified: true,
      existence: { status: 'ambiguous', candidates, message: '2 addresses could be meant; ask the customer to choose one' },
    });
  });

  it('falls back to the offline answer when the provider cannot answer, or when there is none', async () => {
    const down = providerAnswering(new AddressProviderUnavailable('fake', 'timeout', 'no answer within 100 ms')).provider;
    expect(await new AddressCheckService(down).check(DOWNING)).toEqual({
      valid: true,
      address: NORMALISED,
      verified: false,
      reason: 'timeout',
      message: 'checked offline only: the address provider could not answer (timeout)',
    });
    const broken = providerAnswering(new TypeError("Cannot read properties of undefined (reading 'x')")).provider;
    expect(await new AddressCheckService(broken).check(DOWNING)).toMatchObject({ valid: true, verified: false, reason: 'provider_error' });
    expect(await new AddressCheckService(null).check(DOWNING)).toEqual({
      valid: true,
      address: NORMALISED,
      verified: false,
      reason: 'no_provider',
      message: 'checked offline only: no address provider is configured',
    });
  });
});

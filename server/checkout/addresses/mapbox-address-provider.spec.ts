import { describe, expect, it } from 'vitest';
import { AddressProviderUnavailable } from './address-provider';
import { MapboxAddressProvider, MapboxSettings } from './mapbox-address-provider';

const SETTINGS: MapboxSettings = { accessToken: 'pk.secret-token', apiBase: 'http://mapbox.test', timeoutMs: 100, permanent: false };

function feature(name: string, postcode: string, confidence = 'exact') {
  return {
    type: 'Feature',
    properties: {
      feature_type: 'address',
      name,
      place_formatted: `London, ${postcode}, United Kingdom`,
      match_code: { confidence },
      context: { postcode: { name: postcode }, place: { name: 'London' }, region: { name: 'England', region_code: 'ENG' }, country: { name: 'United Kingdom', country_code: 'GB' } },
    },
  };
}

/** A fetch that records the URL and answers with `status` and `body` (a string is sent as is). */
function fakeFetch(status: number, body: unknown) {
  const urls: URL[] = [];
  const fetcher = (async (input: URL) => {
    urls.push(new URL(input));
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { urls, fetcher };
}

async function failure(promise: Promise<unknown>): Promise<AddressProviderUnavailable> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AddressProviderUnavailable);
  return error as AddressProviderUnavailable;
}

describe('MapboxAddressProvider', () => {
  it('asks forward geocoding for address suggestions with the query, country, limit and proximity', async () => {
    const { urls, fetcher } = fakeFetch(200, { type: 'FeatureCollection', features: [feature('10 Downing Street', 'SW1A 2AA'), { type: 'Feature', properties: { feature_type: 'street' } }] });
    const provider = new MapboxAddressProvider({ ...SETTINGS, permanent: true }, fetcher);
    const suggestions = await provider.autocomplete('10 Downing; St', { country: 'GB', limit: 3, proximity: { longitude: -0.12, latitude: 51.5 } });
    expect(suggestions).toEqual([
      { label: '10 Downing Street, London, SW1A 2AA, United Kingdom', address: { line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', countryCode: 'GB' } },
    ]);
    const [url] = urls;
    expect(url.origin + url.pathname).toBe('http://mapbox.test/search/geocode/v6/forward');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      q: '10 Downing St',
      autocomplete: 'true',
      types: 'address',
      country: 'gb',
      limit: '3',
      proximity: '-0.12,51.5',
      permanent: 'true',
      access_token: 'pk.secret-token',
    });
  });

  it('keeps the query within what Mapbox accepts', async () => {
    const { urls, fetcher } = fakeFetch(200, { type: 'FeatureCollection', features: [] });
    await new MapboxAddressProvider(SETTINGS, fetcher).autocomplete(Array.from({ length: 25 }, (_, i) => `w${i}`).join(' '));
    expect(urls[0].searchParams.get('q')!.split(' ')).toHaveLength(20);
  });

  it('verifies with structured input and judges by match confidence', async () => {
    const { urls, fetcher } = fakeFetch(200, { type: 'FeatureCollection', features: [feature('10 Downing Street', 'SW1A 2AA', 'high')] });
    const provider = new MapboxAddressProvider(SETTINGS, fetcher);
    const verification = await provider.verify({ name: 'Ada', line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 1AA', countryCode: 'GB' });
    expect(verification).toEqual({ status: 'found', confidence: 'high', address: { name: 'Ada', line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', countryCode: 'GB' } });
    expect(Object.fromEntries(urls[0].searchParams)).toEqual({
      address_number: '10',
      street: 'Downing Street',
      postcode: 'SW1A 1AA',
      place: 'London',
      country: 'gb',
      autocomplete: 'false',
      types: 'address',
      limit: '5',
      access_token: 'pk.secret-token',
    });
    const nothing = new MapboxAddressProvider(SETTINGS, fakeFetch(200, { type: 'FeatureCollection', features: [] }).fetcher);
    expect(await nothing.verify({ line1: '99 Downing Street', city: 'London', postalCode: 'SW1A 2AA', countryCode: 'GB' })).toEqual({ status: 'not_found' });
  });

  it('names each way Mapbox can fail, never with the access token', async () => {
    const cases: Array<[number, unknown, string]> = [
      [401, { message: 'Not Authorized - Invalid Token' }, 'unauthorized'],
      [403, { message: 'Forbidden' }, 'unauthorized'],
      [429, { message: 'Too Many Requests' }, 'rate_limited'],
      [500, 'upstream exploded', 'provider_error'],
      [422, { message: 'Invalid query' }, 'provider_error'],
      [200, '<html>captive portal</html>', 'bad_response'],
      [200, { message: 'hello' }, 'bad_response'],
    ];
    for (const [status, body, reason] of cases) {
      const provider = new MapboxAddressProvider(SETTINGS, fakeFetch(status, body).fetcher);
      const error = await failure(provider.autocomplete('10 Downing'));
      expect(error.reason, `${status} ${JSON.stringify(body)}`).toBe(reason);
      expect(error.message).not.toContain('secret-token');
    }
    const invalid = await failure(new MapboxAddressProvider(SETTINGS, fakeFetch(401, { message: 'Not Authorized - Invalid Token' }).fetcher).autocomplete('abc'));
    expect(invalid.message).toBe('mapbox: answered HTTP 401: Not Authorized - Invalid Token');
  });

  it('gives up after the timeout, and names an unreachable host', async () => {
    const hanging = ((_url: URL, init: RequestInit) =>
      new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)))) as unknown as typeof fetch;
    const started = Date.now();
    const timeout = await failure(new MapboxAddressProvider(SETTINGS, hanging).verify({ line1: '1 A St', city: 'B', region: 'IL', postalCode: '62701', countryCode: 'US' }));
    expect(timeout.reason).toBe('timeout');
    expect(timeout.message).toBe('mapbox: no answer within 100 ms');
    expect(Date.now() - started).toBeLessThan(1000);

    const refused = await failure(new MapboxAddressProvider({ ...SETTINGS, apiBase: 'http://127.0.0.1:1' }).autocomplete('10 Downing'));
    expect(refused.reason).toBe('unreachable');
    expect(refused.message).not.toContain('secret-token');
  });
});

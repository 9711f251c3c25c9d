import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MapboxPeer, startMapboxPeer } from './peers/mapbox-peer';
import { postJson, startTestApp, TestApp } from './support/test-app';

const TOKEN = 'pk.e2e-mapbox-token';
const STOREFRONT = 'https://shop.example.com';

async function getJson(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON; keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

function mapboxEnv(peer: MapboxPeer, extra: Record<string, string> = {}) {
  return { ADDRESS_PROVIDER: 'mapbox', MAPBOX_ACCESS_TOKEN: TOKEN, MAPBOX_API_BASE: peer.url, MAPBOX_TIMEOUT_MS: '300', ...extra };
}

describe('address intelligence against the Mapbox peer', () => {
  let peer: MapboxPeer;
  let t: TestApp;
  let key: string;
  const auth = () => ({ authorization: `Bearer ${key}` });
  const autocomplete = (query: string, headers: Record<string, string> = auth()) => getJson(`${t.url}/v1/addresses/autocomplete?${query}`, headers);
  const validate = (body: unknown) => postJson(`${t.url}/v1/addresses/validate`, body, auth());

  beforeAll(async () => {
    peer = await startMapboxPeer({ accessToken: TOKEN });
    t = await startTestApp('address_autocomplete', mapboxEnv(peer));
    ({ writeKey: key } = await t.createSource({ allowedOrigins: [STOREFRONT] }));
  });
  afterEach(() => peer.clear());
  afterAll(async () => {
    await t?.close();
    await peer?.close();
  });

  describe('GET /v1/addresses/autocomplete', () => {
    it('suggests addresses normalised by our validator, labelled as Mapbox writes them', async () => {
      const response = await autocomplete('q=10%20Downing');
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body).toEqual({
        suggestions: [
          {
            label: '10 Downing Street, London, SW1A 2AA, United Kingdom',
            address: { line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', countryCode: 'GB' },
          },
        ],
      });
      expect(peer.requests).toHaveLength(1);
      expect(peer.requests[0]).toMatchObject({ path: '/search/geocode/v6/forward', params: { q: '10 Downing', autocomplete: 'true', types: 'address', limit: '5' } });

      const us = await autocomplete('q=1600%20Pennsylvania');
      expect(us.body.suggestions[0].address).toEqual({ line1: '1600 Pennsylvania Ave Northwest', city: 'Washington', region: 'DC', postalCode: '20500', countryCode: 'US' });
    });

    it('filters by country and honours the limit', async () => {
      const canada = await autocomplete('q=Rue&country=ca');
      expect(canada.body.suggestions.map((s: any) => s.address)).toEqual([{ line1: '1 Rue des Carrières', city: 'Québec', region: 'QC', postalCode: 'G1R 4P5', countryCode: 'CA' }]);
      expect(peer.requests[0].params.country).toBe('ca');

      const france = await autocomplete('q=Rue&country=FR');
      expect(france.body.suggestions.map((s: any) => s.address.countryCode)).toEqual(['FR', 'FR']);

      expect((await autocomplete('q=123%20Main')).body.suggestions).toHaveLength(2);
      const one = await autocomplete('q=123%20Main&limit=1');
      expect(one.body.suggestions).toHaveLength(1);
      expect(peer.requests.at(-1)!.params.limit).toBe('1');
      expect((await autocomplete('q=Downing&country=de')).body).toEqual({ suggestions: [] });
    });

    it('refuses a bad query with a 400 naming each parameter, without calling Mapbox', async () => {
      const short = await autocomplete('q=ab');
      expect(short.status).toBe(400);
      expect(short.body).toMatchObject({ error: 'invalid_request', problems: [{ index: null, path: 'q', message: 'must be at least 3 characters (it has 2)' }] });

      const all = await autocomplete(`q=${'x'.repeat(201)}&country=XX&limit=11`);
      expect(all.status).toBe(400);
      expect(all.body.problems.map((p: any) => p.path)).toEqual(['q', 'country', 'limit']);
      expect(all.body.message).toContain('country: "XX" is not a country we can check addresses for');

      expect((await autocomplete('country=GB')).body.problems).toEqual([{ index: null, path: 'q', message: 'is required: the address text typed so far' }]);
      expect((await autocomplete('q=Downing&limit=0')).body.problems[0].path).toBe('limit');
      expect(peer.requests).toEqual([]);
    });

    it('needs the write key', async () => {
      const missing = await autocomplete('q=10%20Downing', {});
      expect(missing.status).toBe(401);
      expect(missing.body.error).toBe('unauthorized');
      expect((await autocomplete('q=10%20Downing', { authorization: 'Bearer wk_not_a_key' })).status).toBe(401);
      expect(peer.requests).toEqual([]);
    });

    it('answers browsers from the source’s own origins, with the key in the query string', async () => {
      const allowed = await autocomplete(`q=10%20Downing&writeKey=${key}`, { origin: STOREFRONT });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(STOREFRONT);
      expect((await autocomplete(`q=10%20Downing&writeKey=${key}`, { origin: 'https://evil.example.com' })).status).toBe(403);

      const preflight = await fetch(`${t.url}/v1/addresses/autocomplete?q=10%20Downing`, {
        method: 'OPTIONS',
        headers: { origin: STOREFRONT, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(STOREFRONT);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    });

    it('answers 503 when Mapbox fails or is too slow, and recovers with it', async () => {
      peer.failNext(500);
      const failed = await autocomplete('q=10%20Downing');
      expect(failed.status).toBe(503);
      expect(failed.headers.get('retry-after')).toBe('5');
      expect(failed.body).toEqual({
        error: 'unavailable',
        message: 'address suggestions are unavailable for now (the address provider failed); the customer can type the address in full',
      });

      peer.delayNext(1500);
      const started = Date.now();
      const slow = await autocomplete('q=10%20Downing');
      expect(slow.status).toBe(503);
      expect(slow.body.message).toContain('did not answer in time');
      expect(Date.now() - started).toBeLessThan(1400);

      peer.failNext(401, 1, 'Not Authorized - Invalid Token');
      const refused = await autocomplete('q=10%20Downing');
      expect(refused.status).toBe(503);
      expect(JSON.stringify(refused.body)).not.toContain(TOKEN);

      expect((await autocomplete('q=10%20Downing')).status).toBe(200);
    });
  });

  describe('POST /v1/addresses/validate with the existence check', () => {
    it('finds an address and says so', async () => {
      const response = await validate({ name: 'ADA LOVELACE', line1: '10 downing street', city: 'LONDON', postalCode: 'sw1a2aa', countryCode: 'gb' });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        valid: true,
        address: { name: 'Ada Lovelace', line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', countryCode: 'GB' },
        verified: true,
        existence: {
          status: 'found',
          confidence: 'exact',
          address: { name: 'Ada Lovelace', line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', countryCode: 'GB' },
          corrected: [],
        },
      });
      expect(peer.requests[0].params).toMatchObject({ address_number: '10', street: 'Downing Street', postcode: 'SW1A 2AA', place: 'London', country: 'gb', autocomplete: 'false' });

      const berlin = await validate({ line1: 'Unter den Linden 77', city: 'Berlin', postalCode: '10117', countryCode: 'DE' });
      expect(berlin.body.existence).toMatchObject({ status: 'found', confidence: 'exact' });
      const washington = await validate({ line1: '1600 Pennsylvania Avenue NW', city: 'Washington', region: 'District of Columbia', postalCode: '20500', countryCode: 'US' });
      expect(washington.body.existence).toMatchObject({ status: 'found', confidence: 'exact', corrected: ['line1'], address: { line1: '1600 Pennsylvania Ave Northwest' } });
    });

    it('offers the corrected address when one detail was wrong', async () => {
      const response = await validate({ line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 1AA', countryCode: 'GB' });
      expect(response.body).toMatchObject({
        valid: true,
        address: { postalCode: 'SW1A 1AA' },
        verified: true,
        existence: { status: 'found', confidence: 'high', address: { postalCode: 'SW1A 2AA' }, corrected: ['postalCode'] },
      });
    });

    it('says when no such address exists, or when several could be meant', async () => {
      const unknown = await validate({ line1: '99 Downing Street', city: 'London', postalCode: 'SW1A 2AA', countryCode: 'GB' });
      expect(unknown.body).toMatchObject({ valid: true, verified: true, existence: { status: 'not_found', message: 'mapbox knows no such address; ask the customer to check it' } });

      const churchRoad = await validate({ line1: '1 Church Road', line2: 'Flat 3', city: 'London', postalCode: 'N1 1AA', countryCode: 'GB' });
      expect(churchRoad.body.existence.status).toBe('ambiguous');
      expect(churchRoad.body.existence.candidates.map((c: any) => [c.postalCode, c.line2])).toEqual([
        ['SW13 9HE', 'Flat 3'],
        ['E12 6AQ', 'Flat 3'],
      ]);
    });

    it('checks the format offline first and never asks Mapbox about a malformed address', async () => {
      const response = await validate({ line1: '1 Main St', city: 'Springfield', postalCode: '1234', countryCode: 'US' });
      expect(response.body).toMatchObject({ valid: false, message: expect.stringContaining('region: required for US') });
      expect(response.body).not.toHaveProperty('verified');
      expect(peer.requests).toEqual([]);
    });

    it('falls back to the offline answer, saying so, when Mapbox fails, stalls or refuses our token', async () => {
      const address = { line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', countryCode: 'GB' };
      peer.failNext(502);
      expect((await validate(address)).body).toEqual({
        valid: true,
        address,
        verified: false,
        reason: 'provider_error',
        message: 'checked offline only: the address provider could not answer (provider_error)',
      });

      peer.delayNext(1500);
      const slow = await validate(address);
      expect(slow.status).toBe(200);
      expect(slow.body).toMatchObject({ valid: true, verified: false, reason: 'timeout' });

      peer.failNext(401, 1, 'Not Authorized - Invalid Token');
      const refused = await validate(address);
      expect(refused.body).toMatchObject({ valid: true, verified: false, reason: 'unauthorized' });
      expect(JSON.stringify(refused.body)).not.toContain(TOKEN);
    });
  });
});

describe('autocomplete cache (permanent geocoding)', () => {
  let peer: MapboxPeer;
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    peer = await startMapboxPeer({ accessToken: TOKEN });
    t = await startTestApp('address_autocomplete_cache', mapboxEnv(peer, { MAPBOX_PERMANENT: 'true', ADDRESS_AUTOCOMPLETE_CACHE_S: '60', ADDRESS_AUTOCOMPLETE_PER_MINUTE: '4' }));
    ({ writeKey: key } = await t.createSource());
  });
  afterAll(async () => {
    await t?.close();
    await peer?.close();
  });

  it('asks Mapbox once per query and country, whatever the case and spacing', async () => {
    const get = (query: string) => getJson(`${t.url}/v1/addresses/autocomplete?${query}`, { authorization: `Bearer ${key}` });
    const first = await get('q=221B%20Baker&country=GB');
    expect(first.body.suggestions[0].address).toMatchObject({ line1: '221B Baker Street', postalCode: 'NW1 6XE' });
    expect(peer.requests[0].params).toMatchObject({ permanent: 'true' });

    peer.failNext(500);
    const again = await get('q=221b%20%20BAKER&country=gb');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(peer.requests).toHaveLength(1);

    expect((await get('q=221B%20Baker')).status).toBe(503);
    expect(peer.requests).toHaveLength(2);
  });

  it('limits suggestions per source and minute (write keys are public), with Retry-After', async () => {
    const get = (query: string) => getJson(`${t.url}/v1/addresses/autocomplete?${query}`, { authorization: `Bearer ${key}` });
    let refused: Awaited<ReturnType<typeof get>> | undefined;
    for (let i = 0; i < 10 && !refused; i++) {
      const answer = await get(`q=${encodeURIComponent(`${i} Baker Street`)}&country=GB`);
      if (answer.status === 429) refused = answer;
    }
    expect(refused?.body).toMatchObject({ error: 'too_many_requests' });
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    const { writeKey: other } = await t.createSource({ name: 'Another shop' });
    expect((await getJson(`${t.url}/v1/addresses/autocomplete?q=221B%20Baker&country=GB`, { authorization: `Bearer ${other}` })).status).toBe(200);
  });
});

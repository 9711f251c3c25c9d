import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MapboxPeer, startMapboxPeer } from './mapbox-peer';

const TOKEN = 'pk.peer-test-token';

describe('Mapbox Geocoding v6 peer', () => {
  let peer: MapboxPeer;
  const forward = async (params: Record<string, string>, token: string | null = TOKEN) => {
    const url = new URL('/search/geocode/v6/forward', peer.url);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    if (token !== null) url.searchParams.set('access_token', token);
    const response = await fetch(url);
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    peer = await startMapboxPeer({ accessToken: TOKEN });
  });
  afterEach(() => peer.clear());
  afterAll(async () => peer?.close());

  it('refuses a missing or wrong access token as Mapbox does', async () => {
    expect(await forward({ q: 'Downing' }, null)).toEqual({ status: 401, body: { message: 'Not Authorized - No Token' } });
    expect(await forward({ q: 'Downing' }, 'pk.wrong')).toEqual({ status: 401, body: { message: 'Not Authorized - Invalid Token' } });
    expect(peer.requests.map((r) => r.status)).toEqual([401, 401]);
    expect(peer.requests[1].params).not.toHaveProperty('access_token');
  });

  it('answers a FeatureCollection of address features with the v6 context', async () => {
    const { status, body } = await forward({ q: '10 Downing', autocomplete: 'true', types: 'address' });
    expect(status).toBe(200);
    expect(body.type).toBe('FeatureCollection');
    expect(body.features).toHaveLength(1);
    const [feature] = body.features;
    expect(feature).toMatchObject({ type: 'Feature', geometry: { type: 'Point', coordinates: [-0.12764, 51.50344] } });
    expect(feature.properties).toMatchObject({
      feature_type: 'address',
      name: '10 Downing Street',
      full_address: '10 Downing Street, London, SW1A 2AA, United Kingdom',
      context: {
        address: { address_number: '10', street_name: 'Downing Street', name: '10 Downing Street' },
        street: { name: 'Downing Street' },
        postcode: { name: 'SW1A 2AA' },
        place: { name: 'London' },
        region: { name: 'England', region_code: 'ENG', region_code_full: 'GB-ENG' },
        country: { name: 'United Kingdom', country_code: 'GB', country_code_alpha_3: 'GBR' },
      },
    });
    expect(feature.properties.mapbox_id).toBe(feature.id);
  });

  it('completes the last word only when autocomplete is on', async () => {
    expect((await forward({ q: '10 Downi' })).body.features).toHaveLength(1);
    expect((await forward({ q: '10 Downi', autocomplete: 'false' })).body.features).toHaveLength(0);
    expect((await forward({ q: '10 Downing Street London', autocomplete: 'false' })).body.features).toHaveLength(1);
  });

  it('honours country as a hard filter, limit, and proximity', async () => {
    const springfields = await forward({ q: '123 Main' });
    expect(springfields.body.features.map((f: any) => f.properties.context.postcode.name)).toEqual(['62701', '01103']);
    expect((await forward({ q: '123 Main', limit: '1' })).body.features).toHaveLength(1);
    const nearBoston = await forward({ q: '123 Main', proximity: '-71.06,42.36' });
    expect(nearBoston.body.features[0].properties.context.region.region_code).toBe('MA');
    const french = (await forward({ q: 'Rue', country: 'fr' })).body.features;
    expect(french.map((f: any) => f.properties.context.country.country_code)).toEqual(['FR', 'FR']);
    expect((await forward({ q: 'Rue', country: 'ca' })).body.features.map((f: any) => f.properties.name)).toEqual(['1 Rue des Carrières']);
    expect((await forward({ q: 'Downing', country: 'us' })).body.features).toEqual([]);
    expect((await forward({ q: 'Downing', limit: '11' })).status).toBe(422);
    expect((await forward({ q: 'Downing', types: 'place' })).body.features).toEqual([]);
  });

  it('writes German addresses number last and matches without accents', async () => {
    const { body } = await forward({ q: 'Marienplatz 8 Munchen', country: 'de' });
    expect(body.features[0].properties).toMatchObject({ name: 'Marienplatz 8', place_formatted: '80331 München, Germany' });
  });

  it('scores structured input with Smart Address Match', async () => {
    const exact = await forward({ address_number: '1600', street: 'Pennsylvania Ave NW', postcode: '20500', place: 'Washington', region: 'DC', country: 'us', autocomplete: 'false' });
    expect(exact.body.features).toHaveLength(1);
    expect(exact.body.features[0].properties.match_code).toEqual({
      address_number: 'matched',
      street: 'matched',
      postcode: 'matched',
      place: 'matched',
      region: 'matched',
      locality: 'not_applicable',
      country: 'matched',
      confidence: 'exact',
    });

    const wrongPostcode = await forward({ address_number: '10', street: 'Downing Street', postcode: 'SW1A 1AA', place: 'London', country: 'gb' });
    expect(wrongPostcode.body.features[0].properties.match_code).toMatchObject({ postcode: 'unmatched', confidence: 'high' });

    const springfield = await forward({ address_number: '123', street: 'Main St', postcode: '62701', place: 'Springfield', region: 'IL' });
    expect(springfield.body.features.map((f: any) => f.properties.match_code.confidence)).toEqual(['exact', 'low']);

    const twoChurchRoads = await forward({ address_number: '1', street: 'Church Road', postcode: 'N1 1AA', place: 'London', country: 'gb' });
    expect(twoChurchRoads.body.features.map((f: any) => f.properties.match_code.confidence)).toEqual(['high', 'high']);

    expect((await forward({ address_number: '99', street: 'Downing Street', place: 'London', country: 'gb' })).body.features).toEqual([]);
    expect((await forward({ address_line1: 'Unter den Linden 77', postcode: '10117', place: 'Berlin', country: 'de' })).body.features).toHaveLength(1);
    expect((await forward({ q: 'Downing', street: 'Downing Street' })).status).toBe(422);
  });

  it('fails or stalls on demand, one request per fault', async () => {
    peer.failNext(503);
    expect(await forward({ q: 'Downing' })).toEqual({ status: 503, body: { message: 'Internal Server Error' } });
    expect((await forward({ q: 'Downing' })).status).toBe(200);

    peer.delayNext(150);
    const started = Date.now();
    expect((await forward({ q: 'Downing' })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(peer.requests.map((r) => r.status)).toEqual([503, 200, 200]);
  });
});

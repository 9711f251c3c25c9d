import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestApp, TestApp } from './support/test-app';

describe('address routes checking offline (no ADDRESS_PROVIDER)', () => {
  let t: TestApp;
  let key: string;
  const validate = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${key}` }) => postJson(`${t.url}/v1/addresses/validate`, body, headers);

  beforeAll(async () => {
    t = await startTestApp('addresses');
    ({ writeKey: key } = await t.createSource());
  });
  afterAll(async () => t?.close());

  it('answers the address normalised', async () => {
    const response = await validate({ name: 'ADA LOVELACE', line1: '10 downing street', city: 'LONDON', postalCode: 'sw1a2aa', countryCode: 'gb' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      valid: true,
      address: { name: 'Ada Lovelace', line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', countryCode: 'GB' },
      verified: false,
      reason: 'no_provider',
      message: 'checked offline only: no address provider is configured',
    });
    const us = await validate({ line1: '1 Market Street Suite 300', city: 'san francisco', region: 'California', postalCode: '941031234', countryCode: 'US' });
    expect(us.body).toMatchObject({ valid: true, address: { line1: '1 Market St Ste 300', city: 'San Francisco', region: 'CA', postalCode: '94103-1234' } });
  });

  it('names every problem by its field', async () => {
    const response = await validate({ line1: '1 Main St', city: 'Springfield', postalCode: '1234', countryCode: 'US' });
    expect(response.status).toBe(200);
    expect(response.body.valid).toBe(false);
    expect(response.body.problems.map((p: { field: string }) => p.field).sort()).toEqual(['postalCode', 'region']);
    expect(response.body.message).toMatch(/region: required for US/);
  });

  it('refuses a body that is not an address, and a caller without a key', async () => {
    expect((await validate(['not', 'an', 'object'])).status).toBe(400);
    expect((await validate({ line1: 'x', city: 'y', countryCode: 'FR', postalCode: '75001' }, {})).status).toBe(401);
    const unreadable = await postJson(`${t.url}/v1/addresses/validate`, '{"line1":', { authorization: `Bearer ${key}` });
    expect(unreadable.status).toBe(400);
  });

  it('answers autocomplete with 501 without an address provider', async () => {
    const autocomplete = async (query: string, headers: Record<string, string> = { authorization: `Bearer ${key}` }) => {
      const response = await fetch(`${t.url}/v1/addresses/autocomplete?${query}`, { headers });
      return { status: response.status, body: (await response.json()) as any };
    };
    expect(await autocomplete('q=10%20Downing')).toEqual({
      status: 501,
      body: { error: 'not_implemented', message: 'address autocomplete needs an address provider: set ADDRESS_PROVIDER=mapbox and MAPBOX_ACCESS_TOKEN' },
    });
    expect((await autocomplete('q=10%20Downing', {})).status).toBe(401);
    expect((await autocomplete('q=ab')).status).toBe(400);
  });
});

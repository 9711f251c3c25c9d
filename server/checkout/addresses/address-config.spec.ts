import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/app-config';
import { createAddressProvider } from './address-providers';
import { MapboxAddressProvider } from './mapbox-address-provider';

describe('address provider configuration', () => {
  it('checks offline by default', () => {
    const config = loadConfig({});
    expect(config.addresses).toEqual({ provider: 'offline', mapbox: undefined, autocompleteCacheSeconds: 0, autocompletePerMinute: 1800 });
    expect(createAddressProvider(config)).toBeNull();
  });

  it('reads the Mapbox settings', () => {
    const config = loadConfig({ ADDRESS_PROVIDER: 'mapbox', MAPBOX_ACCESS_TOKEN: 'pk.abc', MAPBOX_API_BASE: 'http://127.0.0.1:9999/', MAPBOX_TIMEOUT_MS: '800' });
    expect(config.addresses.mapbox).toEqual({ accessToken: 'pk.abc', apiBase: 'http://127.0.0.1:9999', timeoutMs: 800, permanent: false });
    expect(createAddressProvider(config)).toBeInstanceOf(MapboxAddressProvider);
    expect(loadConfig({ ADDRESS_PROVIDER: 'mapbox', MAPBOX_ACCESS_TOKEN: 'pk.abc' }).addresses.mapbox?.apiBase).toBe('https://api.mapbox.com');
  });

  it('names what is missing or malformed', () => {
    expect(() => loadConfig({ ADDRESS_PROVIDER: 'mapbox' })).toThrow(/MAPBOX_ACCESS_TOKEN: is required when ADDRESS_PROVIDER is mapbox/);
    expect(() => loadConfig({ ADDRESS_PROVIDER: 'google' })).toThrow(/ADDRESS_PROVIDER: must be one of offline, mapbox \(got "google"\)/);
    expect(() => loadConfig({ MAPBOX_ACCESS_TOKEN: 'https://api.mapbox.com/?access_token=pk.x' })).toThrow(/MAPBOX_ACCESS_TOKEN: must be a Mapbox access token/);
    expect(() => loadConfig({ MAPBOX_API_BASE: 'api.mapbox.com' })).toThrow(/MAPBOX_API_BASE: must be a URL/);
    expect(() => loadConfig({ MAPBOX_TIMEOUT_MS: '10' })).toThrow(/MAPBOX_TIMEOUT_MS: must be a whole number between 100 and 30000/);
  });

  it('caches suggestions only from permanent geocoding, which Mapbox allows to be stored', () => {
    const mapbox = { ADDRESS_PROVIDER: 'mapbox', MAPBOX_ACCESS_TOKEN: 'pk.abc', ADDRESS_AUTOCOMPLETE_CACHE_S: '60' };
    expect(() => loadConfig(mapbox)).toThrow(/ADDRESS_AUTOCOMPLETE_CACHE_S: must be 0 unless MAPBOX_PERMANENT is true/);
    const config = loadConfig({ ...mapbox, MAPBOX_PERMANENT: 'true' });
    expect(config.addresses).toMatchObject({ autocompleteCacheSeconds: 60, mapbox: { permanent: true } });
  });
});

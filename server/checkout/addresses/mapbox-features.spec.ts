import { describe, expect, it } from 'vitest';
import { addressOfFeature, confidenceOf, MapboxFeature, readFeatureCollection, splitStreetLine, structuredQuery, suggestionOfFeature } from './mapbox-features';

/** Shaped like the Geocoding v6 documentation's example answer. */
const WHITE_HOUSE = {
  type: 'Feature',
  id: 'dXJuOm1ieGFkcjo2YzdhYjM4Yi05YzM4LTQ3ZDItODFkMS1jYzZlYjg5YzliMWM',
  geometry: { type: 'Point', coordinates: [-77.03655, 38.89768] },
  properties: {
    mapbox_id: 'dXJuOm1ieGFkcjo2YzdhYjM4Yi05YzM4LTQ3ZDItODFkMS1jYzZlYjg5YzliMWM',
    feature_type: 'address',
    name: '1600 Pennsylvania Avenue Northwest',
    coordinates: { longitude: -77.03655, latitude: 38.89768, accuracy: 'rooftop' },
    place_formatted: 'Washington, District of Columbia 20500, United States',
    match_code: { address_number: 'matched', street: 'matched', postcode: 'matched', place: 'matched', region: 'matched', locality: 'not_applicable', country: 'inferred', confidence: 'exact' },
    context: {
      address: { mapbox_id: 'a', address_number: '1600', street_name: 'Pennsylvania Avenue Northwest', name: '1600 Pennsylvania Avenue Northwest' },
      street: { mapbox_id: 'a', name: 'Pennsylvania Avenue Northwest' },
      neighborhood: { mapbox_id: 'n', name: 'National Mall' },
      postcode: { mapbox_id: 'p', name: '20500' },
      place: { mapbox_id: 'w', name: 'Washington', wikidata_id: 'Q61' },
      region: { mapbox_id: 'r', name: 'District of Columbia', wikidata_id: 'Q3551781', region_code: 'DC', region_code_full: 'US-DC' },
      country: { mapbox_id: 'c', name: 'United States', wikidata_id: 'Q30', country_code: 'US', country_code_alpha_3: 'USA' },
    },
  },
} as unknown as MapboxFeature;

function feature(overrides: { name?: string; feature_type?: string; context: Record<string, unknown>; match_code?: Record<string, string> }): MapboxFeature {
  return { type: 'Feature', properties: { feature_type: 'address', ...overrides } } as MapboxFeature;
}

describe('reading Mapbox v6 features', () => {
  it('reads a FeatureCollection and refuses anything else', () => {
    expect(readFeatureCollection({ type: 'FeatureCollection', features: [WHITE_HOUSE, null, { type: 'Feature' }], attribution: 'NOTICE' })).toEqual([WHITE_HOUSE]);
    expect(readFeatureCollection({ type: 'FeatureCollection', features: [] })).toEqual([]);
    expect(() => readFeatureCollection({ message: 'Not Found' })).toThrow(/not a GeoJSON FeatureCollection/);
    expect(() => readFeatureCollection(undefined)).toThrow();
  });

  it('turns an address feature into our normalised address, region as a code where the post wants one', () => {
    expect(addressOfFeature(WHITE_HOUSE)).toEqual({ line1: '1600 Pennsylvania Ave Northwest', city: 'Washington', region: 'DC', postalCode: '20500', countryCode: 'US' });
    const downing = feature({
      name: '10 Downing Street',
      context: { postcode: { name: 'SW1A 2AA' }, place: { name: 'London' }, region: { name: 'England', region_code: 'ENG' }, country: { name: 'United Kingdom', country_code: 'GB' } },
    });
    expect(addressOfFeature(downing)).toEqual({ line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', countryCode: 'GB' });
    const quebec = feature({
      name: '1 Rue des Carrières',
      context: { postcode: { name: 'G1R 4P5' }, place: { name: 'Québec' }, region: { name: 'Quebec', region_code: 'QC' }, country: { country_code: 'CA' } },
    });
    expect(addressOfFeature(quebec)).toEqual({ line1: '1 Rue des Carrières', city: 'Québec', region: 'QC', postalCode: 'G1R 4P5', countryCode: 'CA' });
  });

  it('keeps the number where the country writes it, and builds the line from the context without a name', () => {
    const linden = feature({ name: 'Unter den Linden 77', context: { postcode: { name: '10117' }, place: { name: 'Berlin' }, country: { country_code: 'de' } } });
    expect(addressOfFeature(linden)).toMatchObject({ line1: 'Unter den Linden 77', postalCode: '10117', countryCode: 'DE' });
    const nameless = feature({
      context: { address: { address_number: '55', street_name: 'Rue du Faubourg Saint-Honoré' }, postcode: { name: '75008' }, locality: { name: 'Paris 8e' }, country: { country_code: 'FR' } },
    });
    expect(addressOfFeature(nameless)).toMatchObject({ line1: '55 Rue du Faubourg Saint-Honoré', city: 'Paris 8e' });
  });

  it('drops what is not a deliverable street address', () => {
    expect(addressOfFeature({ ...WHITE_HOUSE, properties: { ...WHITE_HOUSE.properties, feature_type: 'street' } })).toBeNull();
    expect(addressOfFeature(feature({ name: '1 Main St', context: { place: { name: 'Springfield' }, region: { region_code: 'IL' }, country: { country_code: 'US' } } }))).toBeNull();
    expect(addressOfFeature(feature({ name: '1 Rue', context: { postcode: { name: '1000' }, place: { name: 'Kinshasa' }, country: { country_code: 'CD' } } }))).toBeNull();
    expect(addressOfFeature(feature({ name: '1 Rue', context: {} }))).toBeNull();
  });

  it('labels a suggestion as Mapbox writes it', () => {
    expect(suggestionOfFeature(WHITE_HOUSE)?.label).toBe('1600 Pennsylvania Avenue Northwest, Washington, District of Columbia 20500, United States');
    const withFull = { ...WHITE_HOUSE, properties: { ...WHITE_HOUSE.properties, full_address: '1600 Pennsylvania Avenue Northwest, Washington, DC 20500' } };
    expect(suggestionOfFeature(withFull)?.label).toBe('1600 Pennsylvania Avenue Northwest, Washington, DC 20500');
  });

  it('reads the match confidence, not vouching for a feature without one', () => {
    expect(confidenceOf(WHITE_HOUSE)).toBe('exact');
    expect(confidenceOf(feature({ context: {}, match_code: { confidence: 'low' } }))).toBe('low');
    expect(confidenceOf(feature({ context: {} }))).toBe('medium');
    expect(confidenceOf(feature({ context: {}, match_code: { confidence: 'certain' } }))).toBe('medium');
  });
});

describe('writing structured input', () => {
  it('splits the number from the street, wherever it is written', () => {
    expect(splitStreetLine('10 Downing Street')).toEqual({ addressNumber: '10', street: 'Downing Street' });
    expect(splitStreetLine('221B Baker Street')).toEqual({ addressNumber: '221B', street: 'Baker Street' });
    expect(splitStreetLine('10, rue de la Paix')).toEqual({ addressNumber: '10', street: 'rue de la Paix' });
    expect(splitStreetLine('Unter den Linden 77')).toEqual({ addressNumber: '77', street: 'Unter den Linden' });
    expect(splitStreetLine('Hauptstraße 12a')).toEqual({ addressNumber: '12a', street: 'Hauptstraße' });
    expect(splitStreetLine('12-14 Rue Oberkampf')).toEqual({ addressNumber: '12-14', street: 'Rue Oberkampf' });
    expect(splitStreetLine('Marienplatz')).toEqual({ street: 'Marienplatz' });
  });

  it('names each part of the address', () => {
    expect(structuredQuery({ name: 'Ada', line1: '1600 Pennsylvania Ave NW', line2: 'Ste 1', city: 'Washington', region: 'DC', postalCode: '20500', countryCode: 'US' })).toEqual({
      address_number: '1600',
      street: 'Pennsylvania Ave NW',
      postcode: '20500',
      place: 'Washington',
      region: 'DC',
      country: 'us',
    });
    expect(structuredQuery({ line1: 'Marienplatz', city: 'München', countryCode: 'DE' })).toEqual({ street: 'Marienplatz', place: 'München', country: 'de' });
  });
});

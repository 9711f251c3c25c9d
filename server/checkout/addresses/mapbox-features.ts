/**
 * Reading the Mapbox Geocoding API v6 answer (a GeoJSON FeatureCollection) into our addresses, and writing our
 * addresses as its structured input. Plain TypeScript: the HTTP side is mapbox-address-provider.ts.
 * Response fields used: `properties.feature_type`, `name`, `full_address`, `place_formatted`, `match_code`
 * and `context` (`address`, `street`, `postcode`, `place`, `locality`, `region` with `region_code`, `country`
 * with `country_code`).
 */
import type { PostalAddress } from './address';
import type { AddressSuggestion, MatchConfidence } from './address-provider';
import { COUNTRY_RULES } from './country-rules';
import { validateAddress } from './normalise-address';

interface ContextItem {
  mapbox_id?: string;
  name?: string;
}

export interface MapboxContext {
  address?: ContextItem & { address_number?: string; street_name?: string };
  street?: ContextItem;
  postcode?: ContextItem;
  place?: ContextItem;
  locality?: ContextItem;
  region?: ContextItem & { region_code?: string; region_code_full?: string };
  country?: ContextItem & { country_code?: string; country_code_alpha_3?: string };
}

export interface MapboxFeature {
  type: 'Feature';
  id?: string;
  geometry?: { type: 'Point'; coordinates: [number, number] };
  properties: {
    mapbox_id?: string;
    feature_type?: string;
    name?: string;
    full_address?: string;
    place_formatted?: string;
    match_code?: Partial<Record<string, string>> & { confidence?: string };
    context?: MapboxContext;
  };
}

/** The features of a v6 answer; throws when the body is not a FeatureCollection. */
export function readFeatureCollection(body: unknown): MapboxFeature[] {
  const collection = body as { type?: unknown; features?: unknown } | null;
  if (typeof collection !== 'object' || collection === null || collection.type !== 'FeatureCollection' || !Array.isArray(collection.features)) {
    throw new Error('the answer is not a GeoJSON FeatureCollection');
  }
  return collection.features.filter(
    (feature): feature is MapboxFeature =>
      typeof feature === 'object' && feature !== null && typeof (feature as MapboxFeature).properties === 'object' && (feature as MapboxFeature).properties !== null,
  );
}

const CONFIDENCES: readonly MatchConfidence[] = ['exact', 'high', 'medium', 'low'];

/** `match_code.confidence`; an address without one was not matched against structured input, so it is not vouched for. */
export function confidenceOf(feature: MapboxFeature): MatchConfidence {
  const confidence = feature.properties.match_code?.confidence;
  return CONFIDENCES.includes(confidence as MatchConfidence) ? (confidence as MatchConfidence) : 'medium';
}

/**
 * The feature as one of our addresses, normalised by the offline validator; null for anything that is not a
 * street address, or that the validator refuses (no postcode, a country we do not ship to).
 */
export function addressOfFeature(feature: MapboxFeature): PostalAddress | null {
  const { properties } = feature;
  if (properties.feature_type !== 'address') return null;
  const context = properties.context ?? {};
  const countryCode = context.country?.country_code?.toUpperCase();
  if (!countryCode) return null;
  // `name` is the number and street in the country's own order ("Unter den Linden 77", "10 Downing Street").
  const line1 = properties.name ?? [context.address?.address_number, context.address?.street_name ?? context.street?.name].filter(Boolean).join(' ');
  const result = validateAddress({
    line1,
    city: context.place?.name ?? context.locality?.name,
    region: regionOf(countryCode, context.region),
    postalCode: context.postcode?.name,
    countryCode,
  });
  return result.ok ? result.address : null;
}

/** Only where the post wants a region on the envelope; a code where our validator knows the list. */
function regionOf(countryCode: string, region: MapboxContext['region']): string | undefined {
  const rule = COUNTRY_RULES[countryCode]?.region;
  if (!rule || !region) return undefined;
  return (rule.list || countryCode === 'BR' ? region.region_code : undefined) ?? region.name;
}

export function suggestionOfFeature(feature: MapboxFeature): AddressSuggestion | null {
  const address = addressOfFeature(feature);
  if (!address) return null;
  const { full_address, name, place_formatted } = feature.properties;
  const label = full_address ?? [name, place_formatted].filter(Boolean).join(', ');
  return { label: label || `${address.line1}, ${address.city}`, address };
}

/**
 * "10 Downing St" → number "10", street "Downing St"; "Unter den Linden 77" → "77", "Unter den Linden";
 * "10, rue de la Paix" → "10", "rue de la Paix". No number: the street alone.
 */
export function splitStreetLine(line1: string): { addressNumber?: string; street: string } {
  const leading = /^(\d+[A-Za-z]?(?:[-/]\d+[A-Za-z]?)?)\s*,?\s+(.+)$/.exec(line1);
  if (leading) return { addressNumber: leading[1], street: leading[2] };
  const trailing = /^(.+?),?\s+(\d+[A-Za-z]?(?:[-/]\d+[A-Za-z]?)?)$/.exec(line1);
  if (trailing) return { addressNumber: trailing[2], street: trailing[1] };
  return { street: line1 };
}

/** The v6 structured-input parameters for an address the offline validator accepted. */
export function structuredQuery(address: PostalAddress): Record<string, string> {
  const { addressNumber, street } = splitStreetLine(address.line1);
  return {
    ...(addressNumber !== undefined && { address_number: addressNumber }),
    street,
    ...(address.postalCode !== undefined && { postcode: address.postalCode }),
    place: address.city,
    ...(address.region !== undefined && { region: address.region }),
    country: address.countryCode.toLowerCase(),
  };
}

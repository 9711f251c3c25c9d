import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Mapbox Geocoding API v6 forward endpoint (`GET /search/geocode/v6/forward`) over a small
 * built-in set of addresses in the US, the UK, France, Germany and Canada. It speaks the real protocol:
 * `access_token` checked (401 `Not Authorized - …`), `q` with `autocomplete` (the last word may be a prefix),
 * structured input (`address_number`, `street`, `address_line1`, `postcode`, `place`, `region`, `country`)
 * with Smart Address Match (`match_code` and its `confidence`), `country` as a hard filter, `types`, `limit`
 * (1–10, default 5) and `proximity`. Answers are GeoJSON FeatureCollections shaped like Mapbox's, `context`
 * included. Matching is written here independently of the server's parsing.
 */

export interface PeerAddress {
  number: string;
  street: string;
  postcode: string;
  place: string;
  region: { name: string; code: string };
  country: { name: string; code: string; alpha3: string };
  longitude: number;
  latitude: number;
}

const US = { name: 'United States', code: 'US', alpha3: 'USA' };
const GB = { name: 'United Kingdom', code: 'GB', alpha3: 'GBR' };
const FR = { name: 'France', code: 'FR', alpha3: 'FRA' };
const DE = { name: 'Germany', code: 'DE', alpha3: 'DEU' };
const CA = { name: 'Canada', code: 'CA', alpha3: 'CAN' };

const at = (
  number: string,
  street: string,
  postcode: string,
  place: string,
  region: [string, string],
  country: PeerAddress['country'],
  longitude: number,
  latitude: number,
): PeerAddress => ({ number, street, postcode, place, region: { name: region[0], code: region[1] }, country, longitude, latitude });

/** Real-looking addresses; two Springfields and two London "1 Church Road"s make ambiguity testable. */
export const PEER_ADDRESSES: readonly PeerAddress[] = [
  at('1600', 'Pennsylvania Avenue Northwest', '20500', 'Washington', ['District of Columbia', 'DC'], US, -77.03655, 38.89768),
  at('20', 'West 34th Street', '10118', 'New York', ['New York', 'NY'], US, -73.98614, 40.74889),
  at('1', 'Market Street', '94105', 'San Francisco', ['California', 'CA'], US, -122.39423, 37.79394),
  at('233', 'South Wacker Drive', '60606', 'Chicago', ['Illinois', 'IL'], US, -87.63594, 41.87889),
  at('123', 'Main Street', '62701', 'Springfield', ['Illinois', 'IL'], US, -89.65015, 39.80172),
  at('123', 'Main Street', '01103', 'Springfield', ['Massachusetts', 'MA'], US, -72.58981, 42.10148),
  at('10', 'Downing Street', 'SW1A 2AA', 'London', ['England', 'ENG'], GB, -0.12764, 51.50344),
  at('221B', 'Baker Street', 'NW1 6XE', 'London', ['England', 'ENG'], GB, -0.15856, 51.52377),
  at('30', 'St Mary Axe', 'EC3A 8BF', 'London', ['England', 'ENG'], GB, -0.08033, 51.51449),
  at('1', 'Church Road', 'SW13 9HE', 'London', ['England', 'ENG'], GB, -0.23934, 51.47453),
  at('1', 'Church Road', 'E12 6AQ', 'London', ['England', 'ENG'], GB, 0.05161, 51.55244),
  at('1', 'Deansgate', 'M3 1AZ', 'Manchester', ['England', 'ENG'], GB, -2.24461, 53.48403),
  at('55', 'Rue du Faubourg Saint-Honoré', '75008', 'Paris', ['Île-de-France', 'IDF'], FR, 2.31651, 48.87037),
  at('10', 'Rue de la Paix', '75002', 'Paris', ['Île-de-France', 'IDF'], FR, 2.33108, 48.86911),
  at('1', 'Place de la Comédie', '69001', 'Lyon', ['Auvergne-Rhône-Alpes', 'ARA'], FR, 4.83571, 45.76734),
  at('77', 'Unter den Linden', '10117', 'Berlin', ['Berlin', 'BE'], DE, 13.38062, 52.51631),
  at('1', 'Platz der Republik', '11011', 'Berlin', ['Berlin', 'BE'], DE, 13.37612, 52.51862),
  at('8', 'Marienplatz', '80331', 'München', ['Bayern', 'BY'], DE, 11.57549, 48.13743),
  at('111', 'Wellington Street', 'K1A 0A9', 'Ottawa', ['Ontario', 'ON'], CA, -75.70093, 45.42358),
  at('290', 'Bremner Boulevard', 'M5V 3L9', 'Toronto', ['Ontario', 'ON'], CA, -79.38706, 43.64256),
  at('1', 'Rue des Carrières', 'G1R 4P5', 'Québec', ['Quebec', 'QC'], CA, -71.20545, 46.81228),
];

/** Every request, refused ones included; `params` without the access token. */
export interface MapboxPeerRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  status: number;
}

export interface MapboxPeer {
  /** http://127.0.0.1:PORT, to use as MAPBOX_API_BASE. */
  url: string;
  accessToken: string;
  requests: MapboxPeerRequest[];
  /** The next `times` requests are answered with this status (and a Mapbox-style `{ message }`). */
  failNext(status: number, times?: number, message?: string): void;
  /** The next `times` requests are answered normally, but only after `ms`. */
  delayNext(ms: number, times?: number): void;
  clear(): void;
  close(): Promise<void>;
}

export interface MapboxPeerOptions {
  accessToken: string;
  addresses?: readonly PeerAddress[];
}

type Fault = { kind: 'fail'; status: number; message?: string } | { kind: 'delay'; ms: number };
type MatchCode = 'matched' | 'unmatched' | 'not_applicable' | 'inferred';
type Confidence = 'exact' | 'high' | 'medium' | 'low';

const FORWARD_PATH = '/search/geocode/v6/forward';
const STRUCTURED = ['address_number', 'street', 'address_line1', 'postcode', 'place', 'region', 'locality', 'neighborhood', 'block'];
const ATTRIBUTION =
  'NOTICE: © 2025 Mapbox and its suppliers. All rights reserved. Use of this data is subject to the Mapbox Terms of Service (https://www.mapbox.com/about/maps/). This response and the information it contains may not be retained.';
const NUMBER_LAST = new Set(['DE']);

const SHORT_WORDS: Readonly<Record<string, string>> = {
  street: 'st', avenue: 'ave', boulevard: 'blvd', road: 'rd', drive: 'dr', lane: 'ln', court: 'ct', place: 'pl',
  northwest: 'nw', northeast: 'ne', southwest: 'sw', southeast: 'se', north: 'n', south: 's', east: 'e', west: 'w',
  saint: 'st', strasse: 'str',
};

/** Lower case, no accents, ß as ss, punctuation as spaces, street words in one short form. */
function words(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
    .map((w) => SHORT_WORDS[w] ?? w.replace(/strasse$/, 'str'));
}

const same = (a: string, b: string) => words(a).join(' ') === words(b).join(' ');
const compact = (postcode: string) => postcode.toUpperCase().replace(/[\s-]/g, '');

function nameOf(a: PeerAddress): string {
  return NUMBER_LAST.has(a.country.code) ? `${a.street} ${a.number}` : `${a.number} ${a.street}`;
}

/** Each country's own order, as Mapbox writes `place_formatted`. */
function placeFormatted(a: PeerAddress): string {
  switch (a.country.code) {
    case 'US':
    case 'CA':
      return `${a.place}, ${a.region.name} ${a.postcode}, ${a.country.name}`;
    case 'GB':
      return `${a.place}, ${a.postcode}, ${a.country.name}`;
    default:
      return `${a.postcode} ${a.place}, ${a.country.name}`;
  }
}

const id = (kind: string, text: string) => Buffer.from(`urn:mbx${kind}:${text}`).toString('base64url');

function feature(a: PeerAddress, matchCode: Record<string, string>) {
  const name = nameOf(a);
  const addressId = id('adr', `${a.country.code}:${a.postcode}:${a.number}:${a.street}`);
  return {
    type: 'Feature',
    id: addressId,
    geometry: { type: 'Point', coordinates: [a.longitude, a.latitude] },
    properties: {
      mapbox_id: addressId,
      feature_type: 'address',
      full_address: `${name}, ${placeFormatted(a)}`,
      name,
      name_preferred: name,
      coordinates: { longitude: a.longitude, latitude: a.latitude, accuracy: 'rooftop', routable_points: [{ name: 'default', longitude: a.longitude, latitude: a.latitude }] },
      place_formatted: placeFormatted(a),
      match_code: matchCode,
      context: {
        address: { mapbox_id: addressId, address_number: a.number, street_name: a.street, name },
        street: { mapbox_id: id('str', `${a.country.code}:${a.place}:${a.street}`), name: a.street },
        postcode: { mapbox_id: id('plc', `postcode:${a.postcode}`), name: a.postcode },
        place: { mapbox_id: id('plc', `place:${a.place}`), name: a.place },
        region: { mapbox_id: id('plc', `region:${a.region.code}`), name: a.region.name, region_code: a.region.code, region_code_full: `${a.country.code}-${a.region.code}` },
        country: { mapbox_id: id('plc', `country:${a.country.code}`), name: a.country.name, country_code: a.country.code, country_code_alpha_3: a.country.alpha3 },
      },
    },
  };
}

/** Free text: every word of the query is a word of the address; with autocomplete the last may be a prefix. */
function searchText(addresses: readonly PeerAddress[], q: string, autocomplete: boolean) {
  const query = words(q);
  if (query.length === 0) return [];
  return addresses.flatMap((a) => {
    const parts = {
      address_number: words(a.number),
      street: words(a.street),
      postcode: [...words(a.postcode), compact(a.postcode).toLowerCase()],
      place: words(a.place),
      region: [...words(a.region.name), a.region.code.toLowerCase()],
      country: [...words(a.country.name), a.country.code.toLowerCase()],
    };
    const all = Object.values(parts).flat();
    const hits = (word: string, last: boolean) => (candidates: string[]) => candidates.some((w) => w === word || (last && autocomplete && w.startsWith(word)));
    if (!query.every((word, i) => hits(word, i === query.length - 1)(all))) return [];
    const code = (component: keyof typeof parts): MatchCode => (query.some((word, i) => hits(word, i === query.length - 1)(parts[component])) ? 'matched' : 'unmatched');
    const matchCode: Record<string, string> = {
      address_number: code('address_number'),
      street: code('street'),
      postcode: code('postcode'),
      place: code('place'),
      region: code('region'),
      locality: 'not_applicable',
      country: code('country') === 'matched' ? 'matched' : 'inferred',
    };
    matchCode.confidence = matchCode.address_number === 'matched' && matchCode.street === 'matched' ? 'exact' : 'low';
    return [{ address: a, matchCode }];
  });
}

const RANK: Record<Confidence, number> = { exact: 0, high: 1, medium: 2, low: 3 };

/** Structured input: the street (and number, when given) must be the address's; other parts are scored, as Smart Address Match does. */
function searchStructured(addresses: readonly PeerAddress[], params: Record<string, string>) {
  return addresses
    .flatMap((a) => {
      const line1 = params.address_line1;
      if (line1 !== undefined) {
        if (!same(line1, `${a.number} ${a.street}`) && !same(line1, `${a.street} ${a.number}`)) return [];
      } else {
        if (params.street === undefined || !same(params.street, a.street)) return [];
        if (params.address_number !== undefined && !same(params.address_number, a.number)) return [];
      }
      const given = (name: string, matches: (value: string) => boolean): MatchCode =>
        params[name] !== undefined && matches(params[name]) ? 'matched' : 'unmatched';
      const postcode = given('postcode', (v) => compact(v) === compact(a.postcode));
      const place = given('place', (v) => same(v, a.place));
      const region = given('region', (v) => same(v, a.region.name) || same(v, a.region.code));
      const corrected = (['postcode', 'place'] as const).filter((n) => params[n] !== undefined && (n === 'postcode' ? postcode : place) === 'unmatched').length;
      const regionCorrected = params.region !== undefined && region === 'unmatched';
      const confidence: Confidence =
        !regionCorrected && corrected === 0 ? 'exact' : !regionCorrected && corrected === 1 ? 'high' : corrected + (regionCorrected ? 2 : 0) === 2 ? 'medium' : 'low';
      const matchCode = {
        address_number: params.address_number !== undefined || line1 !== undefined ? 'matched' : 'unmatched',
        street: 'matched',
        postcode,
        place,
        region,
        locality: 'not_applicable',
        country: params.country !== undefined ? 'matched' : 'inferred',
        confidence,
      };
      return [{ address: a, matchCode }];
    })
    .sort((x, y) => RANK[x.matchCode.confidence as Confidence] - RANK[y.matchCode.confidence as Confidence]);
}

function distance(a: PeerAddress, longitude: number, latitude: number) {
  return (a.longitude - longitude) ** 2 + (a.latitude - latitude) ** 2;
}

export async function startMapboxPeer(options: MapboxPeerOptions): Promise<MapboxPeer> {
  const { accessToken } = options;
  const addresses = options.addresses ?? PEER_ADDRESSES;
  const requests: MapboxPeerRequest[] = [];
  const faults: Fault[] = [];
  const timers = new Set<NodeJS.Timeout>();

  function answer(request: IncomingMessage): { status: number; json: unknown; params: Record<string, string> } {
    const url = new URL(request.url ?? '/', 'http://peer');
    const all = Object.fromEntries(url.searchParams);
    const { access_token: token, ...params } = all;
    const fail = (status: number, message: string) => ({ status, json: { message }, params });

    if (request.method !== 'GET' || url.pathname !== FORWARD_PATH) return fail(404, 'Not Found');
    if (!token) return fail(401, 'Not Authorized - No Token');
    if (token !== accessToken) return fail(401, 'Not Authorized - Invalid Token');

    const limit = params.limit === undefined ? 5 : Number(params.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10) return fail(422, 'limit must be an integer between 1 and 10');
    const countries = params.country?.split(',').map((c) => c.trim().toUpperCase());
    if (countries?.some((c) => !/^[A-Z]{2}$/.test(c))) return fail(422, `"${params.country}" is not a valid country`);
    const types = params.types?.split(',').map((t) => t.trim());
    const structured = STRUCTURED.some((name) => params[name] !== undefined);
    if (params.q !== undefined && structured) return fail(422, 'q cannot be combined with structured input parameters');
    if (params.q === undefined && !structured) return fail(422, 'a query (q) or structured input is required');
    if (params.q !== undefined && params.q.includes(';')) return fail(422, 'the query must not contain ";"');

    const inCountry = countries ? addresses.filter((a) => countries.includes(a.country.code)) : addresses;
    const autocomplete = params.autocomplete !== 'false';
    let found = params.q !== undefined ? searchText(inCountry, params.q, autocomplete) : searchStructured(inCountry, params);
    if (types && !types.includes('address')) found = [];
    if (params.proximity && params.proximity !== 'ip') {
      const [longitude, latitude] = params.proximity.split(',').map(Number);
      if (!Number.isFinite(longitude) || !Number.isFinite(latitude)) return fail(422, 'proximity must be longitude,latitude');
      found = [...found].sort((x, y) => distance(x.address, longitude, latitude) - distance(y.address, longitude, latitude));
    }
    const features = found.slice(0, limit).map((f) => feature(f.address, f.matchCode));
    return { status: 200, json: { type: 'FeatureCollection', features, attribution: ATTRIBUTION }, params };
  }

  function send(response: ServerResponse, status: number, json: unknown) {
    if (response.destroyed) return;
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(json));
  }

  const server = createServer((request, response) => {
    request.resume();
    const result = answer(request);
    const path = new URL(request.url ?? '/', 'http://peer').pathname;
    const fault = result.status === 200 ? faults.shift() : undefined;
    if (fault?.kind === 'fail') {
      const message = fault.message ?? (fault.status === 429 ? 'Too Many Requests' : fault.status >= 500 ? 'Internal Server Error' : 'Error');
      requests.push({ method: request.method ?? '', path, params: result.params, status: fault.status });
      return send(response, fault.status, { message });
    }
    requests.push({ method: request.method ?? '', path, params: result.params, status: result.status });
    if (fault?.kind === 'delay') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send(response, result.status, result.json);
      }, fault.ms);
      timers.add(timer);
      return;
    }
    send(response, result.status, result.json);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accessToken,
    requests,
    failNext(status, times = 1, message) {
      for (let i = 0; i < times; i++) faults.push({ kind: 'fail', status, message });
    },
    delayNext(ms, times = 1) {
      for (let i = 0; i < times; i++) faults.push({ kind: 'delay', ms });
    },
    clear() {
      requests.length = 0;
      faults.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

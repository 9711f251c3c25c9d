/**
 * The Mapbox Geocoding API v6 as an address provider: `GET /search/geocode/v6/forward`, with `q` and
 * `autocomplete=true` for suggestions, and with structured input (`address_number`, `street`, `postcode`,
 * `place`, `region`, `country`) and `autocomplete=false` to verify an address.
 */
import type { PostalAddress } from './address';
import {
  AddressProvider,
  AddressProviderUnavailable,
  AddressSuggestion,
  AddressVerification,
  AutocompleteOptions,
  UnavailableReason,
} from './address-provider';
import { addressOfFeature, confidenceOf, MapboxFeature, readFeatureCollection, structuredQuery, suggestionOfFeature } from './mapbox-features';
import { Candidate, verdict } from './verification-verdict';

export interface MapboxSettings {
  accessToken: string;
  /** https://api.mapbox.com, or a peer in tests. */
  apiBase: string;
  timeoutMs: number;
  /** Ask for permanent geocoding, whose results may be stored. */
  permanent: boolean;
}

const FORWARD_PATH = '/search/geocode/v6/forward';
/** Enough to see whether a second address competes with the first. */
const VERIFY_LIMIT = 5;

export class MapboxAddressProvider implements AddressProvider {
  readonly name = 'mapbox';

  constructor(
    private readonly settings: MapboxSettings,
    private readonly fetcher: typeof fetch = fetch,
  ) {}

  async autocomplete(query: string, options: AutocompleteOptions = {}): Promise<AddressSuggestion[]> {
    const features = await this.forward({
      q: searchText(query),
      autocomplete: 'true',
      types: 'address',
      ...(options.country && { country: options.country.toLowerCase() }),
      ...(options.limit && { limit: String(options.limit) }),
      ...(options.proximity && { proximity: `${options.proximity.longitude},${options.proximity.latitude}` }),
    });
    return features.map(suggestionOfFeature).filter((s): s is AddressSuggestion => s !== null);
  }

  async verify(address: PostalAddress): Promise<AddressVerification> {
    const features = await this.forward({ ...structuredQuery(address), autocomplete: 'false', types: 'address', limit: String(VERIFY_LIMIT) });
    const candidates = features.flatMap((feature): Candidate[] => {
      const found = addressOfFeature(feature);
      return found ? [{ address: found, confidence: confidenceOf(feature) }] : [];
    });
    return verdict(address, candidates);
  }

  private async forward(params: Record<string, string>): Promise<MapboxFeature[]> {
    const url = new URL(FORWARD_PATH, this.settings.apiBase);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    if (this.settings.permanent) url.searchParams.set('permanent', 'true');
    url.searchParams.set('access_token', this.settings.accessToken);

    let response: Response;
    let body: unknown;
    try {
      response = await this.fetcher(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.settings.timeoutMs) });
      const text = await response.text();
      body = parseJson(text);
    } catch (error) {
      // Never the URL in a message: it carries the access token.
      if (isTimeout(error)) throw this.unavailable('timeout', `no answer within ${this.settings.timeoutMs} ms`);
      throw this.unavailable('unreachable', `could not be reached (${causeOf(error)})`);
    }
    if (!response.ok) {
      const reason = reasonFor(response.status);
      const message = typeof (body as { message?: unknown })?.message === 'string' ? `: ${(body as { message: string }).message}` : '';
      throw this.unavailable(reason, `answered HTTP ${response.status}${message}`);
    }
    try {
      return readFeatureCollection(body);
    } catch (error) {
      throw this.unavailable('bad_response', (error as Error).message);
    }
  }

  private unavailable(reason: UnavailableReason, detail: string) {
    return new AddressProviderUnavailable(this.name, reason, detail);
  }
}

/** Mapbox refuses a semicolon and more than 20 words (its 422 would read as an outage); the first words are what matter. */
function searchText(query: string): string {
  const words = query.replace(/;/g, ' ').split(/\s+/).filter(Boolean);
  return words.slice(0, 20).join(' ');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function reasonFor(status: number): UnavailableReason {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 429) return 'rate_limited';
  return 'provider_error';
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

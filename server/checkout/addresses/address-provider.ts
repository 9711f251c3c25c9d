/**
 * What an address provider (a geocoder) adds to the offline validator: suggestions while the customer types,
 * and whether an address that already has the right shape actually exists. Addresses given to a provider have
 * passed `validateAddress`; addresses it returns have been normalised by it too, so both sides compare alike.
 */
import type { PostalAddress } from './address';

export interface AutocompleteOptions {
  /** ISO 3166-1 alpha-2; results from that country only. */
  country?: string;
  /** 1–10. */
  limit?: number;
  /** Results near this point come first. */
  proximity?: { longitude: number; latitude: number };
}

export interface AddressSuggestion {
  /** One line for the dropdown, as the provider writes it: "10 Downing Street, London SW1A 2AA, United Kingdom". */
  label: string;
  address: PostalAddress;
}

/** How sure the provider is that its address is the one given: its own scale, best first. */
export type MatchConfidence = 'exact' | 'high' | 'medium' | 'low';

export type AddressVerification =
  | { status: 'found'; confidence: MatchConfidence; address: PostalAddress }
  /** Several addresses fit, or the only one that does differs in more than a detail: the customer should choose. */
  | { status: 'ambiguous'; candidates: PostalAddress[] }
  | { status: 'not_found' };

export interface AddressProvider {
  /** For messages and logs: "mapbox". */
  readonly name: string;
  /** Throws `AddressProviderUnavailable` when the provider cannot answer. */
  autocomplete(query: string, options?: AutocompleteOptions): Promise<AddressSuggestion[]>;
  /** Throws `AddressProviderUnavailable` when the provider cannot answer. */
  verify(address: PostalAddress): Promise<AddressVerification>;
}

export type UnavailableReason = 'timeout' | 'unreachable' | 'unauthorized' | 'rate_limited' | 'provider_error' | 'bad_response';

/** The provider did not give a usable answer; what the customer typed is not at fault. */
export class AddressProviderUnavailable extends Error {
  constructor(
    readonly provider: string,
    readonly reason: UnavailableReason,
    detail: string,
  ) {
    super(`${provider}: ${detail}`);
    this.name = 'AddressProviderUnavailable';
  }
}

/** Nest token for the configured provider, or null when addresses are checked offline only. */
export const ADDRESS_PROVIDER = Symbol('ADDRESS_PROVIDER');

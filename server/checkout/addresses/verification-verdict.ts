/**
 * Turns a provider's candidates for an address into one verdict. Exact and high confidence vouch for an
 * address (high allows one corrected detail, such as a postcode); medium means two details were changed, so
 * the customer should confirm; low, or nothing, is no match.
 */
import type { PostalAddress } from './address';
import type { AddressVerification, MatchConfidence } from './address-provider';

export interface Candidate {
  address: PostalAddress;
  confidence: MatchConfidence;
}

const RANK: Readonly<Record<MatchConfidence, number>> = { exact: 0, high: 1, medium: 2, low: 3 };

/** The customer's own name, company and second line ride along: a geocoder knows buildings, not recipients or flats. */
function withRecipient(given: PostalAddress, found: PostalAddress): PostalAddress {
  return {
    ...(given.name !== undefined && { name: given.name }),
    ...(given.company !== undefined && { company: given.company }),
    line1: found.line1,
    ...(given.line2 !== undefined && { line2: given.line2 }),
    city: found.city,
    ...(found.region !== undefined && { region: found.region }),
    ...(found.postalCode !== undefined && { postalCode: found.postalCode }),
    countryCode: found.countryCode,
  };
}

const keyOf = (a: PostalAddress) => [a.line1, a.city, a.region, a.postalCode, a.countryCode].join('|').toLowerCase();

function distinct(candidates: Candidate[]): Candidate[] {
  const seen = new Set<string>();
  return candidates.filter((c) => !seen.has(keyOf(c.address)) && seen.add(keyOf(c.address)));
}

export function verdict(given: PostalAddress, candidates: Candidate[]): AddressVerification {
  const ranked = distinct([...candidates].sort((a, b) => RANK[a.confidence] - RANK[b.confidence]));
  const vouched = ranked.filter((c) => RANK[c.confidence] <= RANK.high);
  const exact = vouched.filter((c) => c.confidence === 'exact');
  if (exact.length === 1 || (exact.length === 0 && vouched.length === 1)) {
    const best = exact[0] ?? vouched[0];
    return { status: 'found', confidence: best.confidence, address: withRecipient(given, best.address) };
  }
  const doubtful = vouched.length > 1 ? vouched : ranked.filter((c) => c.confidence === 'medium');
  if (doubtful.length > 0) return { status: 'ambiguous', candidates: doubtful.map((c) => withRecipient(given, c.address)) };
  return { status: 'not_found' };
}

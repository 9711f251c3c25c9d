import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AddressField, AddressProblem, PostalAddress } from './address';
import { describeProblem } from './address';
import { ADDRESS_PROVIDER, AddressProvider, AddressProviderUnavailable, MatchConfidence, UnavailableReason } from './address-provider';
import { validateAddress } from './normalise-address';

export type AddressExistence =
  /** `corrected`: the fields the provider writes differently from what was given (a fixed postcode, a fuller street name). */
  | { status: 'found'; confidence: MatchConfidence; address: PostalAddress; corrected: AddressField[] }
  | { status: 'ambiguous'; candidates: PostalAddress[]; message: string }
  | { status: 'not_found'; message: string };

export type ExistenceCheck =
  | { verified: true; existence: AddressExistence }
  | { verified: false; reason: 'no_provider' | UnavailableReason; message: string };

/**
 * The answer of an address check before payment. `valid` is the offline verdict (shape, required fields,
 * formats) and `address` its normalised form; `verified` says whether a provider also looked the address up.
 */
export type AddressCheck = { valid: false; problems: AddressProblem[]; message: string } | ({ valid: true; address: PostalAddress } & ExistenceCheck);

const COMPARED: readonly AddressField[] = ['line1', 'city', 'region', 'postalCode'];

/**
 * The offline validator first, always: a malformed address is refused precisely without calling anyone. Then
 * the configured provider's existence check; when the provider cannot answer, the offline answer stands and
 * says it was not verified, since a geocoder outage must not block checkouts.
 */
@Injectable()
export class AddressCheckService {
  private readonly logger = new Logger('Addresses');

  constructor(@Inject(ADDRESS_PROVIDER) private readonly provider: AddressProvider | null) {}

  async check(input: unknown): Promise<AddressCheck> {
    const result = validateAddress(input);
    if (!result.ok) return { valid: false, problems: result.problems, message: result.problems.map(describeProblem).join('; ') };
    return { valid: true, address: result.address, ...(await this.existence(result.address)) };
  }

  private async existence(address: PostalAddress): Promise<ExistenceCheck> {
    if (!this.provider) {
      return { verified: false, reason: 'no_provider', message: 'checked offline only: no address provider is configured' };
    }
    try {
      const verification = await this.provider.verify(address);
      switch (verification.status) {
        case 'found':
          return { verified: true, existence: { ...verification, corrected: COMPARED.filter((f) => !sameText(address[f], verification.address[f])) } };
        case 'ambiguous':
          return {
            verified: true,
            existence: { ...verification, message: `${verification.candidates.length} addresses could be meant; ask the customer to choose one` },
          };
        case 'not_found':
          return { verified: true, existence: { status: 'not_found', message: `${this.provider.name} knows no such address; ask the customer to check it` } };
      }
    } catch (error) {
      const reason = error instanceof AddressProviderUnavailable ? error.reason : 'provider_error';
      this.report(error);
      return { verified: false, reason, message: `checked offline only: the address provider could not answer (${reason})` };
    }
  }

  private report(error: unknown) {
    if (error instanceof AddressProviderUnavailable) {
      const hint = error.reason === 'unauthorized' ? ' (check MAPBOX_ACCESS_TOKEN)' : '';
      this.logger.warn(`address not verified: ${error.message}${hint}`);
    } else {
      // Our own bug, not the provider's outage: worth a stack in the log, never in the answer.
      this.logger.error(`address not verified: ${(error as Error)?.message}`, (error as Error)?.stack);
    }
  }
}

function sameText(a: string | undefined, b: string | undefined): boolean {
  return (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { REDIS } from '../../redis/redis.module';
import { ADDRESS_PROVIDER, AddressProvider, AddressProviderUnavailable, AddressSuggestion } from './address-provider';
import type { AutocompleteQuery } from './autocomplete-query';

/**
 * Suggestions from the configured provider, kept in Redis for `ADDRESS_AUTOCOMPLETE_CACHE_S` when set (many
 * shoppers type the same first letters of a street). The cache is a convenience: when Redis fails, the
 * provider is asked. Throws `AddressProviderUnavailable` when the provider cannot answer.
 */
@Injectable()
export class AddressAutocompleteService {
  private readonly logger = new Logger('Addresses');

  constructor(
    @Inject(ADDRESS_PROVIDER) private readonly provider: AddressProvider | null,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get enabled(): boolean {
    return this.provider !== null;
  }

  async suggest(query: AutocompleteQuery): Promise<AddressSuggestion[]> {
    if (!this.provider) throw new Error('address autocomplete needs an address provider');
    const ttl = this.config.addresses.autocompleteCacheSeconds;
    const key = ttl > 0 ? this.keyOf(this.provider.name, query) : undefined;
    if (key) {
      const cached = await this.redis.get(key).catch((error: Error) => this.skipCache(error));
      if (cached) return JSON.parse(cached) as AddressSuggestion[];
    }
    const { q, ...options } = query;
    try {
      const suggestions = await this.provider.autocomplete(q, options);
      if (key) await this.redis.set(key, JSON.stringify(suggestions), 'EX', ttl).catch((error: Error) => this.skipCache(error));
      return suggestions;
    } catch (error) {
      if (error instanceof AddressProviderUnavailable) {
        const hint = error.reason === 'unauthorized' ? ' (check MAPBOX_ACCESS_TOKEN)' : '';
        this.logger.warn(`autocomplete unavailable: ${error.message}${hint}`);
      }
      throw error;
    }
  }

  /** Case and spacing do not change what a geocoder finds, so they do not split the cache. */
  private keyOf(provider: string, query: AutocompleteQuery): string {
    const { q, country = '', limit, proximity } = query;
    const identity = JSON.stringify([q.toLowerCase(), country, limit, proximity ? [proximity.longitude, proximity.latitude] : null]);
    return `${this.config.redisPrefix}:addresses:autocomplete:${provider}:${createHash('sha256').update(identity).digest('base64url')}`;
  }

  private skipCache(error: Error): null {
    this.logger.warn(`autocomplete cache skipped: ${error.message}`);
    return null;
  }
}

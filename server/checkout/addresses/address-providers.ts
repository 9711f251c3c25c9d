import type { Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { AddressAutocompleteService } from './address-autocomplete.service';
import { AddressCheckService } from './address-check.service';
import { ADDRESS_PROVIDER, AddressProvider } from './address-provider';
import { MapboxAddressProvider } from './mapbox-address-provider';

/** The provider `ADDRESS_PROVIDER` names, or null for offline checks only. */
export function createAddressProvider(config: AppConfig): AddressProvider | null {
  const { provider, mapbox } = config.addresses;
  if (provider === 'mapbox' && mapbox) return new MapboxAddressProvider(mapbox);
  return null;
}

/** What a module serving address routes needs. */
export const ADDRESS_PROVIDERS: Provider[] = [
  { provide: ADDRESS_PROVIDER, inject: [APP_CONFIG], useFactory: createAddressProvider },
  AddressCheckService,
  AddressAutocompleteService,
];

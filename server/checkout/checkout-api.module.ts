import { Module } from '@nestjs/common';
import { IngestGateway } from '../ingestion/ingest-gateway';
import { SourcesModule } from '../sources/sources.module';
import { AddressesController } from './addresses.controller';
import { ADDRESS_PROVIDERS } from './addresses/address-providers';

/** The storefront-facing checkout routes of the API role (so far: address validation), admitted by the write key. */
@Module({
  imports: [SourcesModule],
  controllers: [AddressesController],
  providers: [IngestGateway, ...ADDRESS_PROVIDERS],
})
export class CheckoutApiModule {}

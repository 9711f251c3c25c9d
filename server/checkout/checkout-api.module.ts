import { Module } from '@nestjs/common';
import { IngestGateway } from '../ingestion/ingest-gateway';
import { SourcesModule } from '../sources/sources.module';
import { AddressesController } from './addresses.controller';

/** The storefront-facing checkout routes of the API role (so far: address validation), admitted by the write key. */
@Module({
  imports: [SourcesModule],
  controllers: [AddressesController],
  providers: [IngestGateway],
})
export class CheckoutApiModule {}

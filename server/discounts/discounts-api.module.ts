import { Module } from '@nestjs/common';
import { IngestGateway } from '../ingestion/ingest-gateway';
import { SourcesModule } from '../sources/sources.module';
import { DiscountsController } from './discounts.controller';
import { DiscountsModule } from './discounts.module';
import { ValidateRateLimit } from './validate-rate-limit';

/** The discount routes of the API role, admitted by the same write-key gateway as ingestion. */
@Module({
  imports: [DiscountsModule, SourcesModule],
  controllers: [DiscountsController],
  providers: [IngestGateway, ValidateRateLimit],
})
export class DiscountsApiModule {}

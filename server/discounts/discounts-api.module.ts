import { Module } from '@nestjs/common';
import { IngestGateway } from '../ingestion/ingest-gateway';
import { SourcesModule } from '../sources/sources.module';
import { DiscountsController } from './discounts.controller';
import { DiscountsModule } from './discounts.module';
import { SourceRateLimit } from '../common/source-rate-limit';

/** The discount routes of the API role, admitted by the same write-key gateway as ingestion. */
@Module({
  imports: [DiscountsModule, SourcesModule],
  controllers: [DiscountsController],
  providers: [IngestGateway, SourceRateLimit],
})
export class DiscountsApiModule {}

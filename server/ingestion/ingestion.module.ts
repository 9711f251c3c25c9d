import { Module } from '@nestjs/common';
import { SourcesModule } from '../sources/sources.module';
import { EventsController } from './events.controller';
import { IngestGateway } from './ingest-gateway';
import { IngestService } from './ingest.service';
import { SegmentController } from './segment/segment.controller';
import { ShopifyController } from './shopify/shopify.controller';

@Module({
  imports: [SourcesModule],
  controllers: [EventsController, SegmentController, ShopifyController],
  providers: [IngestService, IngestGateway],
  exports: [IngestService],
})
export class IngestionModule {}

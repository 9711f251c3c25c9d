import { Module } from '@nestjs/common';
import { SourcesModule } from '../sources/sources.module';
import { EventsController } from './events.controller';
import { IngestGateway } from './ingest-gateway';
import { IngestService } from './ingest.service';

@Module({
  imports: [SourcesModule],
  controllers: [EventsController],
  providers: [IngestService, IngestGateway],
  exports: [IngestService],
})
export class IngestionModule {}

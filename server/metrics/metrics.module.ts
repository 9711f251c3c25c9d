import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { QueueDepths } from './queue-depths';

@Global()
@Module({
  providers: [MetricsService, QueueDepths],
  controllers: [MetricsController],
  exports: [MetricsService],
})
export class MetricsModule {}

import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { InFlightRequests } from '../http/graceful-shutdown';
import { ShutdownState } from './shutdown-state';

@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [ShutdownState, { provide: InFlightRequests, useValue: new InFlightRequests() }],
  exports: [ShutdownState, InFlightRequests],
})
export class HealthModule {}

import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CLOCK, Clock } from '../common/clock';
import { parseApiEvents } from './api/api-events';
import { IngestGateway } from './ingest-gateway';
import { IngestResult, IngestService } from './ingest.service';
import { readableBody } from './readable-body';

/** `POST /v1/events`: our own event format, one event or `{ events: [...] }`. */
@Controller('v1')
export class EventsController {
  constructor(
    private readonly gateway: IngestGateway,
    private readonly ingestService: IngestService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('events')
  @HttpCode(200)
  async events(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<IngestResult> {
    const source = await this.gateway.admit(request, reply, body);
    const events = parseApiEvents(readableBody(body), () => this.clock.now().getTime());
    return this.ingestService.ingest(source.id, events);
  }
}

import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CLOCK, Clock } from '../common/clock';
import { UnreadableBody } from '../http/body-parsing';
import { parseApiEvents } from './api/api-events';
import { IngestGateway } from './ingest-gateway';
import { IngestResult, IngestService } from './ingest.service';
import { IngestRejected } from './problems';

export function readableBody(body: unknown): unknown {
  if (body instanceof UnreadableBody) throw new IngestRejected(400, [{ index: null, path: '', message: body.message }]);
  if (body === undefined) throw new IngestRejected(400, [{ index: null, path: '', message: 'body is empty; expected JSON' }]);
  return body;
}

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

import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CLOCK, Clock } from '../../common/clock';
import { readableBody } from '../readable-body';
import { IngestGateway } from '../ingest-gateway';
import { IngestService } from '../ingest.service';
import { parseSegmentMessages, SegmentRouteType } from './segment-mapper';

export interface SegmentResult {
  success: true;
  accepted: number;
  duplicates: number;
  /** Messages read but of no use to us (screen, group, non-Ecommerce track events); not stored. */
  ignored: number;
}

/**
 * Segment-compatible routes (HTTP Tracking API, and Segment's or RudderStack's webhook destinations):
 * `POST /v1/batch` and the single-message `POST /v1/track|identify|page|alias`.
 */
@Controller('v1')
export class SegmentController {
  constructor(
    private readonly gateway: IngestGateway,
    private readonly ingestService: IngestService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('batch')
  @HttpCode(200)
  batch(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<SegmentResult> {
    return this.receive(request, reply, body);
  }

  @Post('track')
  @HttpCode(200)
  track(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<SegmentResult> {
    return this.receive(request, reply, body, 'track');
  }

  @Post('identify')
  @HttpCode(200)
  identify(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<SegmentResult> {
    return this.receive(request, reply, body, 'identify');
  }

  @Post('page')
  @HttpCode(200)
  page(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<SegmentResult> {
    return this.receive(request, reply, body, 'page');
  }

  @Post('alias')
  @HttpCode(200)
  alias(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<SegmentResult> {
    return this.receive(request, reply, body, 'alias');
  }

  private async receive(request: FastifyRequest, reply: FastifyReply, body: unknown, expectType?: SegmentRouteType): Promise<SegmentResult> {
    const receivedAt = this.clock.now();
    const source = await this.gateway.admit(request, reply, body);
    const { events, ignored } = parseSegmentMessages(readableBody(body), { receivedAt, now: () => this.clock.now().getTime(), expectType });
    const { accepted, duplicates } = events.length > 0 ? await this.ingestService.ingest(source.id, events) : { accepted: 0, duplicates: 0 };
    return { success: true, accepted, duplicates, ignored };
  }
}

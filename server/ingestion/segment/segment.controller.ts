import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CLOCK, Clock } from '../../common/clock';
import { MetricsService } from '../../metrics/metrics.service';
import { readableBody } from '../readable-body';
import { IngestGateway } from '../ingest-gateway';
import { IngestService } from '../ingest.service';
import { readSegmentBody } from './segment-body';
import { parseSegmentMessages, SegmentRouteType } from './segment-mapper';
import type { SegmentBatchResponse } from './segment-schemas';

/** `{ success, accepted, duplicates, ignored, rejected }`; see segmentBatchResponseSchema. */
export type SegmentResult = SegmentBatchResponse;

/** Compressed bodies and the content types Segment's and RudderStack's libraries send, on these routes only. */
const SEGMENT_BODY = { readBody: readSegmentBody };

/**
 * Segment-compatible routes (HTTP Tracking API, and Segment's or RudderStack's webhook destinations):
 * `POST /v1/batch` and the single-message `POST /v1/track|identify|page|alias`.
 */
@Controller('v1')
export class SegmentController {
  constructor(
    private readonly gateway: IngestGateway,
    private readonly ingestService: IngestService,
    private readonly metrics: MetricsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @RouteConfig(SEGMENT_BODY)
  @Post('batch')
  @HttpCode(200)
  batch(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<SegmentResult> {
    return this.receive(request, reply, body);
  }

  @RouteConfig(SEGMENT_BODY)
  @Post('track')
  @HttpCode(200)
  track(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<SegmentResult> {
    return this.receive(request, reply, body, 'track');
  }

  @RouteConfig(SEGMENT_BODY)
  @Post('identify')
  @HttpCode(200)
  identify(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<SegmentResult> {
    return this.receive(request, reply, body, 'identify');
  }

  @RouteConfig(SEGMENT_BODY)
  @Post('page')
  @HttpCode(200)
  page(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<SegmentResult> {
    return this.receive(request, reply, body, 'page');
  }

  @RouteConfig(SEGMENT_BODY)
  @Post('alias')
  @HttpCode(200)
  alias(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<SegmentResult> {
    return this.receive(request, reply, body, 'alias');
  }

  private async receive(request: FastifyRequest, reply: FastifyReply, body: unknown, expectType?: SegmentRouteType): Promise<SegmentResult> {
    const receivedAt = this.clock.now();
    const source = await this.gateway.admit(request, reply, body);
    const { events, ignored, rejected } = parseSegmentMessages(readableBody(body), {
      receivedAt,
      now: () => this.clock.now().getTime(),
      expectType,
      defaultCurrency: source.defaultCurrency,
    });
    const { accepted, duplicates } = events.length > 0 ? await this.ingestService.ingest(source.id, events) : { accepted: 0, duplicates: 0 };
    if (rejected.length > 0) this.metrics.countRejectedMessages('segment', rejected);
    if (ignored > 0) this.metrics.eventsIngested.inc({ origin: 'segment', outcome: 'ignored' }, ignored);
    return { success: true, accepted, duplicates, ignored, rejected };
  }
}

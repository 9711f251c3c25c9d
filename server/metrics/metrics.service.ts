import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type QueueDepthReader = () => Promise<Array<{ queue: string; state: string; count: number }>>;

/** The application's Prometheus registry (one per app instance, so tests can boot several). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests served, by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly eventsIngested = new Counter({
    name: 'events_ingested_total',
    help: 'Events received by the ingestion routes, by origin (api, segment, shopify) and outcome (accepted, duplicate, ignored, rejected: invalid messages left out of an accepted Segment batch)',
    labelNames: ['origin', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly ingestRejected = new Counter({
    name: 'ingest_requests_rejected_total',
    help: 'Ingestion requests refused as a whole (4xx), by HTTP status and reason (see ingest-rejections.ts)',
    labelNames: ['status', 'reason'] as const,
    registers: [this.registry],
  });

  /** Invalid messages left out of a batch that was otherwise accepted (200): `events_ingested_total{outcome="rejected"}`. */
  countRejectedMessages(origin: 'segment', problems: ReadonlyArray<{ index: number }>) {
    this.eventsIngested.inc({ origin, outcome: 'rejected' }, new Set(problems.map((p) => p.index)).size);
  }

  readonly messagesSent = new Counter({
    name: 'recovery_messages_total',
    help: 'Recovery messages by channel and outcome (sent, failed, retrying, cancelled)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly suppressionSeconds = new Histogram({
    name: 'recovery_suppression_seconds',
    help: 'Time from an order being accepted to its pending messages being cancelled (the same transaction)',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  private queueDepthReader?: QueueDepthReader;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const service = this;
    new Gauge({
      name: 'queue_jobs',
      help: 'BullMQ jobs by queue and state, read at scrape time',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        if (!service.queueDepthReader) return;
        this.reset();
        for (const { queue, state, count } of await service.queueDepthReader()) this.set({ queue, state }, count);
      },
    });
  }

  readQueueDepthsWith(reader: QueueDepthReader) {
    this.queueDepthReader = reader;
  }
}

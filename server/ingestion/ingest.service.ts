import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CLOCK, Clock } from '../common/clock';
import { PG_POOL } from '../database/database';
import { MetricsService } from '../metrics/metrics.service';
import { storeEvents } from './ingest-transaction';
import type { NormalizedEvent } from './normalized-event';

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

interface PendingRequest {
  sourceId: string;
  events: readonly NormalizedEvent[];
  resolve(result: IngestResult): void;
  reject(error: unknown): void;
}

/** The most events one transaction takes when requests are coalesced. */
const MAX_GROUP_EVENTS = 1_000;

/**
 * Stores batches of events. Under load, requests from the same source that queue up while earlier ones
 * are being written are coalesced into one transaction (group commit): fewer statements and commits per
 * event, and each request is still answered only after the transaction holding its events committed.
 * A group that fails for another reason than a conflict is retried request by request, so one bad
 * request never takes others down with it.
 */
@Injectable()
export class IngestService {
  private readonly queue: PendingRequest[] = [];
  private running = 0;
  private readonly maxConcurrent: number;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.maxConcurrent = Math.max(1, Math.floor(config.databasePoolSize / 2));
  }

  ingest(sourceId: string, events: readonly NormalizedEvent[]): Promise<IngestResult> {
    if (events.length === 0) return Promise.resolve({ accepted: 0, duplicates: 0 });
    return new Promise<IngestResult>((resolve, reject) => {
      this.queue.push({ sourceId, events, resolve, reject });
      this.pump();
    });
  }

  private pump() {
    while (this.running < this.maxConcurrent && this.queue.length > 0) {
      const group = this.takeGroup();
      this.running++;
      void this.write(group).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  /** The oldest request and the queued requests of the same source after it, up to the size limit. */
  private takeGroup(): PendingRequest[] {
    const first = this.queue.shift()!;
    const group = [first];
    let size = first.events.length;
    for (let i = 0; i < this.queue.length && size < MAX_GROUP_EVENTS; ) {
      const next = this.queue[i];
      if (next.sourceId === first.sourceId && size + next.events.length <= MAX_GROUP_EVENTS) {
        group.push(next);
        size += next.events.length;
        this.queue.splice(i, 1);
      } else i++;
    }
    return group;
  }

  private async write(group: PendingRequest[]): Promise<void> {
    // Each event belongs to the first request that carried it; later copies are duplicates.
    const owners = new Map<string, number>();
    const unique: NormalizedEvent[] = [];
    group.forEach((request, index) => {
      for (const event of request.events) {
        if (owners.has(event.key)) continue;
        owners.set(event.key, index);
        unique.push(event);
      }
    });
    let inserted: Set<string>;
    try {
      inserted = await storeEvents(this.pool, group[0].sourceId, unique, () => this.clock.now());
    } catch (error) {
      if (group.length === 1) {
        group[0].reject(error);
        return;
      }
      await Promise.all(group.map((request) => this.write([request])));
      return;
    }
    const accepted = group.map(() => 0);
    for (const key of inserted) accepted[owners.get(key)!]++;
    group.forEach((request, index) => {
      const result = { accepted: accepted[index], duplicates: request.events.length - accepted[index] };
      const origin = request.events[0].origin;
      this.metrics.eventsIngested.inc({ origin, outcome: 'accepted' }, result.accepted);
      this.metrics.eventsIngested.inc({ origin, outcome: 'duplicate' }, result.duplicates);
      request.resolve(result);
    });
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { CLOCK, Clock } from '../common/clock';
import { PG_POOL } from '../database/database';
import { inTransaction } from '../database/transaction';
import { MetricsService } from '../metrics/metrics.service';
import { checkoutAliasesOf, resolveCheckouts } from './identity/checkout-identity';
import { customerAliasesOf, resolveCustomers } from './identity/customer-identity';
import type { NormalizedEvent } from './normalized-event';
import { loadCheckoutAliases, storeCheckouts } from './store/checkout-store';
import { loadCustomerAliases, storeCustomers } from './store/customer-store';
import { insertEvents, recordOrders, savePushSubscriptions, storedEventKeys } from './store/event-store';

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

/** Deterministic processing order, so a batch resolves the same however its events were listed. */
function byOccurrence(a: NormalizedEvent, b: NormalizedEvent): number {
  return a.occurredAt.getTime() - b.occurredAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * Stores a batch of events and updates the checkout and customer projections in one transaction.
 * Identifiers the batch touches are locked first, so concurrent batches about the same checkout or
 * customer take turns while unrelated ones run in parallel.
 */
@Injectable()
export class IngestService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  async ingest(sourceId: string, batch: readonly NormalizedEvent[]): Promise<IngestResult> {
    const unique = new Map<string, NormalizedEvent>();
    for (const event of batch) if (!unique.has(event.key)) unique.set(event.key, event);
    const candidates = [...unique.values()].sort(byOccurrence);

    const accepted = await inTransaction(this.pool, async (scope) => {
      const checkoutAliases = candidates.flatMap(checkoutAliasesOf);
      const customerAliases = candidates.flatMap(customerAliasesOf);
      await scope.client.query(
        'SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 7) AS h FROM unnest($1::text[]) AS k ORDER BY h) s',
        [[...checkoutAliases.map((a) => `checkout:${a.kind}:${a.value}`), ...customerAliases.map((a) => `customer:${a.kind}:${a.value}`)]],
      );
      const stored = await storedEventKeys(scope, sourceId, candidates.map((e) => e.key));
      const events = candidates.filter((e) => !stored.has(e.key));
      if (events.length === 0) return 0;

      const now = this.clock.now();
      const customerLookup = await loadCustomerAliases(scope, events.flatMap(customerAliasesOf));
      const customers = resolveCustomers(events, customerLookup.owners, customerLookup.userIds, () => crypto.randomUUID());
      const checkouts = resolveCheckouts(events, await loadCheckoutAliases(scope, events.flatMap(checkoutAliasesOf)), () => crypto.randomUUID());
      const customerOf = (key: string) => customers.customerOf.get(key);
      const checkoutOf = (key: string) => checkouts.checkoutOf.get(key);

      await storeCustomers(scope, events, customers, now);
      await storeCheckouts(scope, {
        sourceId,
        events,
        identities: checkouts,
        customerOf: customers.customerOf,
        customerSurvivor: (id) => customers.owners.survivor(id),
        now,
      });
      const inserted = await insertEvents(scope, sourceId, events, checkoutOf, customerOf);
      await recordOrders(scope, events, checkoutOf, customerOf);
      await savePushSubscriptions(scope, events, customerOf);
      return inserted;
    });

    const origin = batch[0]?.origin ?? 'api';
    this.metrics.eventsIngested.inc({ origin, outcome: 'accepted' }, accepted);
    this.metrics.eventsIngested.inc({ origin, outcome: 'duplicate' }, batch.length - accepted);
    return { accepted, duplicates: batch.length - accepted };
  }
}

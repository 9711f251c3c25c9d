import type { TransactionScope } from '../../database/transaction';
import type { NormalizedEvent } from '../normalized-event';

/** Keys of the events in this list that are already stored for the source. */
export async function storedEventKeys(scope: TransactionScope, sourceId: string, keys: string[]): Promise<Set<string>> {
  const { rows } = await scope.client.query<{ event_id: string }>({
    name: 'stored_event_keys',
    text: 'SELECT event_id FROM events WHERE source_id = $1 AND event_id = ANY($2::text[])',
    values: [sourceId, keys],
  });
  return new Set(rows.map((r) => r.event_id));
}

export async function insertEvents(
  scope: TransactionScope,
  sourceId: string,
  events: readonly NormalizedEvent[],
  checkoutOf: (key: string) => string | undefined,
  customerOf: (key: string) => string | undefined,
): Promise<Set<string>> {
  const rows = events.map((e) => ({
    event_id: e.key,
    type: e.type,
    occurred_at: e.occurredAt,
    origin: e.origin,
    checkout_id: checkoutOf(e.key) ?? null,
    customer_id: customerOf(e.key) ?? null,
    payload: e.payload,
  }));
  const result = await scope.client.query({
    name: 'insert_events',
    text: `INSERT INTO events (source_id, event_id, type, occurred_at, origin, checkout_id, customer_id, payload)
           SELECT $1, r.* FROM jsonb_to_recordset($2::jsonb)
             AS r(event_id text, type text, occurred_at timestamptz, origin text, checkout_id uuid, customer_id uuid, payload jsonb)
           ON CONFLICT DO NOTHING
           RETURNING event_id`,
    values: [sourceId, JSON.stringify(rows)],
  });
  return new Set(result.rows.map((r: { event_id: string }) => r.event_id));
}

/** Records orders once each and credits their customers; an order first seen without a customer is credited when one is learned. */
export async function recordOrders(
  scope: TransactionScope,
  events: readonly NormalizedEvent[],
  checkoutOf: (key: string) => string | undefined,
  customerOf: (key: string) => string | undefined,
) {
  const orders = new Map<string, { checkoutId: string | null; customerId: string | null; revenue: number; currency: string | null; at: string }>();
  for (const e of events) {
    if (!e.order || orders.has(e.order.orderId)) continue;
    orders.set(e.order.orderId, {
      checkoutId: checkoutOf(e.key) ?? null,
      customerId: customerOf(e.key) ?? null,
      revenue: e.order.revenue,
      currency: e.order.currency ?? null,
      at: e.occurredAt.toISOString(),
    });
  }
  if (orders.size === 0) return;
  const list = [...orders];
  const { rows } = await scope.client.query<{ customer_id: string; revenue: string }>(
    `INSERT INTO orders (order_id, checkout_id, customer_id, revenue, currency, occurred_at)
     SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::numeric[], $5::text[], $6::timestamptz[])
     ON CONFLICT (order_id) DO UPDATE
        SET customer_id = excluded.customer_id, checkout_id = coalesce(orders.checkout_id, excluded.checkout_id)
      WHERE orders.customer_id IS NULL AND excluded.customer_id IS NOT NULL
     RETURNING customer_id, revenue`,
    [
      list.map(([id]) => id),
      list.map(([, o]) => o.checkoutId),
      list.map(([, o]) => o.customerId),
      list.map(([, o]) => o.revenue),
      list.map(([, o]) => o.currency),
      list.map(([, o]) => o.at),
    ],
  );
  const credit = new Map<string, { n: number; total: number }>();
  for (const row of rows) {
    if (row.customer_id === null) continue;
    const c = credit.get(row.customer_id) ?? { n: 0, total: 0 };
    credit.set(row.customer_id, { n: c.n + 1, total: c.total + Number(row.revenue) });
  }
  if (credit.size === 0) return;
  const entries = [...credit];
  await scope.client.query(
    `UPDATE customers c SET orders_count = c.orders_count + x.n, lifetime_value = c.lifetime_value + x.total
       FROM unnest($1::uuid[], $2::int[], $3::numeric[]) AS x(id, n, total) WHERE c.id = x.id`,
    [entries.map(([id]) => id), entries.map(([, c]) => c.n), entries.map(([, c]) => c.total)],
  );
}

/** Latest subscription per endpoint wins; re-subscribing clears a revocation. */
export async function savePushSubscriptions(scope: TransactionScope, events: readonly NormalizedEvent[], customerOf: (key: string) => string | undefined) {
  const subs = events.filter((e) => e.pushSubscription && customerOf(e.key));
  if (subs.length === 0) return;
  const latestByEndpoint = new Map<string, NormalizedEvent>();
  for (const e of subs) {
    const current = latestByEndpoint.get(e.pushSubscription!.endpoint);
    if (!current || current.occurredAt <= e.occurredAt) latestByEndpoint.set(e.pushSubscription!.endpoint, e);
  }
  const list = [...latestByEndpoint.values()];
  await scope.client.query(
    `INSERT INTO push_subscriptions (endpoint, customer_id, p256dh, auth, expires_at, subscribed_at)
     SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
     ON CONFLICT (endpoint) DO UPDATE
        SET customer_id = excluded.customer_id, p256dh = excluded.p256dh, auth = excluded.auth,
            expires_at = excluded.expires_at, subscribed_at = excluded.subscribed_at, revoked_at = NULL
      WHERE push_subscriptions.subscribed_at <= excluded.subscribed_at`,
    [
      list.map((e) => e.pushSubscription!.endpoint),
      list.map((e) => customerOf(e.key)),
      list.map((e) => e.pushSubscription!.keys.p256dh),
      list.map((e) => e.pushSubscription!.keys.auth),
      list.map((e) => (e.pushSubscription!.expirationTime ? new Date(e.pushSubscription!.expirationTime).toISOString() : null)),
      list.map((e) => e.occurredAt.toISOString()),
    ],
  );
}

import type { TransactionScope } from '../../database/transaction';
import { sendLockKey } from './send-lock';

export interface CompletedCheckout {
  checkoutId: string;
  orderedAt: Date;
  revenue: number | null;
}

/**
 * Runs inside the transaction that records an order: takes each checkout's send lock (waiting for a send
 * in flight to finish), cancels every message still planned, ends the enrollment, and, when a recovery
 * message was opened or clicked within the campaign's attribution window before the order, marks the
 * checkout recovered and credits that message (a click beats an open; the latest wins).
 */
export async function suppressAfterOrder(scope: TransactionScope, completed: readonly CompletedCheckout[]): Promise<void> {
  if (completed.length === 0) return;
  const ids = [...new Set(completed.map((c) => c.checkoutId))].sort();
  await scope.client.query({
    name: 'lock_sends',
    text: 'SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k',
    values: [ids.map(sendLockKey)],
  });
  await scope.client.query({
    name: 'suppress_planned',
    text: `UPDATE messages SET status = 'cancelled', cancel_reason = 'order_completed', updated_at = now()
            WHERE checkout_id = ANY($1::uuid[]) AND status = 'planned'`,
    values: [ids],
  });
  await scope.client.query({
    name: 'attribute_recovery',
    text: `WITH orders_in AS (
             SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::numeric[]) AS o(checkout_id, ordered_at, revenue)
           ), credited AS (
             SELECT DISTINCT ON (o.checkout_id) o.checkout_id, m.id AS message_id, o.ordered_at, o.revenue
               FROM orders_in o
               JOIN messages m ON m.checkout_id = o.checkout_id
               JOIN campaigns ca ON ca.id = m.campaign_id
              WHERE coalesce(m.clicked_at, m.opened_at) IS NOT NULL
                AND coalesce(m.clicked_at, m.opened_at) <= o.ordered_at
                AND coalesce(m.clicked_at, m.opened_at) > o.ordered_at - make_interval(hours => ca.attribution_window_hours)
              ORDER BY o.checkout_id, (m.clicked_at IS NOT NULL) DESC, coalesce(m.clicked_at, m.opened_at) DESC
           ), messages_credited AS (
             UPDATE messages m SET recovered_revenue = c.revenue, updated_at = now() FROM credited c WHERE m.id = c.message_id
           ), checkouts_recovered AS (
             UPDATE checkouts k SET status = 'recovered', recovered_at = c.ordered_at, recovered_by_message_id = c.message_id
               FROM credited c WHERE k.id = c.checkout_id
           )
           UPDATE enrollments e SET status = CASE WHEN e.checkout_id IN (SELECT checkout_id FROM credited) THEN 'recovered' ELSE 'completed' END,
                                    exit_reason = 'order_completed', ended_at = now()
            WHERE e.checkout_id = ANY($1::uuid[]) AND e.status = 'active'`,
    values: [completed.map((c) => c.checkoutId), completed.map((c) => c.orderedAt), completed.map((c) => c.revenue)],
  });
}

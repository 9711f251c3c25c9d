import { delayBucketSql } from './delay-buckets';

/** The nil UUID stands for "no campaign" in rollup keys (abandoned checkouts no campaign took). */
export const NO_CAMPAIGN = '00000000-0000-0000-0000-000000000000';

/**
 * The report facts of checkouts, computed from the raw rows (`checkouts`, `orders`, `enrollments`, `messages`,
 * `discount_codes`), for the checkouts in `$1` (an array of ids) or for all. Columns in `report_checkout_facts` order.
 */
function checkoutFactsSql(which: 'ids' | 'all'): string {
  return `
WITH base AS (
  SELECT k.id, k.source_id, coalesce(k.device, 'unknown') AS device, k.customer_id, k.first_activity_at, k.recovered_at,
         coalesce(k.abandoned_at, e.abandoned_at) AS abandoned_at, e.campaign_id,
         (k.stage_reached_at->>'started')::timestamptz AS s0, (k.stage_reached_at->>'contact')::timestamptz AS s1,
         (k.stage_reached_at->>'shipping')::timestamptz AS s2, (k.stage_reached_at->>'payment')::timestamptz AS s3,
         (k.stage_reached_at->>'completed')::timestamptz AS s4
    FROM checkouts k LEFT JOIN enrollments e ON e.checkout_id = k.id
   ${which === 'ids' ? 'WHERE k.id = ANY($1::uuid[])' : ''}
), steps AS (
  SELECT b.*, least(s0, s1, s2, s3, s4) AS started_at, greatest(s0, s1, s2, s3, s4) AS last_step_at FROM base b
)
SELECT s.id AS checkout_id,
       (s.started_at AT TIME ZONE 'UTC')::date AS started_day,
       s.source_id, s.device,
       CASE WHEN s.customer_id IS NOT NULL AND EXISTS (
              SELECT 1 FROM orders o
               WHERE o.customer_id = s.customer_id AND o.occurred_at < coalesce(s.started_at, s.first_activity_at)
                 AND o.checkout_id IS DISTINCT FROM s.id)
            THEN 'returning' ELSE 'new' END AS customer_type,
       s.started_at, s.s1 AS contact_at, s.s2 AS shipping_at, s.s3 AS payment_at, s.s4 AS completed_at, s.last_step_at,
       ${delayBucketSql('s.s1', 's.started_at')} AS contact_bucket,
       ${delayBucketSql('s.s2', 'coalesce(s.s1, s.started_at)')} AS shipping_bucket,
       ${delayBucketSql('s.s3', 'coalesce(s.s2, s.s1, s.started_at)')} AS payment_bucket,
       ${delayBucketSql('s.s4', 'coalesce(s.s3, s.s2, s.s1, s.started_at)')} AS completed_bucket,
       (s.abandoned_at AT TIME ZONE 'UTC')::date AS abandoned_day, s.abandoned_at,
       CASE WHEN s.abandoned_at IS NULL THEN NULL ELSE coalesce(s.campaign_id, '${NO_CAMPAIGN}'::uuid) END AS campaign_id,
       (EXISTS (SELECT 1 FROM messages m WHERE m.checkout_id = s.id AND m.sent_at IS NOT NULL))::int::smallint AS contacted,
       (s.recovered_at IS NOT NULL)::int::smallint AS recovered,
       s.recovered_at,
       coalesce((SELECT sum(m.recovered_revenue) FROM messages m WHERE m.checkout_id = s.id), 0)::numeric(18, 4) AS recovered_revenue,
       coalesce((SELECT sum((d.redemption->>'discountValue')::numeric) FROM discount_codes d JOIN messages m ON m.id = d.message_id
                  WHERE m.checkout_id = s.id AND d.redeemed_at IS NOT NULL), 0)::numeric(18, 4) AS discount_cost
  FROM steps s`;
}

/** Every checkout's facts (for the recomputation tests and the benchmark). */
export const CHECKOUT_FACTS_SQL = checkoutFactsSql('all');

/** The report facts of recovery messages, per message of the checkouts in `$1` or of all. */
function messageFactsSql(which: 'ids' | 'all'): string {
  return `
SELECT m.id AS message_id, m.checkout_id,
       (coalesce(k.abandoned_at, e.abandoned_at) AT TIME ZONE 'UTC')::date AS abandoned_day,
       m.campaign_id, m.step_index, m.channel,
       (m.sent_at IS NOT NULL)::int::smallint AS sent,
       (m.delivered_at IS NOT NULL)::int::smallint AS delivered,
       (m.opened_at IS NOT NULL)::int::smallint AS opened,
       (m.clicked_at IS NOT NULL)::int::smallint AS clicked,
       (EXISTS (SELECT 1 FROM message_engagements g WHERE g.message_id = m.id AND g.kind = 'unsubscribed'))::int::smallint AS unsubscribed,
       (m.recovered_revenue IS NOT NULL)::int::smallint AS recovered,
       coalesce(m.recovered_revenue, 0)::numeric(18, 4) AS recovered_revenue,
       coalesce((SELECT sum((d.redemption->>'discountValue')::numeric) FROM discount_codes d WHERE d.message_id = m.id AND d.redeemed_at IS NOT NULL), 0)::numeric(18, 4) AS discount_cost,
       (m.sent_at IS NOT NULL AND row_number() OVER (PARTITION BY m.checkout_id, m.step_index, m.sent_at IS NOT NULL ORDER BY m.sent_at, m.id) = 1)::int::smallint AS first_of_step,
       (m.sent_at IS NOT NULL AND row_number() OVER (PARTITION BY m.checkout_id, m.channel, m.sent_at IS NOT NULL ORDER BY m.sent_at, m.id) = 1)::int::smallint AS first_of_channel
  FROM messages m
  JOIN enrollments e ON e.id = m.enrollment_id
  JOIN checkouts k ON k.id = m.checkout_id
 WHERE ${which === 'ids' ? 'm.checkout_id = ANY($1::uuid[]) AND' : ''} coalesce(k.abandoned_at, e.abandoned_at) IS NOT NULL`;
}

/** Every message's facts. */
export const MESSAGE_FACTS_SQL = messageFactsSql('all');

const FUNNEL_KEY = 'day, source_id, device, customer_type, contact_bucket, shipping_bucket, payment_bucket, completed_bucket';
const FUNNEL_FROM_FACTS = `started_day, source_id, device, customer_type, contact_bucket, shipping_bucket, payment_bucket, completed_bucket`;
const RECOVERY_MEASURES = ['abandoned', 'contacted', 'recovered', 'recovered_revenue', 'discount_cost'];
const MESSAGE_MEASURES = ['sent', 'delivered', 'opened', 'clicked', 'unsubscribed', 'recovered', 'recovered_revenue', 'discount_cost', 'contacted_step', 'contacted_channel'];
const add = (table: string, measures: string[]) => measures.map((m) => `${m} = ${table}.${m} + excluded.${m}`).join(', ');

/**
 * Adds (sign 1) or subtracts (sign -1) a set of checkout facts rows, the CTE `facts`, to or from the funnel and
 * the checkout-level recovery rollups. Each key appears once per statement (grouped), so upserts never collide.
 */
function applyCheckoutFacts(sign: 1 | -1): string {
  return `
, funnel AS (
  INSERT INTO report_funnel_daily (${FUNNEL_KEY}, checkouts)
  SELECT ${FUNNEL_FROM_FACTS}, ${sign} * count(*) FROM facts WHERE started_day IS NOT NULL GROUP BY ${FUNNEL_FROM_FACTS}
  ON CONFLICT ON CONSTRAINT report_funnel_daily_pk DO UPDATE SET checkouts = report_funnel_daily.checkouts + excluded.checkouts
)
INSERT INTO report_recovery_daily (day, campaign_id, ${RECOVERY_MEASURES.join(', ')})
SELECT abandoned_day, campaign_id, ${sign} * count(*), ${sign} * sum(contacted), ${sign} * sum(recovered), ${sign} * sum(recovered_revenue), ${sign} * sum(discount_cost)
  FROM facts WHERE abandoned_day IS NOT NULL GROUP BY abandoned_day, campaign_id
ON CONFLICT ON CONSTRAINT report_recovery_daily_pk DO UPDATE SET ${add('report_recovery_daily', RECOVERY_MEASURES)}`;
}

function applyMessageFacts(sign: 1 | -1): string {
  return `
INSERT INTO report_message_daily (day, campaign_id, step_index, channel, ${MESSAGE_MEASURES.join(', ')})
SELECT abandoned_day, campaign_id, step_index, channel,
       ${sign} * sum(sent), ${sign} * sum(delivered), ${sign} * sum(opened), ${sign} * sum(clicked), ${sign} * sum(unsubscribed),
       ${sign} * sum(recovered), ${sign} * sum(recovered_revenue), ${sign} * sum(discount_cost), ${sign} * sum(first_of_step), ${sign} * sum(first_of_channel)
  FROM facts GROUP BY abandoned_day, campaign_id, step_index, channel
ON CONFLICT ON CONSTRAINT report_message_daily_pk DO UPDATE SET ${add('report_message_daily', MESSAGE_MEASURES)}`;
}

/** The four statements of a fold, each taking the batch's checkout ids as `$1`. */
export const FOLD_STATEMENTS = {
  // Up to $1 marks pick the checkouts; every mark of those checkouts goes (a backlog folds each checkout once).
  takeDirty: `WITH picked AS (SELECT DISTINCT checkout_id FROM (SELECT checkout_id FROM report_dirty_checkouts LIMIT $1) s),
                   taken AS (DELETE FROM report_dirty_checkouts d USING picked WHERE d.checkout_id = picked.checkout_id RETURNING d.checkout_id)
              SELECT coalesce(array_agg(DISTINCT checkout_id), '{}') AS ids FROM taken`,
  subtractCheckouts: `WITH facts AS (DELETE FROM report_checkout_facts WHERE checkout_id = ANY($1::uuid[]) RETURNING *)${applyCheckoutFacts(-1)}`,
  addCheckouts: `WITH facts AS (INSERT INTO report_checkout_facts ${checkoutFactsSql('ids')} RETURNING *)${applyCheckoutFacts(1)}`,
  // A message that moved to another checkout still has its facts under the old one: found by message id too.
  subtractMessages: `WITH facts AS (
                       DELETE FROM report_message_facts
                        WHERE checkout_id = ANY($1::uuid[]) OR message_id IN (SELECT id FROM messages WHERE checkout_id = ANY($1::uuid[]))
                       RETURNING *)${applyMessageFacts(-1)}`,
  addMessages: `WITH facts AS (INSERT INTO report_message_facts ${messageFactsSql('ids')} RETURNING *)${applyMessageFacts(1)}`,
};

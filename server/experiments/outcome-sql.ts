/**
 * The statement that settles enrollments: picks those whose window from abandonment has closed, a grace period ago
 * (and that can send nothing more), computes each one's intent-to-treat outcome from the raw rows, stores it in `experiment_outcomes`
 * and adds it to the holdout and A/B/n rollups, all at once. Parameters:
 *   $1 now · $2 campaign time scale · $3 batch size · $4 margin rate · $5–$7 cost of an email, a push, an SMS.
 */

/** The measures both rollups keep, as `column = aggregate` over rows with the weight `w` (1 / P(group)). */
function measureAggregates(w: string): [column: string, aggregate: string][] {
  const metric = (prefix: string, y: string): [string, string][] => [
    [`${prefix}_wy`, `sum(${w} * ${y})`],
    [`${prefix}_w2y`, `sum(${w} * ${w} * ${y})`],
    [`${prefix}_w2y2`, `sum(${w} * ${w} * ${y} * ${y})`],
  ];
  return [
    ['units', 'count(*)'],
    ['converted', 'sum(converted)'],
    ['revenue', 'sum(revenue)'],
    ['discount_cost', 'sum(discount_cost)'],
    ['message_cost', 'sum(message_cost)'],
    ['net_margin', 'sum(net_margin)'],
    ['messages_sent', 'sum(messages_sent)'],
    ['unsubscribed', 'sum(unsubscribed)'],
    ['w', `sum(${w})`],
    ['w2', `sum(${w} * ${w})`],
    ...metric('conv', 'converted::float8'),
    ...metric('rev', 'revenue::float8'),
    ...metric('net', 'net_margin::float8'),
  ];
}

export const MEASURE_COLUMNS = measureAggregates('w').map(([column]) => column);

/** Adds grouped rows of `source` (which has a weight column `w`) into a rollup keyed by `keys`. */
function addInto(table: string, keys: string[], source: string): string {
  const measures = measureAggregates('w');
  return `INSERT INTO ${table} (${keys.join(', ')}, ${measures.map(([c]) => c).join(', ')})
  SELECT ${keys.join(', ')}, ${measures.map(([, a]) => a).join(', ')} FROM ${source} GROUP BY ${keys.join(', ')}
  ON CONFLICT ON CONSTRAINT ${table}_pk DO UPDATE SET ${measures.map(([c]) => `${c} = ${table}.${c} + excluded.${c}`).join(', ')}`;
}

/**
 * How long after its window closes an enrollment waits to be settled: an order placed inside the window but
 * ingested a little late (a retried webhook, a slow pipeline) still counts. Campaign time, like the window.
 */
export const SETTLE_GRACE_HOURS = 6;

/** `hours` of campaign time as an interval (CAMPAIGN_TIME_SCALE applies, as to every other campaign duration). */
const campaignHours = (hours: string) => `make_interval(secs => ${hours} * 3600.0 * $2::float8)`;

export const SETTLE_SQL = `
WITH due AS (
  SELECT e.id, e.checkout_id, e.customer_id, e.campaign_id, e.abandoned_at, e.arm, e.control_probability,
         e.abandoned_at + ${campaignHours('ca.attribution_window_hours')} AS window_end
    FROM enrollments e JOIN campaigns ca ON ca.id = e.campaign_id
   WHERE e.settled_at IS NULL
     AND e.abandoned_at <= $1::timestamptz - ${campaignHours(`((SELECT min(attribution_window_hours) FROM campaigns) + ${SETTLE_GRACE_HOURS})`)}
     AND e.abandoned_at + ${campaignHours(`(ca.attribution_window_hours + ${SETTLE_GRACE_HOURS})`)} <= $1::timestamptz
     -- A still-running enrollment may send (and cost) more: it settles when it ends, or at its expiry.
     AND (e.status <> 'active' OR e.abandoned_at + ${campaignHours('ca.expiry_hours')} <= $1::timestamptz)
   ORDER BY e.abandoned_at
   LIMIT $3
   FOR UPDATE OF e SKIP LOCKED
), outcomes AS (
  SELECT d.id AS enrollment_id, d.campaign_id, (d.abandoned_at AT TIME ZONE 'UTC')::date AS day,
         -- Treated enrollments that could not have been held out are outside every comparison.
         CASE WHEN d.arm = 'treatment' AND d.control_probability = 0 THEN 'untested' ELSE d.arm END AS arm,
         d.control_probability,
         (o.order_id IS NOT NULL)::int AS converted, o.occurred_at AS ordered_at, coalesce(o.revenue, 0) AS revenue,
         coalesce(dc.cost, 0) AS discount_cost, coalesce(ms.cost, 0) AS message_cost, coalesce(ms.n, 0) AS messages_sent,
         u.unsubscribed
    FROM due d
    -- The checkout's order, or any order of the shopper, placed within the window: the first one.
    LEFT JOIN LATERAL (SELECT o.order_id, o.occurred_at, o.revenue FROM orders o
                        WHERE (o.checkout_id = d.checkout_id OR o.customer_id = d.customer_id)
                          AND o.occurred_at >= d.abandoned_at AND o.occurred_at < d.window_end
                        ORDER BY o.occurred_at LIMIT 1) o ON true
    LEFT JOIN LATERAL (SELECT count(*)::int AS n, sum(CASE m.channel WHEN 'email' THEN $5::numeric WHEN 'push' THEN $6::numeric ELSE $7::numeric END) AS cost
                         FROM messages m WHERE m.enrollment_id = d.id AND m.sent_at IS NOT NULL) ms ON true
    LEFT JOIN LATERAL (SELECT sum((c.redemption ->> 'discountValue')::numeric) AS cost FROM discount_codes c JOIN messages m ON m.id = c.message_id
                        WHERE c.checkout_id = d.checkout_id AND m.enrollment_id = d.id AND c.redeemed_at IS NOT NULL) dc ON true
    CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM messages m JOIN message_engagements g ON g.message_id = m.id
                                        WHERE m.enrollment_id = d.id AND g.kind = 'unsubscribed')::int AS unsubscribed) u
), inserted AS (
  INSERT INTO experiment_outcomes (enrollment_id, campaign_id, day, arm, control_probability, converted, ordered_at, revenue,
                                   discount_cost, message_cost, net_margin, messages_sent, unsubscribed, decided_at)
  SELECT enrollment_id, campaign_id, day, arm, control_probability, converted, ordered_at, revenue,
         discount_cost, message_cost, revenue * $4::numeric - discount_cost - message_cost, messages_sent, unsubscribed, $1
    FROM outcomes
  ON CONFLICT (enrollment_id) DO NOTHING
  RETURNING *
), weighted AS (
  SELECT i.*, 1.0 / CASE i.arm WHEN 'control' THEN i.control_probability ELSE 1 - i.control_probability END AS w FROM inserted i
), lift AS (
  ${addInto('report_lift_daily', ['day', 'campaign_id', 'arm'], 'weighted')}
), variant_units AS (
  -- Each treated enrollment counts once per tested step, in the variant its first message of the step was given.
  SELECT t.day, t.campaign_id, v.step_index, v.variant, t.converted, t.revenue, t.discount_cost, t.message_cost, t.net_margin,
         t.messages_sent, t.unsubscribed, 1.0 / v.probability AS w
    FROM weighted t
    CROSS JOIN LATERAL (SELECT DISTINCT ON (m.step_index) m.step_index, m.variant, (m.decision -> 'variant' ->> 'probability')::float8 AS probability
                          FROM messages m WHERE m.enrollment_id = t.enrollment_id AND m.variant IS NOT NULL
                         ORDER BY m.step_index, m.created_at) v
   WHERE t.arm <> 'control' AND v.probability > 0
), variants AS (
  ${addInto('report_variant_daily', ['day', 'campaign_id', 'step_index', 'variant'], 'variant_units')}
)
UPDATE enrollments e SET settled_at = $1 FROM inserted i WHERE e.id = i.enrollment_id`;

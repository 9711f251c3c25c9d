import type { Pool } from 'pg';
import type { Action, DecisionContext } from '../../ml/features';
import type { TrainingExample } from '../../ml/model';

/** How far back (from abandonment) sequences are learned from. */
const LOOKBACK_DAYS = 180;
/** For the send-time bandit only: an enrollment still open this long after abandonment has had every chance. */
const MATURITY_DAYS = 8;

/** Send-time decisions in the lookback ($2 days before $1) whose enrollment has ended, or is $3 days old. */
const MATURE_MESSAGES = `FROM messages m
       JOIN enrollments e ON e.id = m.enrollment_id
       JOIN checkouts c ON c.id = m.checkout_id
      WHERE m.sent_at > $1::timestamptz - make_interval(days => $2)
        AND (e.status <> 'active' OR e.abandoned_at < $1::timestamptz - make_interval(days => $3))`;

/** The send-time bandit's label: the checkout came back (credited to a message or not). */
const RECOVERED = `c.status IN ('recovered', 'completed')`;

/** "Send nothing (more)": a held-out enrollment's one decision, and a policy stop. */
const NO_MESSAGE: Action = { channel: 'none', discountPct: 0 };

export interface TrainingExampleOptions {
  /**
   * The shop's margin rate: a recovery's `margin` is its order's revenue × this − the discounts redeemed. Without it
   * no margin is attached and the off-policy estimate computes one from the cart and the largest percent offered.
   */
  marginRate?: number;
}

/** An enrollment's settled outcome, as `experiment_outcomes` holds it (`server/experiments/outcome-sql.ts`). */
interface OutcomeColumns {
  checkout_id: string;
  control_probability: number;
  recovered: boolean;
  revenue: number;
  discount_cost: number;
}

/** The logged policy decision, as the engine writes it on a message (`decision.policy`) or an enrollment (`stop_decision`). */
interface LoggedPolicy {
  context: DecisionContext | null;
  action: Action | null;
  propensity: number | null;
  candidates: Action[] | null;
  rules_action: Action | null;
}

interface DecisionRow extends OutcomeColumns, LoggedPolicy {
  enrollment_id: string;
  stop: boolean;
  decided_at: Date;
}

/**
 * The settled sequences of the lookback, one example per logged decision, labelled with their intent-to-treat outcome.
 * Only enrollments whose attribution window has closed (those in `experiment_outcomes`) count: a sequence still within
 * its window would teach "not recovered" too early, and one that ended early (sequence done, exited) can still be
 * ordered from. Each checkout's label is whether the shopper ordered within the window from abandonment.
 *
 *  treated (and untested)  its messages that carry a policy decision — sent, or cancelled before they went out (by an
 *                          order, an unsubscribe, expiry; not one replaced by another plan) — by step and time, then its policy stop
 *                          if any (action none); the first decision's propensity includes the holdout draw, 1 − P(control).
 *  held out                one decision "send nothing" with the probability of being held out (see below).
 *
 * An enrollment any of whose decisions lacks its context, action or propensity is left out whole: the rest of its
 * sequence would be mislabelled and mis-weighted.
 */
export async function loadTrainingExamples(pool: Pool, now: Date, options: TrainingExampleOptions = {}): Promise<TrainingExample[]> {
  const [treated, control] = await Promise.all([loadTreatedExamples(pool, now, options), loadControlExamples(pool, now, options)]);
  return [...treated, ...control].sort((a, b) => a.decidedAt.getTime() - b.decidedAt.getTime());
}

/** What a recovery earned before message costs, and what its discounts cost; nothing when it was not recovered. */
function labels(row: OutcomeColumns, options: TrainingExampleOptions): Pick<TrainingExample, 'recovered' | 'margin' | 'discountCost'> {
  if (!row.recovered) return { recovered: false };
  const discountCost = Number(row.discount_cost);
  return { recovered: true, discountCost, ...(options.marginRate === undefined ? {} : { margin: Number(row.revenue) * options.marginRate - discountCost }) };
}

async function loadTreatedExamples(pool: Pool, now: Date, options: TrainingExampleOptions): Promise<TrainingExample[]> {
  const { rows } = await pool.query<DecisionRow>(
    `SELECT e.id AS enrollment_id, e.checkout_id, o.control_probability, o.converted = 1 AS recovered,
            o.revenue::float8 AS revenue, o.discount_cost::float8 AS discount_cost,
            d.stop, d.decided_at, d.policy -> 'context' AS context, d.policy -> 'action' AS action,
            (d.policy ->> 'propensity')::float8 AS propensity, d.policy -> 'candidates' AS candidates, d.policy -> 'rulesAction' AS rules_action
       FROM experiment_outcomes o
       JOIN enrollments e ON e.id = o.enrollment_id
       CROSS JOIN LATERAL (
         -- Every decision taken, sent or not: one whose message an order then cancelled is a decision too. Keeping only
         -- those that went out would credit organic orders to the decisions before them, and to stops (which are kept).
         SELECT false AS stop, m.step_index, coalesce(m.sent_at, m.scheduled_for) AS decided_at, m.decision -> 'policy' AS policy
           FROM messages m
          WHERE m.enrollment_id = e.id AND m.decision ? 'policy'
            AND (m.sent_at IS NOT NULL OR (m.status = 'cancelled' AND m.cancel_reason IS DISTINCT FROM 'replanned'))
         UNION ALL
         SELECT true, NULL, coalesce(e.ended_at, e.abandoned_at), e.stop_decision WHERE e.stop_decision IS NOT NULL
       ) d
      WHERE o.arm <> 'control' AND e.abandoned_at > $1::timestamptz - make_interval(days => $2)
      ORDER BY e.abandoned_at, e.id, d.stop, d.step_index, d.decided_at`,
    [now, LOOKBACK_DAYS],
  );
  const examples: TrainingExample[] = [];
  for (let i = 0; i < rows.length; ) {
    let j = i;
    while (j < rows.length && rows[j].enrollment_id === rows[i].enrollment_id) j++;
    examples.push(...sequenceOf(rows.slice(i, j), options));
    i = j;
  }
  return examples;
}

/** One settled treated enrollment's decisions (in order) as examples, or none when one of them is unreadable. */
function sequenceOf(rows: DecisionRow[], options: TrainingExampleOptions): TrainingExample[] {
  if (rows.some((r) => !r.context || (!r.stop && !r.action) || !(Number(r.propensity) > 0))) return [];
  const label = labels(rows[0], options);
  const holdoutDraw = 1 - Number(rows[0].control_probability);
  return rows.map((row, k) => ({
    ctx: row.context!,
    action: row.stop ? NO_MESSAGE : row.action!,
    // The holdout was drawn before the first decision: the logging policy took this sequence with both chances.
    propensity: Number(row.propensity) * (k === 0 ? holdoutDraw : 1),
    ...label,
    decidedAt: new Date(row.decided_at),
    checkoutId: row.checkout_id,
    ...(row.candidates ? { candidates: row.candidates } : {}),
    ...(row.rules_action ? { rulesAction: row.rules_action } : {}),
  }));
}

/**
 * Held-out enrollments whose window has closed, each as one decision "send nothing", taken with the probability of
 * being held out, in the context the policy saw when it planned the first (withheld) message — or decided to stop
 * before any; labelled by whether the shopper ordered within the window from abandonment.
 */
async function loadControlExamples(pool: Pool, now: Date, options: TrainingExampleOptions): Promise<TrainingExample[]> {
  const { rows } = await pool.query<OutcomeColumns & { decided_at: Date; context: DecisionContext | null }>(
    `SELECT e.checkout_id, e.abandoned_at AS decided_at, coalesce(first.context, e.stop_decision -> 'context') AS context,
            o.control_probability, o.converted = 1 AS recovered, o.revenue::float8 AS revenue, o.discount_cost::float8 AS discount_cost
       FROM experiment_outcomes o
       JOIN enrollments e ON e.id = o.enrollment_id
       LEFT JOIN LATERAL (SELECT m.decision -> 'policy' -> 'context' AS context FROM messages m
                           WHERE m.enrollment_id = e.id AND m.decision ? 'policy' ORDER BY m.step_index, m.created_at LIMIT 1) first ON true
      WHERE o.arm = 'control' AND e.abandoned_at > $1::timestamptz - make_interval(days => $2)
      ORDER BY e.abandoned_at`,
    [now, LOOKBACK_DAYS],
  );
  return rows
    .filter((row) => row.context && Number(row.control_probability) > 0)
    .map((row) => ({
      ctx: row.context!,
      action: NO_MESSAGE,
      propensity: Number(row.control_probability),
      ...labels(row, options),
      decidedAt: new Date(row.decided_at),
      checkoutId: row.checkout_id,
    }));
}

export interface SendTimeOutcome {
  segment: string;
  armMinutes: number;
  successes: number;
  failures: number;
}

/**
 * Per segment and first-reminder delay: how many mature enrollments recovered and how many did not. The bandit keeps
 * its own, quicker maturity rule (ended, or 8 days old) and the checkout's status as its label: it learns a delay,
 * whose effect shows in the first days, and waiting for the attribution window would slow it for little.
 */
export async function loadSendTimeOutcomes(pool: Pool, now: Date): Promise<SendTimeOutcome[]> {
  const { rows } = await pool.query<{ segment: string; arm_minutes: number; successes: number; failures: number }>(
    `SELECT m.decision -> 'sendTime' ->> 'segment' AS segment, (m.decision -> 'sendTime' ->> 'armMinutes')::int AS arm_minutes,
            count(*) FILTER (WHERE ${RECOVERED})::int AS successes,
            count(*) FILTER (WHERE NOT ${RECOVERED})::int AS failures
       ${MATURE_MESSAGES}
        AND m.decision ? 'sendTime'
      GROUP BY 1, 2`,
    [now, LOOKBACK_DAYS, MATURITY_DAYS],
  );
  return rows.map((r) => ({ segment: r.segment, armMinutes: r.arm_minutes, successes: r.successes, failures: r.failures }));
}

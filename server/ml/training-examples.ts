import type { Pool } from 'pg';
import type { Action, DecisionContext } from '../../ml/features';
import type { TrainingExample } from '../../ml/model';

/** How far back logged decisions are learned from. */
const LOOKBACK_DAYS = 180;
/** An enrollment still open this long after abandonment has had every chance; its outcome is final. */
const MATURITY_DAYS = 8;

/** Messages sent in the lookback ($2 days before $1) whose enrollment has settled (ended, or $3 days old). */
const SETTLED_MESSAGES = `FROM messages m
       JOIN enrollments e ON e.id = m.enrollment_id
       JOIN checkouts c ON c.id = m.checkout_id
      WHERE m.sent_at > $1::timestamptz - make_interval(days => $2)
        AND (e.status <> 'active' OR e.abandoned_at < $1::timestamptz - make_interval(days => $3))`;

/** The label: the checkout came back (credited to a message or not). */
const RECOVERED = `c.status IN ('recovered', 'completed')`;

interface ExampleRow {
  checkout_id: string;
  decided_at: Date;
  context: DecisionContext;
  action: Action;
  propensity: number;
  candidates: Action[] | null;
  recovered: boolean;
}

/** Held out: a sequence with no message at all. */
const NO_MESSAGE: Action = { channel: 'none', discountPct: 0 };

/**
 * Every recovery message that went out with a logged policy decision, paired with its checkout's outcome, and
 * every settled held-out enrollment as a sequence with no message (what shoppers do left alone).
 * Only settled outcomes count: an enrollment that is still running would teach "not recovered" too early.
 */
export async function loadTrainingExamples(pool: Pool, now: Date): Promise<TrainingExample[]> {
  const [sent, control] = await Promise.all([loadSentExamples(pool, now), loadControlExamples(pool, now)]);
  return [...sent, ...control].sort((a, b) => a.decidedAt.getTime() - b.decidedAt.getTime());
}

/**
 * Held-out enrollments whose window has closed (`experiment_outcomes`), each as one decision "send nothing", taken
 * with the probability of being held out, in the context the policy saw when it planned the first (withheld)
 * message; labelled by whether the shopper ordered within the window from abandonment.
 */
async function loadControlExamples(pool: Pool, now: Date): Promise<TrainingExample[]> {
  const { rows } = await pool.query<{ checkout_id: string; decided_at: Date; context: DecisionContext | null; propensity: number; recovered: boolean }>(
    `SELECT e.checkout_id, e.abandoned_at AS decided_at, first.context, o.control_probability AS propensity, o.converted = 1 AS recovered
       FROM experiment_outcomes o
       JOIN enrollments e ON e.id = o.enrollment_id
       CROSS JOIN LATERAL (SELECT m.decision -> 'policy' -> 'context' AS context FROM messages m
                            WHERE m.enrollment_id = e.id AND m.decision ? 'policy' ORDER BY m.step_index, m.created_at LIMIT 1) first
      WHERE o.arm = 'control' AND e.abandoned_at > $1::timestamptz - make_interval(days => $2)
      ORDER BY e.abandoned_at`,
    [now, LOOKBACK_DAYS],
  );
  return rows
    .filter((row) => row.context && row.propensity > 0)
    .map((row) => ({ ctx: row.context!, action: NO_MESSAGE, propensity: row.propensity, recovered: row.recovered, decidedAt: new Date(row.decided_at), checkoutId: row.checkout_id }));
}

async function loadSentExamples(pool: Pool, now: Date): Promise<TrainingExample[]> {
  const { rows } = await pool.query<ExampleRow>(
    `SELECT m.checkout_id, m.sent_at AS decided_at,
            m.decision -> 'policy' -> 'context' AS context, m.decision -> 'policy' -> 'action' AS action,
            (m.decision -> 'policy' ->> 'propensity')::float8 AS propensity, m.decision -> 'policy' -> 'candidates' AS candidates,
            ${RECOVERED} AS recovered
       ${SETTLED_MESSAGES}
        AND m.decision ? 'policy'
      ORDER BY m.sent_at`,
    [now, LOOKBACK_DAYS, MATURITY_DAYS],
  );
  return rows
    .filter((row) => row.context && row.action && row.propensity > 0)
    .map((row) => ({
      ctx: row.context,
      action: row.action,
      propensity: row.propensity,
      recovered: row.recovered,
      decidedAt: new Date(row.decided_at),
      checkoutId: row.checkout_id,
      ...(row.candidates ? { candidates: row.candidates } : {}),
    }));
}

export interface SendTimeOutcome {
  segment: string;
  armMinutes: number;
  successes: number;
  failures: number;
}

/** Per segment and first-reminder delay: how many settled enrollments recovered and how many did not. */
export async function loadSendTimeOutcomes(pool: Pool, now: Date): Promise<SendTimeOutcome[]> {
  const { rows } = await pool.query<{ segment: string; arm_minutes: number; successes: number; failures: number }>(
    `SELECT m.decision -> 'sendTime' ->> 'segment' AS segment, (m.decision -> 'sendTime' ->> 'armMinutes')::int AS arm_minutes,
            count(*) FILTER (WHERE ${RECOVERED})::int AS successes,
            count(*) FILTER (WHERE NOT ${RECOVERED})::int AS failures
       ${SETTLED_MESSAGES}
        AND m.decision ? 'sendTime'
      GROUP BY 1, 2`,
    [now, LOOKBACK_DAYS, MATURITY_DAYS],
  );
  return rows.map((r) => ({ segment: r.segment, armMinutes: r.arm_minutes, successes: r.successes, failures: r.failures }));
}

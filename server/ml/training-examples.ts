import type { Pool } from 'pg';
import type { Action, DecisionContext } from '../../ml/features';
import type { TrainingExample } from '../../ml/model';

/** How far back logged decisions are learned from. */
const LOOKBACK_DAYS = 180;
/** An enrollment still open this long after abandonment has had every chance; its outcome is final. */
const MATURITY_DAYS = 8;

interface ExampleRow {
  checkout_id: string;
  decided_at: Date;
  context: DecisionContext;
  action: Action;
  propensity: number;
  candidates: Action[] | null;
  recovered: boolean;
}

/**
 * Every recovery message that went out with a logged policy decision, paired with its checkout's outcome.
 * Only settled outcomes count: an enrollment that is still running would teach "not recovered" too early.
 */
export async function loadTrainingExamples(pool: Pool, now: Date): Promise<TrainingExample[]> {
  const { rows } = await pool.query<ExampleRow>(
    `SELECT m.checkout_id, m.sent_at AS decided_at,
            m.decision -> 'policy' -> 'context' AS context, m.decision -> 'policy' -> 'action' AS action,
            (m.decision -> 'policy' ->> 'propensity')::float8 AS propensity, m.decision -> 'policy' -> 'candidates' AS candidates,
            c.status IN ('recovered', 'completed') AS recovered
       FROM messages m
       JOIN enrollments e ON e.id = m.enrollment_id
       JOIN checkouts c ON c.id = m.checkout_id
      WHERE m.sent_at > $1::timestamptz - make_interval(days => $2)
        AND m.sent_at IS NOT NULL
        AND m.decision ? 'policy'
        AND (e.status <> 'active' OR e.abandoned_at < $1::timestamptz - make_interval(days => $3))
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
            count(*) FILTER (WHERE c.status IN ('recovered', 'completed'))::int AS successes,
            count(*) FILTER (WHERE c.status NOT IN ('recovered', 'completed'))::int AS failures
       FROM messages m
       JOIN enrollments e ON e.id = m.enrollment_id
       JOIN checkouts c ON c.id = m.checkout_id
      WHERE m.sent_at > $1::timestamptz - make_interval(days => $2)
        AND m.decision ? 'sendTime'
        AND (e.status <> 'active' OR e.abandoned_at < $1::timestamptz - make_interval(days => $3))
      GROUP BY 1, 2`,
    [now, LOOKBACK_DAYS, MATURITY_DAYS],
  );
  return rows.map((r) => ({ segment: r.segment, armMinutes: r.arm_minutes, successes: r.successes, failures: r.failures }));
}

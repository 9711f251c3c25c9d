import type { PoolClient, QueryResult } from 'pg';
import { drawVariant, stepWithVariant, variantPosition } from '../../../campaigns/experiments/variants';
import { planNextMessage } from '../../../campaigns/planner';
import type { ChannelKind, NoMessageReason, PlannerDecision } from '../../../campaigns/types';
import type { ScheduledMessage } from '../scheduling/message-scheduler';
import { type JustSent, LoadedPlannerInput, loadPlannerInput, plannedDiscountPct, withSentMessage } from './planner-input';
import type { StepPolicy, StepPolicyChoice, StoredVariantDecision } from './step-policy';

/**
 * How planning runs in this process: campaign time (CAMPAIGN_TIME_SCALE), the decision policy, if any, and the
 * channels whose configuration is missing here (never planned; the sender refuses them too, should a message
 * planned by a process configured differently reach this one).
 */
export interface Planning {
  timeScale: number;
  policy: StepPolicy | null;
  disabledChannels?: readonly ChannelKind[];
}

export const PLANNING = Symbol('PLANNING');

/** What planning an enrollment produced: a message to wake up for, a time to look again, or nothing. */
export interface PlanOutcome {
  message?: ScheduledMessage;
  /** Messages of other enrollments this plan pushed back (their new wake-ups). */
  moved?: ScheduledMessage[];
  recheckAt?: Date;
  decision: PlannerDecision | { kind: 'none'; reason: 'enrollment_missing' };
}

/** Reasons that end an enrollment; the others leave it open (waiting for an outcome, say). */
const ENDING: Record<Exclude<NoMessageReason, 'waiting_for_outcome'>, 'completed' | 'exited'> = {
  checkout_completed: 'completed',
  unsubscribed: 'exited',
  expired: 'exited',
  sequence_done: 'completed',
  no_reachable_channel: 'exited',
  not_eligible: 'exited',
  policy_stop: 'exited',
};

/** How far one plan may push other enrollments back (each push only moves smaller carts). */
const MAX_DISPLACEMENT_DEPTH = 3;

export function messageKey(enrollmentId: string, stepIndex: number, channel: string): string {
  return `${enrollmentId}.${stepIndex}.${channel}`;
}

/** What the planner would do next for an enrollment, as things are now; nothing is written. */
export interface Decided {
  enrollmentId: string;
  loaded: LoadedPlannerInput;
  decision: PlannerDecision;
  /** The policy's say in the step, stored with the message. */
  chosen: StepPolicyChoice | null;
  /** The step's A/B/n variant for this enrollment, when the step is tested. */
  variant: StoredVariantDecision | null;
}

export async function decideNext(client: PoolClient, enrollmentId: string, now: Date, planning: Planning): Promise<Decided | null> {
  const loaded = await loadPlannerInput(client, enrollmentId, now, planning.timeScale, planning.disabledChannels);
  return loaded ? decideFrom(loaded, enrollmentId, now, planning) : null;
}

/** The decision for an input already loaded. */
async function decideFrom(loaded: LoadedPlannerInput, enrollmentId: string, now: Date, planning: Planning): Promise<Decided> {
  const decision = planNextMessage(loaded.input);
  if (decision.kind !== 'send') return { enrollmentId, loaded, decision, chosen: null, variant: null };
  const variant = variantOfStep(loaded, enrollmentId, decision.stepIndex);
  if (!planning.policy) return { enrollmentId, loaded, decision, chosen: null, variant };
  const step = stepWithVariant(loaded.input.campaign.steps[decision.stepIndex], variant?.name);
  const chosen = await planning.policy.choose(loaded, decision.stepIndex, now, step, decision.channel);
  if (!chosen) return { enrollmentId, loaded, decision, chosen: null, variant };
  if (chosen.stop) return { enrollmentId, loaded, decision: { kind: 'none', reason: 'policy_stop' }, chosen, variant };
  const unchanged = chosen.choice.channel === decision.channel && chosen.choice.delayMinutes == null;
  const withChoice = unchanged ? decision : planNextMessage({ ...loaded.input, choice: chosen.choice });
  // The choice only shapes the step the planner picked; anything else (expiry, say) keeps the planner's answer.
  if (withChoice.kind !== 'send' || withChoice.stepIndex !== decision.stepIndex || withChoice.channel !== chosen.choice.channel) {
    return { enrollmentId, loaded, decision, chosen: null, variant };
  }
  return { enrollmentId, loaded, decision: withChoice, chosen, variant };
}

/** The step's variant for this enrollment: the one it was already given, else a keyed draw (null when not tested). */
function variantOfStep(loaded: LoadedPlannerInput, enrollmentId: string, stepIndex: number): StoredVariantDecision | null {
  const kept = loaded.facts.variants.find((v) => v.stepIndex === stepIndex);
  if (kept) return { name: kept.name, probability: kept.probability };
  const step = loaded.input.campaign.steps[stepIndex];
  return drawVariant(step?.variants, variantPosition(loaded.experiment.secret, enrollmentId, stepIndex));
}

/**
 * Asks the planner for an enrollment's next message and records it as a `planned` row in the caller's
 * transaction; the caller schedules the wake-up after commit. Planning twice plans the same row.
 */
export async function planNext(client: PoolClient, enrollmentId: string, now: Date, planning: Planning, depth = 0): Promise<PlanOutcome> {
  const decided = await decideNext(client, enrollmentId, now, planning);
  if (!decided) return { decision: { kind: 'none', reason: 'enrollment_missing' } };
  return applyDecision(client, decided, now, planning, depth);
}

/**
 * The decision after a message that just went out, from the input read before sending (one read of the planner's
 * input per send instead of two); null when the message carried a discount code, whose redemption state the
 * plan must read again (`planNext`, inside the transaction that records the send).
 */
export async function decideAfterSend(before: Decided, sent: JustSent, now: Date, planning: Planning): Promise<Decided | null> {
  if (plannedDiscountPct(before.loaded, sent.stepIndex, sent.channel) > 0) return null;
  return decideFrom(withSentMessage(before.loaded, sent, now), before.enrollmentId, now, planning);
}

/**
 * Whether `applyDecision` records this decision with at most one statement (`issueRecord`, issued before it first
 * awaits): the caller may then queue its COMMIT right behind it, in the same round trip.
 */
export function recordedInOneStatement(decided: Decided, depth = 0): boolean {
  return decided.decision.kind === 'none' || depth >= MAX_DISPLACEMENT_DEPTH || decided.loaded.displaced.length === 0;
}

type PlannedRow = { id: string; key: string; scheduled_for: Date };

/**
 * Issues, before returning (no await), the one statement that records a decision: the enrollment's end, or its planned
 * row (new, or moved to its new time). Null when there is nothing to record (waiting for an outcome). Callers may
 * queue a COMMIT right behind it.
 */
function issueRecord(client: PoolClient, decided: Decided, now: Date): Promise<QueryResult<PlannedRow>> | null {
  const { enrollmentId, decision, chosen, variant } = decided;
  if (decision.kind === 'none') {
    if (decision.reason === 'waiting_for_outcome') return null;
    return client.query<PlannedRow>(
      `UPDATE enrollments SET status = $2, exit_reason = $3, ended_at = $4, stop_decision = $5::jsonb WHERE id = $1 AND status = 'active'`,
      [enrollmentId, ENDING[decision.reason], decision.reason, now, chosen?.stop && chosen.policy ? JSON.stringify(chosen.policy) : null],
    );
  }
  return client.query<PlannedRow>({
    name: 'plan_message',
    // The arm comes from the enrollment in the same statement: a held-out enrollment's rows are control rows.
    text: `INSERT INTO messages (key, enrollment_id, checkout_id, customer_id, campaign_id, step_index, channel, scheduled_for, decision, arm, variant)
           SELECT $1, e.id, e.checkout_id, e.customer_id, e.campaign_id, $2, $3, $4, $5::jsonb, e.arm, $7 FROM enrollments e WHERE e.id = $6
           ON CONFLICT (key) DO UPDATE SET scheduled_for = excluded.scheduled_for, decision = excluded.decision, updated_at = now()
             WHERE messages.status = 'planned' AND messages.scheduled_for IS DISTINCT FROM excluded.scheduled_for
           RETURNING id, key, scheduled_for`,
    values: [
      messageKey(enrollmentId, decision.stepIndex, decision.channel),
      decision.stepIndex,
      decision.channel,
      decision.sendAt,
      JSON.stringify({
        planner: { deferredBy: decision.deferredBy, skipped: decision.skipped, plannedAt: now.toISOString() },
        ...(chosen?.policy ? { policy: chosen.policy } : {}),
        ...(chosen?.sendTime ? { sendTime: chosen.sendTime } : {}),
        ...(variant ? { variant } : {}),
      }),
      enrollmentId,
      variant?.name ?? null,
    ],
  });
}

/**
 * Records a decision (`issueRecord`, issued before anything is awaited), then plans again what the new message
 * outranks for the customer's next slot.
 */
export async function applyDecision(client: PoolClient, decided: Decided, now: Date, planning: Planning, depth = 0): Promise<PlanOutcome> {
  const recorded = issueRecord(client, decided, now);
  const { loaded, decision } = decided;
  if (decision.kind === 'none') {
    if (decision.reason === 'waiting_for_outcome') return { decision, recheckAt: decision.recheckAt };
    await recorded;
    return { decision };
  }
  const { rows } = await recorded!;
  const row = rows[0];
  // Competing for the customer's next slot: the bigger cart goes first, so what it outranks is planned again after it.
  const moved: ScheduledMessage[] = [];
  if (depth < MAX_DISPLACEMENT_DEPTH) {
    for (const other of loaded.displaced) {
      const replanned = await planNext(client, other, now, planning, depth + 1);
      if (replanned.message) moved.push(replanned.message);
      moved.push(...(replanned.moved ?? []));
    }
  }
  return { decision, message: row && { id: row.id, key: row.key, scheduledFor: row.scheduled_for }, moved };
}

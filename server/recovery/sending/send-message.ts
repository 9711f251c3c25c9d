import { Inject, Injectable, Logger } from '@nestjs/common';
import { PoolClient } from 'pg';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { CLOCK, Clock } from '../../common/clock';
import { MetricsService } from '../../metrics/metrics.service';
import { PermanentSendError, SendReceipt, TransientSendError } from '../channels/channel';
import { applyDecision, Decided, decideAfterSend, decideNext, Planning, PLANNING, planNext, PlanOutcome, recordedInOneStatement } from '../planning/next-message';
import { MessageScheduler, ScheduledMessage } from '../scheduling/message-scheduler';
import { sendLockKey } from '../suppression/send-lock';
import { ChannelSenders } from './channel-senders';
import { MESSAGE_COMPOSER, MessageComposer } from './message-composer';
import { SendPool } from './send-pool';

/** Transient failures are retried this many times, with exponential backoff, before the message fails. */
const MAX_ATTEMPTS = 5;
const BASE_BACKOFF_MS = 30_000;
/** A re-check may find the send time moved by less than this (in campaign time) and still send now. */
const ON_TIME_TOLERANCE_MS = 1_000;

export type SendOutcome = 'sent' | 'withheld' | 'not_planned' | 'cancelled' | 'rescheduled' | 'replanned' | 'retrying' | 'failed';

interface MessageRow {
  id: string;
  key: string;
  enrollment_id: string;
  checkout_id: string;
  step_index: number;
  channel: 'email' | 'push' | 'sms';
  status: string;
  arm: 'treatment' | 'control';
  attempts: number;
  scheduled_for: Date;
}

/**
 * Sends one planned message, at most once. Holding the checkout's send lock (which an order's transaction
 * also takes before suppressing), it re-plans the enrollment to re-check suppression, consent, caps and
 * quiet hours as they are now, commits `sending`, calls the provider, and records the outcome. An order
 * that commits while a send is in flight waits for it; one that committed first finds the message cancelled.
 */
@Injectable()
export class SendMessage {
  private readonly logger = new Logger(SendMessage.name);

  constructor(
    private readonly sendPool: SendPool,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MESSAGE_COMPOSER) private readonly composer: MessageComposer,
    private readonly senders: ChannelSenders,
    private readonly scheduler: MessageScheduler,
    private readonly metrics: MetricsService,
    @Inject(PLANNING) private readonly planning: Planning,
  ) {}

  /**
   * `enrollmentId`, when the wake-up carries it, lets the re-check's read of the planner's input travel with
   * the locks in the first round trip; it is only used when it is the locked message's enrollment.
   */
  async run(messageId: string, enrollmentId?: string): Promise<SendOutcome> {
    const client = await this.sendPool.pool.connect();
    const toSchedule: ScheduledMessage[] = [];
    let recheck: { enrollmentId: string; at: Date } | undefined;
    const onRecheck = (r: { enrollmentId: string; at: Date }) => (recheck = r);
    let locked: string | undefined;
    // The send pool's connections pipeline: statements issued together travel in one round trip.
    try {
      const lock = client.query<{ lock: string }>({
        name: 'take_send_lock',
        text: `SELECT l.k AS lock, pg_advisory_lock(hashtextextended(l.k, 0)) FROM messages m, LATERAL (SELECT $2 || m.checkout_id::text AS k) l WHERE m.id = $1`,
        values: [messageId, sendLockKey('')],
      });
      const begin = client.query('BEGIN');
      const read = client.query<MessageRow>({
        name: 'lock_message',
        text: `SELECT id, key, enrollment_id, checkout_id, step_index, channel, status, arm, attempts, scheduled_for FROM messages WHERE id = $1 FOR UPDATE`,
        values: [messageId],
      });
      // Queued after the locks, in the same transaction: it reads the world as the locks leave it.
      const now = this.clock.now();
      const early = enrollmentId ? settle(decideNext(client, enrollmentId, now, this.planning)) : undefined;
      const [found, , rows] = await Promise.all([lock, begin, read]);
      locked = found.rows[0]?.lock;
      const row = rows.rows[0];
      const decided = early && row?.enrollment_id === enrollmentId ? { now, result: early } : undefined;

      const prepared = await this.prepare(client, row, decided, toSchedule, onRecheck);
      if (prepared.outcome !== 'send') return prepared.outcome;
      const message = prepared.message;

      // Composing reads what the commit does not change, so its query rides along with the commit. A failed
      // commit propagates: nothing was sent and the message is still planned.
      const composing = this.composer.compose(client, message.id).then(
        (outgoing) => ({ outgoing }),
        (error: unknown) => ({ error }),
      );
      // Only a row that became `sending` is handed over (a control row never can: the UPDATE and a CHECK refuse it).
      if (!(await prepared.committed)) {
        await composing;
        return 'not_planned';
      }
      const composed = await composing;
      let receipt: SendReceipt;
      try {
        if ('error' in composed) throw composed.error;
        receipt = await this.senders.get(message.channel).send(composed.outgoing);
      } catch (error) {
        return await this.recordFailure(client, message, error, toSchedule, onRecheck);
      }
      try {
        const sentAt = this.clock.now();
        const decided = await decideAfterSend(prepared.decided, { stepIndex: message.step_index, channel: message.channel, at: sentAt }, sentAt, this.planning);
        const started = client.query('BEGIN');
        const sent = client.query({
          name: 'mark_sent',
          text: `UPDATE messages SET status = 'sent', sent_at = $2, provider_message_id = $3, error = NULL, updated_at = now() WHERE id = $1`,
          values: [message.id, sentAt, receipt.providerMessageId ?? null],
        });
        const following = (decided ? applyDecision(client, decided, sentAt, this.planning) : planNext(client, message.enrollment_id, sentAt, this.planning)).then((next) =>
          this.schedule(message.enrollment_id, next, toSchedule, onRecheck),
        );
        // When the plan is one statement, it is already queued: COMMIT and the unlock travel in the same round trip
        // (a failed statement turns the COMMIT into a rollback, and its own error is what surfaces).
        if (!decided || !recordedInOneStatement(decided)) await Promise.all([started, sent, following]);
        const commit = client.query('COMMIT');
        const unlock = client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [locked]);
        locked = undefined;
        await Promise.all([started, sent, following, commit, unlock]);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      this.metrics.messagesSent.inc({ channel: message.channel, outcome: 'sent' });
      return 'sent';
    } finally {
      if (locked) await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [locked]).catch(() => undefined);
      client.release();
      await this.scheduler.schedule(toSchedule);
      if (recheck) await this.scheduler.recheck(recheck.enrollmentId, recheck.at);
    }
  }

  /**
   * Inside the transaction `run` opened with the message locked: re-checks the message against the world as
   * it is now, marks it `sending` when it should go, and ends the transaction.
   */
  private async prepare(
    client: PoolClient,
    message: MessageRow | undefined,
    early: { now: Date; result: Promise<Settled<Decided | null>> } | undefined,
    toSchedule: ScheduledMessage[],
    onRecheck: (r: { enrollmentId: string; at: Date }) => void,
  ): Promise<{ outcome: 'send'; message: MessageRow; committed: Promise<boolean>; decided: Decided } | { outcome: Exclude<SendOutcome, 'sent'> }> {
    try {
      if (!message || message.status !== 'planned') {
        await client.query('COMMIT');
        return { outcome: 'not_planned' };
      }
      const now = early?.now ?? this.clock.now();
      const decided = early ? unwrap(await early.result) : await decideNext(client, message.enrollment_id, now, this.planning);
      const decision: PlanOutcome['decision'] = decided?.decision ?? { kind: 'none', reason: 'enrollment_missing' };
      const same = decision.kind === 'send' && decision.stepIndex === message.step_index && decision.channel === message.channel;
      if (same && decision.sendAt.getTime() <= now.getTime() + ON_TIME_TOLERANCE_MS * this.config.campaignTimeScale) {
        if (message.arm === 'control') return await this.withhold(client, message, now, toSchedule, onRecheck);
        // Still due now and nothing changed: the row stands as planned.
        const mark = client.query({
          name: 'mark_sending',
          text: `UPDATE messages SET status = 'sending', attempts = attempts + 1, updated_at = now() WHERE id = $1 AND status = 'planned' AND arm = 'treatment'`,
          values: [message.id],
        });
        const commit = client.query('COMMIT');
        // The caller awaits the commit together with its next statement (one round trip for both).
        return { outcome: 'send', message, committed: Promise.all([mark, commit]).then(([marked]) => marked.rowCount === 1), decided: decided! };
      }
      const plan: PlanOutcome = decided ? await applyDecision(client, decided, now, this.planning) : { decision };
      toSchedule.push(...(plan.moved ?? []));
      if (same) {
        // Quiet hours, a cap or a competing message moved it: applyDecision stored the new time.
        if (plan.message) toSchedule.push(plan.message);
        await client.query('COMMIT');
        return { outcome: 'rescheduled' };
      }
      const reason = decision.kind === 'none' ? decision.reason : 'replanned';
      await client.query(`UPDATE messages SET status = 'cancelled', cancel_reason = $2, updated_at = now() WHERE id = $1 AND status = 'planned'`, [
        message.id,
        reason,
      ]);
      await client.query('COMMIT');
      if (plan.message) toSchedule.push(plan.message);
      if (plan.recheckAt) onRecheck({ enrollmentId: message.enrollment_id, at: plan.recheckAt });
      this.metrics.messagesSent.inc({ channel: message.channel, outcome: 'cancelled' });
      return { outcome: decision.kind === 'send' ? 'replanned' : 'cancelled' };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /**
   * A held-out enrollment's message at its send time: recorded as what would have been sent now, never handed to a
   * provider, and the enrollment planned on as if it had gone (so its plan stays the one a treated shopper gets).
   */
  private async withhold(client: PoolClient, message: MessageRow, now: Date, toSchedule: ScheduledMessage[], onRecheck: (r: { enrollmentId: string; at: Date }) => void): Promise<{ outcome: 'withheld' }> {
    await client.query({
      name: 'mark_withheld',
      text: `UPDATE messages SET status = 'withheld', withheld_at = $2, updated_at = now() WHERE id = $1 AND status = 'planned'`,
      values: [message.id, now],
    });
    this.schedule(message.enrollment_id, await planNext(client, message.enrollment_id, now, this.planning), toSchedule, onRecheck);
    await client.query('COMMIT');
    this.metrics.messagesSent.inc({ channel: message.channel, outcome: 'withheld' });
    return { outcome: 'withheld' };
  }

  private async recordFailure(
    client: PoolClient,
    message: MessageRow,
    error: unknown,
    toSchedule: ScheduledMessage[],
    onRecheck: (r: { enrollmentId: string; at: Date }) => void,
  ): Promise<SendOutcome> {
    const attempts = message.attempts + 1;
    const text = error instanceof Error ? error.message : String(error);
    if (error instanceof TransientSendError && attempts < MAX_ATTEMPTS) {
      const backoff = Math.max(error.retryAfterMs ?? 0, BASE_BACKOFF_MS * 2 ** (attempts - 1) * this.config.campaignTimeScale);
      const at = new Date(this.clock.now().getTime() + backoff);
      await client.query(`UPDATE messages SET status = 'planned', scheduled_for = $2, error = $3, updated_at = now() WHERE id = $1`, [message.id, at, text]);
      toSchedule.push({ id: message.id, key: message.key, scheduledFor: at });
      this.metrics.messagesSent.inc({ channel: message.channel, outcome: 'retrying' });
      this.logger.warn(`message ${message.id} (${message.channel}) failed for now, retry ${attempts} at ${at.toISOString()}: ${text}`);
      return 'retrying';
    }
    const reason = error instanceof PermanentSendError ? `${error.reason}: ${text}` : text;
    if (!(error instanceof PermanentSendError) && !(error instanceof TransientSendError)) {
      this.logger.error(`message ${message.id} (${message.channel}) could not be sent: ${error instanceof Error ? error.stack : text}`);
    }
    await this.inTransaction(client, async () => {
      await client.query(`UPDATE messages SET status = 'failed', error = $2, updated_at = now() WHERE id = $1`, [message.id, reason]);
      await client.query(`INSERT INTO message_engagements (message_id, kind, at, detail) VALUES ($1, 'failed', $2, $3)`, [
        message.id,
        this.clock.now(),
        JSON.stringify({ error: reason }),
      ]);
      // A failure is an outcome too: the planner may fall back to another channel (waterfall) or move on.
      await this.planFollowing(client, message.enrollment_id, toSchedule, onRecheck);
    });
    this.metrics.messagesSent.inc({ channel: message.channel, outcome: 'failed' });
    return 'failed';
  }

  private async planFollowing(client: PoolClient, enrollmentId: string, toSchedule: ScheduledMessage[], onRecheck: (r: { enrollmentId: string; at: Date }) => void) {
    this.schedule(enrollmentId, await planNext(client, enrollmentId, this.clock.now(), this.planning), toSchedule, onRecheck);
  }

  private schedule(enrollmentId: string, next: PlanOutcome, toSchedule: ScheduledMessage[], onRecheck: (r: { enrollmentId: string; at: Date }) => void) {
    if (next.message) toSchedule.push(next.message);
    toSchedule.push(...(next.moved ?? []));
    if (next.recheckAt) onRecheck({ enrollmentId, at: next.recheckAt });
  }

  private async inTransaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
    await client.query('BEGIN');
    try {
      const result = await work();
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}

type Settled<T> = { value: T } | { error: unknown };

/** A promise that is awaited later (or not at all, when the message is no longer planned) must not reject unheard. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

function unwrap<T>(settled: Settled<T>): T {
  if ('error' in settled) throw settled.error;
  return settled.value;
}

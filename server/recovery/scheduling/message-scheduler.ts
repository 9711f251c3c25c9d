import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { Queue, RedisQueueBackend } from 'bullmq';
import type { Redis } from 'ioredis';
import { CLOCK, Clock } from '../../common/clock';
import { QUEUES } from '../../queue/queues';
import { sendJobData, sendJobId } from './recovery-jobs';

export interface ScheduledMessage {
  id: string;
  key: string;
  scheduledFor: Date;
}

/**
 * Puts the wake-ups in Redis. The messages table is the truth; a lost wake-up is found again by the
 * reconciler, and a duplicate one is harmless (the worker only sends a message that is still planned).
 */
@Injectable()
export class MessageScheduler {
  constructor(
    @InjectQueue(QUEUES.recovery) private readonly queue: Queue,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async schedule(messages: readonly ScheduledMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const now = this.clock.now().getTime();
    await this.queue.addBulk(
      messages.map((m) => ({
        name: 'send',
        data: sendJobData(m),
        opts: { jobId: sendJobId(m.key, m.scheduledFor), delay: Math.max(0, m.scheduledFor.getTime() - now), removeOnComplete: true, removeOnFail: 1000 },
      })),
    );
  }

  /**
   * The messages whose wake-up Redis does not hold. Adding a wake-up whose job id Redis already holds (in any
   * state) does nothing anyway; finding that out with one pipelined EXISTS each costs Redis far less than
   * the add script does (which also records a "duplicated" event), and the reconciler asks about a whole
   * backlog of overdue messages every sweep while the worker is busy sending them.
   */
  async withoutWakeUp<M extends ScheduledMessage>(messages: readonly M[]): Promise<M[]> {
    if (messages.length === 0) return [];
    // BullMQ's Redis connections are ioredis clients.
    const client = (await (this.queue.getBackend() as unknown as RedisQueueBackend).client) as unknown as Redis;
    const pipeline = client.pipeline();
    const failedSet = this.queue.toKey('failed');
    for (const m of messages) pipeline.exists(this.queue.toKey(sendJobId(m.key, m.scheduledFor))).zscore(failedSet, sendJobId(m.key, m.scheduledFor));
    const results = (await pipeline.exec()) ?? [];
    // A wake-up that failed (it ran while the database was down) never runs again, yet its id would make the add a
    // no-op: it is removed, so the message (still planned, hence never handed over) is queued anew.
    const failed = messages.filter((_, i) => results[2 * i + 1]?.[0] === null && results[2 * i + 1]?.[1] !== null);
    await Promise.all(failed.map((m) => this.queue.remove(sendJobId(m.key, m.scheduledFor))));
    // An unanswered check counts as missing: the add decides.
    return messages.filter((m, i) => {
      const [error, exists] = results[2 * i] ?? [null, 0];
      return error !== null || exists !== 1 || failed.includes(m);
    });
  }

  /** Looks at an enrollment again at `at` (a waterfall deadline). */
  async recheck(enrollmentId: string, at: Date): Promise<void> {
    await this.queue.add(
      'plan',
      { enrollmentId },
      { jobId: `plan.${enrollmentId}.${at.getTime()}`, delay: Math.max(0, at.getTime() - this.clock.now().getTime()), removeOnComplete: true, removeOnFail: 1000 },
    );
  }
}

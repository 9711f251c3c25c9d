import { randomBytes, randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock';
import { MessageScheduler } from './message-scheduler';
import { sendJobId } from './recovery-jobs';

const connection = { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', maxRetriesPerRequest: null };

/** The reconciler asks which overdue messages lost their wake-up; one that failed (database down) counts as lost. */
describe('MessageScheduler.withoutWakeUp', () => {
  const prefix = `test-scheduler-${randomBytes(4).toString('hex')}:bull`;
  let queue: Queue;
  let scheduler: MessageScheduler;

  beforeAll(async () => {
    queue = new Queue('recovery', { connection, prefix });
    scheduler = new MessageScheduler(queue, systemClock);
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  const message = () => ({ id: randomUUID(), key: `${randomUUID()}.0.email`, scheduledFor: new Date(Date.now() - 60_000) });

  it('re-queues a message whose wake-up failed, and leaves a pending one alone', async () => {
    const failing = message();
    await scheduler.schedule([failing]);
    // The wake-up runs while the database is down: the job fails, and BullMQ keeps it (removeOnFail) under its id.
    const worker = new Worker('recovery', async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')), { connection, prefix, autorun: false });
    const failed = new Promise((resolve) => worker.on('failed', resolve));
    void worker.run();
    await failed;
    await worker.close();
    expect(await queue.getJobState(sendJobId(failing.key, failing.scheduledFor))).toBe('failed');

    const pending = message();
    await scheduler.schedule([pending]);
    const missing = message();

    const lost = await scheduler.withoutWakeUp([failing, pending, missing]);
    expect(lost.map((m) => m.id).sort()).toEqual([failing.id, missing.id].sort());
    await scheduler.schedule(lost);
    expect(await queue.getJobState(sendJobId(failing.key, failing.scheduledFor))).toBe('waiting');
    expect(await queue.getJobState(sendJobId(missing.key, missing.scheduledFor))).toBe('waiting');
  });
});

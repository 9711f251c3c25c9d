import type { PoolClient } from 'pg';

/**
 * Runs `work` every `intervalMs` in the background, never twice at once, and waits for the run in flight on
 * stop. For the folders that keep rollups current (reports, experiment outcomes): a tick that finds the previous
 * one still running is skipped, and a failed run is reported and retried at the next tick.
 */
export class BackgroundBatches {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private busy = false;

  constructor(
    private readonly work: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(intervalMs: number) {
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  async stop() {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running.catch(() => undefined);
  }

  private tick() {
    if (this.stopped || this.busy) return;
    this.busy = true;
    this.running = this.work()
      .catch(this.onError)
      .finally(() => {
        this.busy = false;
      });
  }
}

/**
 * Takes a deployment-wide advisory lock for the transaction `client` is in: waits for it, or (`wait: false`)
 * answers false at once when another holds it.
 */
export async function takeBatchLock(client: PoolClient, lock: number, wait: boolean): Promise<boolean> {
  if (wait) {
    await client.query('SELECT pg_advisory_xact_lock($1)', [lock]);
    return true;
  }
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [lock]);
  return rows[0].locked;
}

/** Load shapes for bench:checkout: a closed loop (fixed concurrency) and an open loop (fixed arrival rate). */

export interface LoadRun {
  /** Each call's latency, ms. */
  latencies: number[];
  /** Wall time of the whole run, s. */
  seconds: number;
  /** Calls that threw; the first error is kept to report. */
  errors: number;
  firstError?: unknown;
}

export interface OpenLoopRun extends LoadRun {
  /** The latest any call was actually sent after its scheduled time, ms: large values mean the client fell behind. */
  maxSendLagMs: number;
  /** Calls per second actually sent (equals the rate asked for when the client kept to the schedule). */
  sentPerSecond: number;
}

export const percentile = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/** Runs `total` calls of `call`, `concurrency` at a time, each worker sending its next as soon as the last answers. */
export async function closedLoop(total: number, concurrency: number, call: (i: number) => Promise<void>): Promise<LoadRun> {
  const run: LoadRun = { latencies: [], seconds: 0, errors: 0 };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t0 = performance.now();
        try {
          await call(i);
          run.latencies.push(performance.now() - t0);
        } catch (error) {
          run.errors++;
          run.firstError ??= error;
        }
      }
    }),
  );
  run.seconds = (performance.now() - started) / 1000;
  return run;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Sends call n at `start + n / rate` seconds whether or not earlier calls have answered (open loop: arrivals do not
 * wait for the system, as shoppers do not wait for each other).
 *
 * Each latency is measured from the call's SCHEDULED send time, not from when this process got around to sending
 * it. If the client (or its event loop, shared with the payment peer) falls behind, the delay is charged to the
 * request, as a shopper who clicked at that moment would feel it; measuring from the actual send would hide exactly
 * the queueing we want to see (coordinated omission).
 */
export async function openLoop(total: number, ratePerSecond: number, call: (i: number) => Promise<void>): Promise<OpenLoopRun> {
  const run: OpenLoopRun = { latencies: [], seconds: 0, errors: 0, maxSendLagMs: 0, sentPerSecond: 0 };
  let lastSend = 0;
  const intervalMs = 1000 / ratePerSecond;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let n = 0; n < total; ) {
    const now = performance.now();
    // Everything due by now is sent at once (a late timer must not thin out the arrivals).
    for (; n < total && started + n * intervalMs <= now; n++) {
      const scheduled = started + n * intervalMs;
      run.maxSendLagMs = Math.max(run.maxSendLagMs, now - scheduled);
      lastSend = now;
      const i = n;
      inFlight.push(
        call(i).then(
          () => void run.latencies.push(performance.now() - scheduled),
          (error) => {
            run.errors++;
            run.firstError ??= error;
          },
        ),
      );
    }
    if (n < total) await sleep(started + n * intervalMs - performance.now());
  }
  run.sentPerSecond = (total * 1000) / (lastSend - started + intervalMs);
  await Promise.all(inFlight);
  run.seconds = (performance.now() - started) / 1000;
  return run;
}

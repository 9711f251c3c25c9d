import { readFileSync } from 'node:fs';

/** Resident memory of a process, MiB, from VmRSS in /proc/<pid>/status (NaN once it has gone). */
export function residentMiB(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m);
    return line ? Number(line[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export interface MemoryReport {
  start_mib: number;
  end_mib: number;
  peak_mib: number;
  growth_pct: number;
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};

/**
 * Samples the RSS of named processes every `everyMs`. One sample lands wherever the garbage collector happens to
 * be, so `start` is the median of the samples in the `windowMs` after the warm-up ends and `end` the median of the
 * last `windowMs` before `finish`; `peak` is the largest sample after the warm-up.
 */
export function trackMemory(pids: Record<string, number>, { warmUpMs, windowMs = 30_000, everyMs = 2_000 }: { warmUpMs: number; windowMs?: number; everyMs?: number }) {
  const began = Date.now();
  const samples: Array<{ at: number; mib: Record<string, number> }> = [];
  const sample = () => {
    const at = Date.now() - began;
    if (at >= warmUpMs) samples.push({ at, mib: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, residentMiB(pid)])) });
  };
  const timer = setInterval(sample, everyMs);
  let report: Record<string, MemoryReport> | undefined;
  return {
    /** Stops sampling; idempotent, so a `finally` may call it again. */
    finish(): Record<string, MemoryReport> {
      if (report) return report;
      clearInterval(timer);
      sample();
      const ended = Date.now() - began;
      const round = (x: number) => Math.round(x * 10) / 10;
      report = Object.fromEntries(
        Object.keys(pids).map((name) => {
          const of = (list: typeof samples) => list.map((s) => s.mib[name]).filter((x) => Number.isFinite(x));
          const start = median(of(samples.filter((s) => s.at < warmUpMs + windowMs)));
          const end = median(of(samples.filter((s) => s.at >= ended - windowMs)));
          return [name, { start_mib: round(start), end_mib: round(end), peak_mib: round(Math.max(...of(samples))), growth_pct: round(((end - start) / start) * 100) }];
        }),
      );
      return report;
    },
  };
}

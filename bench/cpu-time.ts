import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by every process with this command name (e.g. all PostgreSQL backends). */
export function commandCpuSeconds(command: string): number {
  let total = 0;
  const pids = execFileSync('ps', ['-C', command, '-o', 'pid=']).toString().trim().split(/\s+/).filter(Boolean);
  for (const pid of pids) total += processCpuSeconds(Number(pid));
  return total;
}

/**
 * CPU seconds used so far by the PostgreSQL backends connected to one database, by pid: other databases'
 * backends (other test runs on the machine) are left out, and so are the server's shared background
 * processes (WAL writer, checkpointer, autovacuum launcher), which only the machine-wide figure counts.
 */
export async function databaseBackendsCpu(query: (sql: string, values: unknown[]) => Promise<{ rows: Array<{ pid: number }> }>, database: string): Promise<Map<number, number>> {
  const { rows } = await query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  return new Map(rows.map((r) => [r.pid, processCpuSeconds(r.pid)]));
}

/** CPU seconds the database's backends used between two `databaseBackendsCpu` snapshots (a backend that started in between counts from zero). */
export function backendsCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return total;
}

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

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/**
 * CPU seconds the whole machine has spent busy so far (every process, ours and everyone else's), from the first
 * line of /proc/stat: all time except idle and I/O wait. The cores are shared, so a run says how busy they were.
 */
export function machineBusyCpuSeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already counted in user/nice.
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
  void idle;
  void iowait;
  return (user + nice + system + irq + softirq + (steal ?? 0)) / TICKS_PER_SECOND;
}

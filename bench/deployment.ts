import { startServerProcess, type ServerProcess } from '../e2e/support/server-process';
import { processCpuSeconds } from './cpu-time';

/**
 * How a benchmark runs the product: `all` is one process with every role (the quick start); `split` is the
 * documented production layout, one process per role (`api`, `worker`, `scheduler`), so HTTP requests do not
 * queue on the event loop behind queue jobs.
 */
export type Topology = 'all' | 'split';

export function parseTopology(value: string | undefined): Topology {
  if (value === 'all' || value === 'split') return value;
  throw new Error(`--roles must be "all" or "split" (got ${JSON.stringify(value)})`);
}

export interface Deployment {
  /** The process serving HTTP. */
  url: string;
  processes: ServerProcess[];
  /** CPU seconds used so far by all of the deployment's processes. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export async function startDeployment(topology: Topology, env: Record<string, string>): Promise<Deployment> {
  const roles = topology === 'all' ? ['all'] : ['api', 'worker', 'scheduler'];
  const processes = await Promise.all(roles.map((role) => startServerProcess({ ...env, ROLE: role })));
  return {
    url: processes[0].url,
    processes,
    cpuSeconds: () => processes.reduce((sum, p) => sum + processCpuSeconds(p.child.pid!), 0),
    async stop() {
      for (const p of processes) p.child.kill('SIGTERM');
      await Promise.all(processes.map((p) => p.exited));
    },
  };
}

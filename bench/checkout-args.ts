import { parseArgs } from 'node:util';
import { parseTopology, type Topology } from './deployment';

export interface CheckoutBenchOptions {
  /** Completions per measured phase (open loop, bare pair at the same rate, closed loop). */
  completes: number;
  /** Open-loop arrival rate, completions (or bare pairs) per second. */
  rate: number;
  /** Customers in the closed loop, each sending its next complete as soon as the last answers. */
  concurrency: number;
  /** The Stripe peer's fixed latency per call, ms. */
  latency: number;
  roles: Topology;
}

/** A bad flag: the message names it, and the bench prints only the message. */
export class CheckoutBenchUsageError extends Error {}

const USAGE = 'usage: npm run bench:checkout [-- --rate 40 --completes 1000 --concurrency 50 --latency 50 --roles split|all]';

function positive(name: string, raw: string, { integer, allowZero = false, max }: { integer: boolean; allowZero?: boolean; max: number }): number {
  const value = raw.trim() === '' ? NaN : Number(raw);
  const ok = Number.isFinite(value) && (integer ? Number.isInteger(value) : true) && (allowZero ? value >= 0 : value > 0) && value <= max;
  if (!ok) {
    const kind = `${allowZero ? 'non-negative' : 'positive'} ${integer ? 'integer' : 'number'}`;
    throw new CheckoutBenchUsageError(`--${name} must be a ${kind} ≤ ${max} (got ${JSON.stringify(raw)})\n${USAGE}`);
  }
  return value;
}

/** Parses and validates the bench's flags; unknown flags and positionals are refused by name. */
export function parseCheckoutBenchArgs(args: string[]): CheckoutBenchOptions {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        completes: { type: 'string', default: '1000' },
        rate: { type: 'string', default: '40' },
        concurrency: { type: 'string', default: '50' },
        latency: { type: 'string', default: '50' },
        roles: { type: 'string', default: 'split' },
      },
    }));
  } catch (error) {
    throw new CheckoutBenchUsageError(`${(error as Error).message}\n${USAGE}`);
  }
  let roles: Topology;
  try {
    roles = parseTopology(values.roles);
  } catch (error) {
    throw new CheckoutBenchUsageError(`${(error as Error).message}\n${USAGE}`);
  }
  return {
    completes: positive('completes', values.completes!, { integer: true, max: 1_000_000 }),
    // Above a few hundred per second the two shared cores cannot keep the schedule, and the bench would measure
    // the load generator; 1000/s is a generous ceiling that still refuses typos such as 4000.
    rate: positive('rate', values.rate!, { integer: false, max: 1000 }),
    concurrency: positive('concurrency', values.concurrency!, { integer: true, max: 10_000 }),
    latency: positive('latency', values.latency!, { integer: true, allowZero: true, max: 60_000 }),
    roles,
  };
}

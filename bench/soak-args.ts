import { parseArgs } from 'node:util';

export interface SoakOptions {
  /** Length of the whole run, load included from the first second, minutes. */
  minutes: number;
  /** `POST /v1/events` batches per second. */
  ingestRate: number;
  /** New checkouts per batch (each: checkout_started + contact_entered with an email). */
  batchSize: number;
  /** Share of each batch's checkouts ordered in the next batch (the rest are abandoned and get reminders). */
  orderedShare: number;
  /** One-click completions per second (create + complete against the Stripe peer). */
  completeRate: number;
  /** Reads per second of EACH report (funnel, recovery, lift). */
  reportRate: number;
  /** CAMPAIGN_TIME_SCALE for the server: 0.001 puts the three reminders at about 4 s, 90 s and 3 min after abandonment. */
  timeScale: number;
}

/** A bad flag: the message names it, and the bench prints only the message (exit code 2). */
export class SoakUsageError extends Error {}

export const SOAK_USAGE =
  'usage: npm run bench:soak [-- --minutes 10 --ingest-rate 2 --batch-size 5 --ordered-share 0.3 --complete-rate 5 --report-rate 0.5 --time-scale 0.001]';

function numberFlag(name: string, raw: string, { integer, min, max }: { integer: boolean; min: number; max: number }): number {
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new SoakUsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (got ${JSON.stringify(raw)})\n${SOAK_USAGE}`);
  }
  return value;
}

/** Parses and validates the flags; unknown flags and positionals are refused by name. */
export function parseSoakArgs(args: string[]): SoakOptions {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        minutes: { type: 'string', default: '10' },
        'ingest-rate': { type: 'string', default: '2' },
        'batch-size': { type: 'string', default: '5' },
        'ordered-share': { type: 'string', default: '0.3' },
        'complete-rate': { type: 'string', default: '5' },
        'report-rate': { type: 'string', default: '0.5' },
        'time-scale': { type: 'string', default: '0.001' },
      },
    }));
  } catch (error) {
    throw new SoakUsageError(`${(error as Error).message}\n${SOAK_USAGE}`);
  }
  return {
    minutes: numberFlag('minutes', values.minutes!, { integer: true, min: 1, max: 120 }),
    // Ceilings well above what two shared cores sustain, to refuse typos rather than to promise the rate.
    ingestRate: numberFlag('ingest-rate', values['ingest-rate']!, { integer: false, min: 0.1, max: 200 }),
    batchSize: numberFlag('batch-size', values['batch-size']!, { integer: true, min: 1, max: 200 }),
    orderedShare: numberFlag('ordered-share', values['ordered-share']!, { integer: false, min: 0, max: 1 }),
    completeRate: numberFlag('complete-rate', values['complete-rate']!, { integer: false, min: 0.1, max: 200 }),
    reportRate: numberFlag('report-rate', values['report-rate']!, { integer: false, min: 0.01, max: 50 }),
    // The server accepts up to 1000; below 0.0001 the sweep (1 s) is coarser than the 30 min idle trigger.
    timeScale: numberFlag('time-scale', values['time-scale']!, { integer: false, min: 0.0001, max: 1 }),
  };
}

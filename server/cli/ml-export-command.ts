/**
 * `ml:export [--since DATE]`: production's settled, decided sequences — exactly what the nightly job would
 * train on now (`loadTrainingExamples`) — as JSON Lines of logged decisions on stdout, the format
 * `ml:train --examples` reads, so a merchant can audit or retrain offline.
 */
import { ExampleCollector, exampleLines, InputError } from '../../ml/examples-io';
import type { ExampleLine } from '../../ml/schema/examples';
import { loadConfig } from '../config/app-config';
import { createPool } from '../database/database';
import { migrateDatabase } from '../database/migrate';
import { loadTrainingExamples } from '../ml/training-examples';
import { CliUsageError } from './cli-support';

/** Lines per write: the output streams instead of becoming one string of hundreds of megabytes. */
const WRITE_CHUNK = 1000;

function sinceFlag(values: Record<string, unknown>): Date | null {
  const raw = values.since;
  if (raw === undefined) return null;
  const date = typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw.trim()) ? new Date(raw.trim()) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new CliUsageError('--since: must be a date such as 2026-03-01 or a date-time such as 2026-03-01T00:00:00Z');
  return date;
}

/** Whole sequences whose first decision is at or after `since` (a sequence is never cut in two). */
function sequencesSince(lines: ExampleLine[], since: Date | null): ExampleLine[] {
  if (!since) return lines;
  const first = new Map<string, number>();
  for (const l of lines) first.set(l.sequenceId, Math.min(first.get(l.sequenceId) ?? Infinity, Date.parse(l.decidedAt)));
  return lines.filter((l) => first.get(l.sequenceId)! >= since.getTime());
}

/** What ml:train would refuse is a bug here, not the merchant's: say so, and write nothing. */
function checkRoundTrip(lines: readonly ExampleLine[]): void {
  if (lines.length === 0) return;
  const collector = new ExampleCollector();
  lines.forEach((line, i) => collector.addValue(line, i + 1));
  try {
    collector.finish();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new Error(`the logged decisions do not fit the example format (nothing was written; please report this):\n${error.problems.join('\n')}`);
  }
}

export async function mlExport(values: Record<string, unknown>, write: (chunk: string) => Promise<void>, log: (line: string) => void, now = new Date()): Promise<number> {
  const since = sinceFlag(values);
  const config = loadConfig();
  await migrateDatabase(config.databaseUrl);
  const pool = createPool(config.databaseUrl, 1, {}, { preparedStatements: false });
  let lines: ExampleLine[];
  try {
    // The nightly job's own query and labels (its margin rate included), so the file is what it trains on.
    lines = exampleLines(await loadTrainingExamples(pool, now, { marginRate: config.ml.marginRate }));
  } finally {
    await pool.end();
  }
  lines = sequencesSince(lines, since);
  checkRoundTrip(lines);
  for (let i = 0; i < lines.length; i += WRITE_CHUNK) await write(lines.slice(i, i + WRITE_CHUNK).map((l) => `${JSON.stringify(l)}\n`).join(''));
  const sequences = new Set(lines.map((l) => l.sequenceId)).size;
  log(`Exported ${lines.length} decisions of ${sequences} settled sequences${since ? ` that began on or after ${since.toISOString()}` : ''}.`);
  return 0;
}

/**
 * `ml:decide --model DIR [--explore [--rate R] [--stop-rate S]]`: a model directory written by `ml:train --out`
 * deciding requests read as JSON Lines on stdin, one answer line per request, in order, streamed.
 *
 * Requests are scored a batch at a time (one `scoreMany` call per 1000), each step as the sequence's last: the
 * campaign is not known here, so there is no look-ahead (the engine looks ahead over the campaign's steps).
 * Exploring is the engine's `explore()`, its draw seeded by the request's id, so a rerun answers the same.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { numberedLines, parseLine } from '../../ml/examples-io';
import { sameAction } from '../../ml/features';
import { loadRecoveryModel, type RecoveryModel } from '../../ml/model';
import { type Economics, scoreMany } from '../../ml/plan-search';
import { createRandom } from '../../ml/random';
import { type DecideRequest, decideRequestSchema, type DecideResponse } from '../../ml/schema/examples';
import { explore, type ExplorationRates } from '../../ml/step-decision';
import { CliUsageError } from './cli-support';
import { ECONOMICS_FILE, readEconomics, readSerializedModel, requiredFlag } from './ml-files';

/** Requests per model call: large enough to amortise it, small enough to stream. */
export const DECIDE_BATCH = 1000;

const USAGE = 'ml:decide --model DIR [--explore [--rate 0.1] [--stop-rate 0.02]] < requests.jsonl';

function rateFlag(values: Record<string, unknown>, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const rate = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !(rate >= 0 && rate <= 1)) throw new CliUsageError(`--${name}: must be a number between 0 and 1 such as ${fallback}`);
  return rate;
}

/** The same id draws the same exploration, whatever else is in the input. */
function seedOf(id: DecideRequest['id']): number {
  return createHash('sha256').update(String(id)).digest().readUInt32LE(0);
}

/** The best candidate by expected margin (first on ties, as the engine), or what exploring takes instead. */
export function decideBatch(model: RecoveryModel, economics: Economics, requests: readonly DecideRequest[], rates: ExplorationRates | null): DecideResponse[] {
  const scored = scoreMany(
    model,
    requests.map((r) => ({ ctx: r.ctx, candidates: r.candidates })),
    economics,
  );
  return requests.map((request, i) => {
    const scores = scored[i];
    const best = scores.reduce((top, s) => (s.expectedMargin > top.expectedMargin ? s : top));
    const taken = rates ? explore(best.action, request.candidates, rates, createRandom(seedOf(request.id))) : { action: best.action, propensity: 1 };
    // Scores are in the order of the candidates; answer with the candidate itself (explore's stop is a fresh object).
    const k = request.candidates.findIndex((c) => sameAction(c, taken.action));
    return { id: request.id, action: request.candidates[k], propensity: taken.propensity, expectedMargin: scores[k].expectedMargin };
  });
}

function write(output: NodeJS.WritableStream, chunk: string): Promise<void> {
  return new Promise((resolve) => (output.write(chunk) ? resolve() : output.once('drain', resolve)));
}

export async function mlDecide(values: Record<string, unknown>, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<number> {
  const dir = requiredFlag(values, 'model', USAGE);
  const exploring = values.explore === true;
  if (!exploring && (values.rate !== undefined || values['stop-rate'] !== undefined)) throw new CliUsageError('--rate and --stop-rate go with --explore');
  const rates = exploring ? { rate: rateFlag(values, 'rate', 0.1), stopRate: rateFlag(values, 'stop-rate', 0.02) } : null;
  const serialized = readSerializedModel(dir, '--model');
  const economics = readEconomics(join(dir, ECONOMICS_FILE), '--model');
  let model: RecoveryModel;
  try {
    model = await loadRecoveryModel(serialized);
  } catch (error) {
    throw new CliUsageError(`--model: ${dir}: cannot load the model: ${(error as Error).message}`);
  }

  let batch: DecideRequest[] = [];
  let answered = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const answers = decideBatch(model, economics, batch, rates);
    await write(output, answers.map((a) => `${JSON.stringify(a)}\n`).join(''));
    answered += answers.length;
    batch = [];
  };
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const { line, text } of numberedLines(lines)) {
      const parsed = parseLine(decideRequestSchema, text, line);
      if (!parsed.ok) {
        // Answers stream a batch at a time: those already written stay, the bad line's batch is not written.
        throw new CliUsageError(`Invalid request on stdin (answers are written ${DECIDE_BATCH} at a time: ${answered} were, none after):\n${parsed.problems.join('\n')}`);
      }
      batch.push(parsed.value);
      if (batch.length >= DECIDE_BATCH) await flush();
    }
    await flush();
  } finally {
    lines.close();
    model.dispose();
  }
  return 0;
}

/**
 * `ml:eval --world FILE`: a simulated shop (world format v2, ml/README.md) in event time: train on its logged
 * history with the nightly job's code, then take the same fresh shoppers, with the same luck, through the
 * campaign under no messages, the seed schedule, the rules, the learned policy (exploiting and exploring) and a
 * segment-aware oracle. Prints the table, then `RESULT {json}` last. Needs no database.
 */
import { readFileSync } from 'node:fs';
import { parseWorld, WorldError } from '../../ml/simulator/world';
import { formatTable, runWorldEvaluation } from '../../ml/world-evaluation';
import { CliUsageError } from './cli-support';

export async function mlEval(values: Record<string, unknown>, out: (line: string) => void, err: (line: string) => void): Promise<void> {
  const file = values.world;
  if (typeof file !== 'string' || !file) throw new CliUsageError('ml:eval needs --world FILE (e.g. ml/worlds/default.json)');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliUsageError(`Cannot read world file ${file}: ${(error as Error).message}`);
  }
  let world;
  try {
    world = parseWorld(text);
  } catch (error) {
    if (error instanceof WorldError) throw new CliUsageError(`Invalid world file ${file}: ${error.message}`);
    throw error;
  }
  const started = Date.now();
  const { rows, result } = await runWorldEvaluation(world, { log: err });
  err(`ml:eval took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  out(formatTable(rows));
  out(`RESULT ${JSON.stringify(result)}`);
}

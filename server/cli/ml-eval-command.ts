/**
 * `ml:eval --world FILE`: train on a simulated shop's history with the nightly job's code and compare the
 * learned policy with the seed's fixed schedule and the rules on fresh checkouts. Needs no database.
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
  const { rows, result } = await runWorldEvaluation(world, { log: err });
  out(formatTable(rows));
  out(`RESULT ${JSON.stringify(result)}`);
}

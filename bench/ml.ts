/**
 * The recovery model's costs: training on 200 000 logged checkouts of the default simulated world (the
 * product's whole training path: feature encoding, inverse-propensity weights, the weighted fit) against a
 * bare `model.fit` of the same network on the same tensors in the same run; and how long one decision
 * takes in-process (`decideAction` with look-ahead over the campaign's remaining steps).
 *
 *   npm run bench:ml [-- --checkouts 200000 --epochs 10 --decisions 2000]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_DISCOUNT_RULES } from '../campaigns/discount-rules';
import { ensureTfBackend } from '../ml/backend';
import { decisionSpace, lookaheadFor } from '../ml/decision-space';
import { compileNetwork, prepareTraining, trainRecoveryModel } from '../ml/model';
import { decideAction } from '../ml/policy';
import { createRandom } from '../ml/random';
import { drawCheckouts } from '../ml/simulator/checkouts';
import { generateHistory } from '../ml/simulator/history';
import { parseWorld } from '../ml/simulator/world';
import { worldEconomics } from '../ml/world-evaluation';

const { values } = parseArgs({ options: { checkouts: { type: 'string', default: '200000' }, epochs: { type: 'string', default: '10' }, decisions: { type: 'string', default: '2000' } } });
const CHECKOUTS = Number(values.checkouts);
const EPOCHS = Number(values.epochs);
const DECISIONS = Number(values.decisions);

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

async function main() {
  const backend = await ensureTfBackend();
  const world = parseWorld(readFileSync(join(__dirname, '../ml/worlds/default.json'), 'utf8'));
  const history = generateHistory(world, { discountRules: DEFAULT_DISCOUNT_RULES, count: CHECKOUTS });
  console.log(`backend ${backend}; ${CHECKOUTS} logged checkouts, ${history.examples.length} decisions; ${EPOCHS} epochs`);

  const t0 = performance.now();
  const model = await trainRecoveryModel(history.examples, { epochs: EPOCHS, seed: 1 });
  const trainSeconds = (performance.now() - t0) / 1000;
  const ours = (CHECKOUTS * EPOCHS) / trainSeconds;
  console.log(`trainRecoveryModel: ${trainSeconds.toFixed(1)} s, ${ours.toFixed(0)} examples/s (encoding, weights and fit included)`);

  const data = prepareTraining(history.examples);
  const bare = compileNetwork([32, 16], 1);
  const t1 = performance.now();
  await bare.fit(data.x, data.label, { epochs: EPOCHS, batchSize: 512, shuffle: true, verbose: 0 });
  const bareSeconds = (performance.now() - t1) / 1000;
  const bareRate = (data.rows * EPOCHS) / bareSeconds;
  console.log(`bare model.fit: ${bareSeconds.toFixed(1)} s, ${bareRate.toFixed(0)} examples/s`);
  tf.dispose([data.x, data.label, data.weight]);
  bare.dispose();

  const space = decisionSpace({ levels: world.discount_levels, maxSteps: world.max_messages });
  const economics = worldEconomics(world);
  const random = createRandom(9);
  const checkouts = drawCheckouts(world, createRandom(99), DECISIONS, history.end, 7, 'b');
  const latencies: number[] = [];
  for (const checkout of checkouts) {
    const ctx = checkout.ctx;
    const start = performance.now();
    decideAction({ ctx, candidates: space.candidates(ctx), rulesAction: space.rulesAction(ctx), model, modelVersion: 'bench', economics, explorationRate: 0.1, random, lookahead: lookaheadFor(space, ctx) });
    latencies.push(performance.now() - start);
  }
  model.dispose();
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  console.log(`decision (first step, look-ahead over ${world.max_messages - 1} more): p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms over ${DECISIONS}`);
  console.log(
    `RESULT ${JSON.stringify({
      name: 'ml',
      metric: 'train_examples_per_s',
      value: Math.round(ours),
      baseline: 'bare_model_fit_examples_per_s',
      baseline_value: Math.round(bareRate),
      ratio: round(ours / bareRate),
      decision_p50_ms: round(p50),
      decision_p99_ms: round(p99),
      train_s_200k: round(trainSeconds, 1),
      checkouts: CHECKOUTS,
      epochs: EPOCHS,
      backend,
    })}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

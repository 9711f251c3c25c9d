/**
 * The recovery model's costs: training on 200 000 logged checkouts of the default simulated world (the
 * product's whole training path: feature encoding, inverse-propensity weights, the weighted fit) against a
 * bare `model.fit` of the same network on the same tensors in the same run; and how long the production
 * decision takes in-process: `decideStep` with a promoted model, looking ahead over the default campaign's
 * remaining steps, as `server/ml/recovery-policy.ts` calls it, for every step of each shopper's sequence.
 *
 *   npm run bench:ml [-- --checkouts 200000 --epochs 10 --decisions 2000]
 *
 * Targets: training ≥ 0.8× the bare fit's examples/s; decision p99 < 5 ms.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CAMPAIGN } from '../campaigns/default-campaign';
import { DEFAULT_DISCOUNT_RULES, type DiscountContext } from '../campaigns/discount-rules';
import { CHANNELS, type Recipient } from '../campaigns/types';
import { ensureTfBackend } from '../ml/backend';
import type { DecisionContext, SequenceMessage } from '../ml/features';
import { compileNetwork, loadRecoveryModel, prepareTraining, type RecoveryModel, trainRecoveryModel } from '../ml/model';
import type { Economics } from '../ml/plan-search';
import { createRandom, type Random } from '../ml/random';
import { drawCheckouts } from '../ml/simulator/checkouts';
import { generateHistory } from '../ml/simulator/history';
import { parseWorld } from '../ml/simulator/world';
import { decideStep } from '../ml/step-decision';
import { worldEconomics } from '../ml/world-evaluation';

const { values } = parseArgs({ options: { checkouts: { type: 'string', default: '200000' }, epochs: { type: 'string', default: '10' }, decisions: { type: 'string', default: '2000' } } });
const CHECKOUTS = Number(values.checkouts);
const EPOCHS = Number(values.epochs);
/** Shoppers walked through the campaign (each decides up to one step per campaign step). */
const SHOPPERS = Number(values.decisions);
/** Decisions run before timing starts: the first ones pay for JIT and the backend's kernels. */
const WARM_UP = 100;
const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 5;

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

/** The shopper behind a simulated context, as the planner loads them: reachable exactly where the context says. */
function recipientOf(ctx: DecisionContext): Recipient {
  const engaged = CHANNELS.filter((c) => ctx.engagement[c].opened > 0).sort((a, b) => ctx.engagement[b].opened - ctx.engagement[a].opened);
  return {
    timezone: 'UTC',
    email: ctx.reachable.email ? 'shopper@example.com' : null,
    phone: ctx.reachable.sms ? '+33612345678' : null,
    pushSubscriptions: ctx.reachable.push ? 1 : 0,
    consent: { email: ctx.reachable.email, sms: ctx.reachable.sms, push: ctx.reachable.push },
    requireEmailOptIn: false,
    lastEngagedChannel: engaged[0] ?? null,
  };
}

/** One shopper through the default campaign, step by step as the engine plans it; each decision's milliseconds. */
function walkCampaign(base: DecisionContext, model: RecoveryModel, economics: Economics, random: Random): { ms: number; step: number }[] {
  const steps = DEFAULT_CAMPAIGN.steps;
  const recipient = recipientOf(base);
  const timings: { ms: number; step: number }[] = [];
  let sent: SequenceMessage[] = [];
  for (let stepIndex = 0; stepIndex < steps.length; stepIndex++) {
    const ctx: DecisionContext = { ...base, stepIndex, hoursSinceAbandon: steps[stepIndex].delayMinutes / 60, messagesSent: sent };
    const discount: DiscountContext = {
      cartValue: ctx.cartValue,
      ordersCount: ctx.ordersCount,
      lifetimeValue: ctx.lifetimeValue,
      isNewCustomer: !ctx.isReturning,
      stage: ctx.stage,
      stepIndex,
      previousOffers: sent.filter((m) => m.discountPct > 0).map((m) => ({ type: 'percent' as const, percent: m.discountPct })),
    };
    const start = performance.now();
    const decision = decideStep({
      step: steps[stepIndex],
      recipient,
      afterUnansweredEmail: sent.at(-1)?.channel === 'email',
      discount,
      discountRules: DEFAULT_DISCOUNT_RULES,
      ctx,
      campaignSteps: steps,
      model: { model, version: 'bench' },
      economics,
      exploration: { rate: 0.1, stopRate: 0.02 },
      random,
    });
    timings.push({ ms: performance.now() - start, step: stepIndex });
    if (decision.action.channel === 'none') break;
    sent = [...sent, { channel: decision.action.channel, discountPct: decision.action.discountPct }];
  }
  return timings;
}

/**
 * A full collection between the phases: the training phase leaves hundreds of megabytes of examples behind, which a
 * deciding process (training runs in its own child process in production) never holds.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function main() {
  const backend = await ensureTfBackend();
  const world = parseWorld(readFileSync(join(__dirname, '../ml/worlds/default.json'), 'utf8'));
  let history: ReturnType<typeof generateHistory> | null = generateHistory(world, { discountRules: DEFAULT_DISCOUNT_RULES, count: CHECKOUTS });
  const end = history.end;
  console.log(`backend ${backend}; ${CHECKOUTS} logged checkouts, ${history.examples.length} decisions; ${EPOCHS} epochs`);

  const t0 = performance.now();
  const trained = await trainRecoveryModel(history.examples, { epochs: EPOCHS, seed: 1 });
  const trainSeconds = (performance.now() - t0) / 1000;
  const serialized = trained.serialize();
  trained.dispose();

  const data = prepareTraining(history.examples);
  // Both rates count the rows actually fitted (one per checkout with a logged decision).
  const ours = (data.rows * EPOCHS) / trainSeconds;
  console.log(`trainRecoveryModel: ${trainSeconds.toFixed(1)} s, ${ours.toFixed(0)} examples/s (encoding, weights and fit included)`);
  const bare = compileNetwork([32, 16], 1);
  const t1 = performance.now();
  await bare.fit(data.x, data.label, { epochs: EPOCHS, batchSize: 512, shuffle: true, verbose: 0 });
  const bareSeconds = (performance.now() - t1) / 1000;
  const bareRate = (data.rows * EPOCHS) / bareSeconds;
  console.log(`bare model.fit: ${bareSeconds.toFixed(1)} s, ${bareRate.toFixed(0)} examples/s`);
  tf.dispose([data.x, data.label, data.weight]);
  bare.dispose();
  history = null;
  collectGarbage();

  // As the engine holds a promoted model: loaded from its stored serialization.
  const model = await loadRecoveryModel(serialized);
  const economics = worldEconomics(world);
  const random = createRandom(9);
  const checkouts = drawCheckouts(world, createRandom(99), SHOPPERS + WARM_UP, end, 7, 'b');
  for (const checkout of checkouts.slice(0, WARM_UP)) walkCampaign(checkout.ctx, model, economics, random);
  const timings = checkouts.slice(WARM_UP).flatMap((checkout) => walkCampaign(checkout.ctx, model, economics, random));
  model.dispose();
  const all = timings.map((t) => t.ms);
  const first = timings.filter((t) => t.step === 0).map((t) => t.ms);
  const p50 = percentile(all, 50);
  const p99 = percentile(all, 99);
  const firstP99 = percentile(first, 99);
  console.log(
    `decision (decideStep, default campaign, look-ahead over the steps left): p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms over ${all.length} decisions of ${SHOPPERS} shoppers; first step p99 ${firstP99.toFixed(2)} ms`,
  );
  const ratio = ours / bareRate;
  const missed = [
    ...(ratio < TARGET_RATIO ? [`training ratio ${round(ratio)} < ${TARGET_RATIO}`] : []),
    ...(p99 >= TARGET_P99_MS ? [`decision p99 ${round(p99)} ms ≥ ${TARGET_P99_MS} ms`] : []),
  ];
  console.log(missed.length === 0 ? `targets met (training ≥ ${TARGET_RATIO}× bare fit, decision p99 < ${TARGET_P99_MS} ms)` : `TARGET MISSED: ${missed.join('; ')}`);
  console.log(
    `RESULT ${JSON.stringify({
      name: 'ml',
      metric: 'train_examples_per_s',
      value: Math.round(ours),
      baseline: 'bare_model_fit_examples_per_s',
      baseline_value: Math.round(bareRate),
      ratio: round(ratio),
      decision_p50_ms: round(p50),
      decision_p99_ms: round(p99),
      decision_first_step_p99_ms: round(firstP99),
      decisions: all.length,
      targets_met: missed.length === 0,
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

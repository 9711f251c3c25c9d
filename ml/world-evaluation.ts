/**
 * `ml:eval`: a simulated shop end to end. Log a history under a uniformly random policy, train and judge a
 * model exactly as the nightly job does (`trainAndEvaluate`), then run fresh checkouts — the same ones, with
 * the same luck — through five policies: no messages, the seed's fixed schedule, the rules, the learned
 * policy, and the learned policy exploring 10% of its decisions as it would in production; then through an
 * oracle that knows the hidden segments, as a yardstick.
 */
import { DEFAULT_DISCOUNT_RULES, type DiscountRule } from '../campaigns/discount-rules';
import { STOP } from './candidates';
import type { Action, DecisionContext } from './features';
import { decisionSpace, lookaheadFor } from './decision-space';
import { decideAction, DEFAULT_EXPLORATION_RATE } from './policy';
import type { RecoveryModel } from './model';
import { type Economics, scoreMany } from './plan-search';
import { createRandom } from './random';
import { drawCheckouts } from './simulator/checkouts';
import { fixedScheduleAction } from './simulator/fixed-schedule';
import { generateHistory, HISTORY_DAYS } from './simulator/history';
import { oracleChoice } from './simulator/oracle';
import { type BatchChooser, runSequences, type SequenceResult } from './simulator/sequence';
import type { World } from './simulator/world';
import { trainAndEvaluate } from './training';

export interface PolicyRow {
  policy: string;
  recoveryRate: number;
  recoveredRevenue: number;
  discountCost: number;
  marginPer1000: number;
  messagesPerCheckout: number;
}

export interface WorldEvaluation {
  rows: PolicyRow[];
  result: Record<string, unknown> & { name: string; metric: string; value: number; baseline: string; baseline_value: number; ratio: number };
}

export interface WorldEvaluationOptions {
  log?: (line: string) => void;
  discountRules?: DiscountRule[];
  epochs?: number;
}

/** What the merchant knows: the average margin rate of its orders, and what each message costs. */
export function worldEconomics(world: World): Economics {
  return { marginRate: world.segments.reduce((s, seg) => s + seg.share * seg.margin_rate, 0), messageCost: world.message_cost };
}

function summarise(policy: string, results: readonly SequenceResult[]): PolicyRow {
  const n = results.length;
  const sum = (f: (r: SequenceResult) => number) => results.reduce((s, r) => s + f(r), 0);
  return {
    policy,
    recoveryRate: sum((r) => (r.recovered ? 1 : 0)) / n,
    recoveredRevenue: sum((r) => r.revenue),
    discountCost: sum((r) => r.discountCost),
    marginPer1000: (sum((r) => r.margin) / n) * 1000,
    messagesPerCheckout: sum((r) => r.messages.length) / n,
  };
}

const single =
  (decide: (ctx: DecisionContext) => Action): BatchChooser =>
  (requests) =>
    requests.map((r) => ({ action: decide(r.ctx), propensity: 1 }));

function learnedChooser(model: RecoveryModel, world: World, economics: Economics, explorationRate: number, seed: number, discountRules: DiscountRule[]): BatchChooser {
  const space = decisionSpace({ discountRules, levels: world.discount_levels, maxSteps: world.max_messages });
  const random = createRandom(seed);
  return (requests) => {
    const scored = scoreMany(model, requests.map((r) => ({ ...r, lookahead: lookaheadFor(space, r.ctx) })), economics);
    return requests.map((r, i) =>
      decideAction({ ctx: r.ctx, candidates: r.candidates, rulesAction: space.rulesAction(r.ctx), model, modelVersion: 'eval', economics, explorationRate, random, scores: scored[i] }),
    );
  };
}

export function formatTable(rows: readonly PolicyRow[]): string {
  const header = ['policy', 'recovery rate', 'recovered revenue', 'discount cost', 'margin / 1000', 'messages'];
  const lines = rows.map((r) => [r.policy, `${(r.recoveryRate * 100).toFixed(2)}%`, r.recoveredRevenue.toFixed(0), r.discountCost.toFixed(0), r.marginPer1000.toFixed(0), r.messagesPerCheckout.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(header), ...lines.map(fmt)].join('\n');
}

export async function runWorldEvaluation(world: World, opts: WorldEvaluationOptions = {}): Promise<WorldEvaluation> {
  const log = opts.log ?? (() => {});
  const discountRules = opts.discountRules ?? DEFAULT_DISCOUNT_RULES;
  const economics = worldEconomics(world);
  const started = Date.now();
  const history = generateHistory(world, { discountRules });
  log(`history: ${world.history_checkouts} checkouts, ${history.examples.length} logged decisions`);
  let lastReported = -1;
  const training = await trainAndEvaluate(history.examples, {
    now: history.end,
    economics,
    space: decisionSpace({ discountRules, levels: world.discount_levels, maxSteps: world.max_messages }),
    epochs: opts.epochs,
    seed: world.seed,
    onProgress: (pct) => {
      if (pct >= lastReported + 25 || pct === 100) log(`training: ${(lastReported = pct)}%`);
    },
  });
  const trainSeconds = (Date.now() - started) / 1000;
  const { model, metrics } = training;
  log(`model: AUC ${metrics.auc.toFixed(3)}, log loss ${metrics.logLoss.toFixed(4)}; off-policy margin/1000 ${metrics.offPolicyMarginPer1000.toFixed(0)} vs rules ${metrics.rulesMarginPer1000.toFixed(0)}; promote: ${training.promote} (${training.reason})`);
  if (!model) throw new Error(`No model could be trained: ${training.reason}`);

  try {
    const checkouts = drawCheckouts(world, createRandom(world.seed + 1000), world.eval_checkouts, new Date(history.end.getTime() + HISTORY_DAYS * 86_400_000), HISTORY_DAYS, 'e');
    const drawsRandom = createRandom(world.seed + 1001);
    const draws = checkouts.map(() => drawsRandom());
    const run = (chooser: BatchChooser) => runSequences(world, checkouts, draws, chooser, { discountRules });
    const space = decisionSpace({ discountRules, levels: world.discount_levels, maxSteps: world.max_messages });
    const rows = [
      summarise('no_messages', run(single(() => STOP))),
      summarise('seed_fixed_schedule', run(single(fixedScheduleAction))),
      summarise('rules', run(single(space.rulesAction))),
      summarise('ml_policy', run(learnedChooser(model, world, economics, 0, world.seed + 2000, discountRules))),
      summarise('ml_policy_exploring', run(learnedChooser(model, world, economics, DEFAULT_EXPLORATION_RATE, world.seed + 2000, discountRules))),
      summarise('oracle_knows_segment', run((requests, truth) => requests.map((r, i) => oracleChoice(world, truth[i], r.ctx, r.candidates, space)))),
    ];
    const [none, fixed, rules, learned, exploring, oracle] = rows;
    const round = (n: number, d = 4) => Math.round(n * 10 ** d) / 10 ** d;
    return {
      rows,
      result: {
        name: 'ml_policy',
        metric: 'margin_per_1000',
        value: round(learned.marginPer1000, 1),
        baseline: 'seed_fixed_schedule',
        baseline_value: round(fixed.marginPer1000, 1),
        ratio: round(learned.marginPer1000 / fixed.marginPer1000),
        discount_cost_ratio: round(fixed.discountCost > 0 ? learned.discountCost / fixed.discountCost : 0),
        rules_margin_per_1000: round(rules.marginPer1000, 1),
        ratio_vs_rules: round(learned.marginPer1000 / rules.marginPer1000),
        exploring_margin_per_1000: round(exploring.marginPer1000, 1),
        exploring_ratio: round(exploring.marginPer1000 / fixed.marginPer1000),
        oracle_margin_per_1000: round(oracle.marginPer1000, 1),
        oracle_ratio: round(oracle.marginPer1000 / fixed.marginPer1000),
        share_of_oracle_gain_over_no_messages: round((learned.marginPer1000 - none.marginPer1000) / (oracle.marginPer1000 - none.marginPer1000)),
        recovery_rate: round(learned.recoveryRate),
        baseline_recovery_rate: round(fixed.recoveryRate),
        auc: round(metrics.auc),
        log_loss: round(metrics.logLoss),
        off_policy_margin_per_1000: round(metrics.offPolicyMarginPer1000, 1),
        off_policy_rules_margin_per_1000: round(metrics.rulesMarginPer1000, 1),
        promoted: training.promote,
        history_checkouts: world.history_checkouts,
        eval_checkouts: world.eval_checkouts,
        train_and_judge_s: round(trainSeconds, 1),
        total_s: round((Date.now() - started) / 1000, 1),
      },
    };
  } finally {
    model.dispose();
  }
}

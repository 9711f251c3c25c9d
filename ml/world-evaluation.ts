/**
 * `ml:eval`: a simulated shop end to end, in event time. Log a history under a uniformly random policy
 * (simulator/history.ts), train and judge a model exactly as the nightly job does (`trainAndEvaluate`), then
 * take the same fresh shoppers — with the same luck, draw for draw — through the campaign under each policy:
 * no messages (everyone held out), the seed schedule, the rules, the learned policy exploiting and exploring at
 * the production rates, and an oracle that knows the hidden segments, as a yardstick.
 */
import { DEFAULT_DISCOUNT_RULES, type DiscountRule } from '../campaigns/discount-rules';
import { decisionSpace } from './decision-space';
import { type Chooser, type ShopperOutcome, simulate } from './simulator/event-loop';
import { generateHistory } from './simulator/history';
import { oracleChooser } from './simulator/oracle';
import { modelChooser, PRODUCTION_EXPLORATION, rulesChooser, seedScheduleChooser } from './simulator/policies';
import { drawPopulation } from './simulator/shoppers';
import { type World, worldEconomics } from './simulator/world';
import { trainAndEvaluate } from './training';

export { worldEconomics } from './simulator/world';

const DAY_MS = 86_400_000;
/** Fresh shoppers abandon over this many days, starting a week after the history ends. */
const EVAL_DAYS = 30;

export interface PolicyRow {
  policy: string;
  recoveryRate: number;
  recoveredRevenue: number;
  discountCost: number;
  marginPer1000: number;
  messagesPerCheckout: number;
  unsubscribesPer1000: number;
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

function summarise(policy: string, outcomes: readonly ShopperOutcome[]): PolicyRow {
  const n = outcomes.length;
  const sum = (f: (o: ShopperOutcome) => number) => outcomes.reduce((s, o) => s + f(o), 0);
  return {
    policy,
    recoveryRate: sum((o) => (o.recovered ? 1 : 0)) / n,
    recoveredRevenue: sum((o) => o.revenue),
    discountCost: sum((o) => o.discountCost),
    marginPer1000: (sum((o) => o.margin) / n) * 1000,
    messagesPerCheckout: sum((o) => o.sent.length) / n,
    unsubscribesPer1000: (sum((o) => o.unsubscribes) / n) * 1000,
  };
}

export function formatTable(rows: readonly PolicyRow[]): string {
  const header = ['policy', 'recovery rate', 'recovered revenue', 'discount cost', 'margin / 1000', 'messages', 'unsubscribes / 1000'];
  const lines = rows.map((r) => [
    r.policy,
    `${(r.recoveryRate * 100).toFixed(2)}%`,
    r.recoveredRevenue.toFixed(0),
    r.discountCost.toFixed(0),
    r.marginPer1000.toFixed(0),
    r.messagesPerCheckout.toFixed(2),
    r.unsubscribesPer1000.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(header), ...lines.map(fmt)].join('\n');
}

export async function runWorldEvaluation(world: World, opts: WorldEvaluationOptions = {}): Promise<WorldEvaluation> {
  const log = opts.log ?? (() => {});
  const discountRules = opts.discountRules ?? DEFAULT_DISCOUNT_RULES;
  const economics = worldEconomics(world);
  const started = Date.now();
  const history = generateHistory(world, { discountRules, economics });
  const historySeconds = (Date.now() - started) / 1000;
  log(`history: ${world.history_checkouts} logged checkouts, ${history.examples.length} logged decisions (${historySeconds.toFixed(1)} s)`);
  let lastReported = -1;
  const training = await trainAndEvaluate(history.examples, {
    now: history.end,
    economics,
    space: decisionSpace({ discountRules, levels: world.discount_levels, steps: world.campaign.steps }),
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
    const shoppers = drawPopulation(world, { salt: 1, count: world.eval_checkouts, start: new Date(history.end.getTime() + 7 * DAY_MS), days: EVAL_DAYS, prefix: 'e' });
    const env = { world, discountRules, economics };
    const run = (policy: string, choose: Chooser, control?: () => boolean) => {
      const t0 = Date.now();
      const row = summarise(policy, simulate(env, shoppers, choose, { control }));
      log(`${policy}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return row;
    };
    const rows = [
      run('no_messages', rulesChooser, () => true),
      run('seed_fixed_schedule', seedScheduleChooser),
      run('rules', rulesChooser),
      run('ml_policy', modelChooser(model, 'eval', { rate: 0, stopRate: 0 })),
      run('ml_policy_exploring', modelChooser(model, 'eval', PRODUCTION_EXPLORATION)),
      run('oracle_knows_segment', oracleChooser(world, discountRules)),
    ];
    const [none, fixed, rules, learned, exploring, oracle] = rows;
    const round = (n: number, d = 4) => Math.round(n * 10 ** d) / 10 ** d;
    const ratioTo = (a: number, b: number) => round(b !== 0 ? a / b : Number.NaN);
    return {
      rows,
      result: {
        name: 'ml_policy',
        metric: 'margin_per_1000',
        value: round(learned.marginPer1000, 1),
        baseline: 'seed_fixed_schedule',
        baseline_value: round(fixed.marginPer1000, 1),
        ratio: ratioTo(learned.marginPer1000, fixed.marginPer1000),
        oracle_ratio: ratioTo(oracle.marginPer1000, fixed.marginPer1000),
        no_messages_margin_per_1000: round(none.marginPer1000, 1),
        discount_cost_ratio: round(fixed.discountCost > 0 ? learned.discountCost / fixed.discountCost : 0),
        share_of_oracle_gain_over_no_messages: ratioTo(learned.marginPer1000 - none.marginPer1000, oracle.marginPer1000 - none.marginPer1000),
        rules_margin_per_1000: round(rules.marginPer1000, 1),
        ratio_vs_rules: ratioTo(learned.marginPer1000, rules.marginPer1000),
        exploring_margin_per_1000: round(exploring.marginPer1000, 1),
        exploring_ratio: ratioTo(exploring.marginPer1000, fixed.marginPer1000),
        oracle_margin_per_1000: round(oracle.marginPer1000, 1),
        seed_gain_over_no_messages_per_1000: round(fixed.marginPer1000 - none.marginPer1000, 1),
        recovery_rate: round(learned.recoveryRate),
        baseline_recovery_rate: round(fixed.recoveryRate),
        no_messages_recovery_rate: round(none.recoveryRate),
        unsubscribes_per_1000: round(learned.unsubscribesPer1000, 2),
        baseline_unsubscribes_per_1000: round(fixed.unsubscribesPer1000, 2),
        auc: round(metrics.auc),
        log_loss: round(metrics.logLoss),
        off_policy_margin_per_1000: round(metrics.offPolicyMarginPer1000, 1),
        off_policy_rules_margin_per_1000: round(metrics.rulesMarginPer1000, 1),
        promoted: training.promote,
        history_checkouts: world.history_checkouts,
        history_decisions: history.examples.length,
        eval_checkouts: world.eval_checkouts,
        history_s: round(historySeconds, 1),
        train_and_judge_s: round(trainSeconds, 1),
        total_s: round((Date.now() - started) / 1000, 1),
      },
    };
  } finally {
    model.dispose();
  }
}

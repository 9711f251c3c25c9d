/**
 * The nightly job's whole decision, and `ml:eval`'s training: split the logged decisions by time, train
 * on the older part, measure on the newer part, and promote the new model only if its policy would have
 * earned more than the current one (or than the rules, when there is no current model). Too little data
 * never promotes.
 */
import { type CalibrationBin, auc, calibration, logLoss } from './metrics';
import { type RecoveryModel, terminalExamples, trainRecoveryModel, type TrainingExample } from './model';
import { trajectories } from './off-policy';
import { type Economics } from './plan-search';
import { modelPolicyValue, rulesPolicyValue } from './policy-value';
import { type DecisionSpace, decisionSpace } from './decision-space';

export interface ModelMetrics {
  auc: number;
  logLoss: number;
  calibration: CalibrationBin[];
  /** Doubly-robust estimate on the holdout of the new model's policy, margin per 1000 abandonments. */
  offPolicyMarginPer1000: number;
  rulesMarginPer1000: number;
  currentMarginPer1000?: number;
  /** Checkouts (sequences) trained and measured on. */
  trainExamples: number;
  holdoutExamples: number;
  trainPositives: number;
}

export interface TrainAndEvaluateOptions {
  now: Date;
  /** Newest share of checkouts kept out of training. @defaultValue 0.2 */
  holdoutFraction?: number;
  /** Fewest training checkouts to consider promoting. @defaultValue 1000 */
  minExamples?: number;
  /** Fewest recovered training checkouts to consider promoting. @defaultValue 50 */
  minPositives?: number;
  /** Fewest holdout checkouts to consider promoting. @defaultValue 200 */
  minHoldout?: number;
  economics: Economics;
  currentModel?: RecoveryModel | null;
  /** Allowed actions and the rules, for the off-policy estimates. @defaultValue the default campaign and discount rules */
  space?: DecisionSpace;
  epochs?: number;
  seed?: number;
  onProgress?: (pct: number) => void;
}

export interface TrainingOutcome {
  /** Null only when there was nothing to train on (no examples, or a single outcome). */
  model: RecoveryModel | null;
  metrics: ModelMetrics;
  promote: boolean;
  reason: string;
}

const MIN_AUC = 0.55;

function splitByTime(examples: readonly TrainingExample[], now: Date, holdoutFraction: number): { train: TrainingExample[][]; holdout: TrainingExample[][] } {
  const settled = (t: TrainingExample[]) => t.every((e) => e.decidedAt.getTime() <= now.getTime());
  const sequences = trajectories(examples).filter(settled);
  const startOf = (t: TrainingExample[]) => Math.min(...t.map((e) => e.decidedAt.getTime()));
  sequences.sort((a, b) => startOf(a) - startOf(b));
  const cut = Math.round(sequences.length * (1 - holdoutFraction));
  return { train: sequences.slice(0, cut), holdout: sequences.slice(cut) };
}

function emptyMetrics(train: number, holdout: number, positives: number): ModelMetrics {
  return { auc: Number.NaN, logLoss: Number.NaN, calibration: calibration([], []), offPolicyMarginPer1000: Number.NaN, rulesMarginPer1000: Number.NaN, trainExamples: train, holdoutExamples: holdout, trainPositives: positives };
}

function shortage(metrics: ModelMetrics, o: TrainAndEvaluateOptions): string | null {
  const minExamples = o.minExamples ?? 1000;
  const minPositives = o.minPositives ?? 50;
  const minHoldout = o.minHoldout ?? 200;
  if (metrics.trainExamples < minExamples) return `too little data: ${metrics.trainExamples} training checkouts, need ${minExamples}`;
  if (metrics.trainPositives < minPositives) return `too little data: ${metrics.trainPositives} recovered training checkouts, need ${minPositives}`;
  if (metrics.holdoutExamples < minHoldout) return `too little data: ${metrics.holdoutExamples} holdout checkouts, need ${minHoldout}`;
  return null;
}

const fmt = (n: number) => n.toFixed(0);

function promotion(metrics: ModelMetrics, o: TrainAndEvaluateOptions): { promote: boolean; reason: string } {
  const short = shortage(metrics, o);
  if (short) return { promote: false, reason: short };
  if (!(metrics.auc >= MIN_AUC)) return { promote: false, reason: `the model does not rank outcomes: holdout AUC ${metrics.auc.toFixed(3)} < ${MIN_AUC}` };
  const mine = metrics.offPolicyMarginPer1000;
  if (metrics.currentMarginPer1000 !== undefined) {
    const current = metrics.currentMarginPer1000;
    return mine > current
      ? { promote: true, reason: `beats the current model on the holdout: ${fmt(mine)} vs ${fmt(current)} margin per 1000 abandonments` }
      : { promote: false, reason: `does not beat the current model on the holdout: ${fmt(mine)} vs ${fmt(current)} margin per 1000 abandonments` };
  }
  return mine > metrics.rulesMarginPer1000
    ? { promote: true, reason: `no current model; beats the rules on the holdout: ${fmt(mine)} vs ${fmt(metrics.rulesMarginPer1000)} margin per 1000 abandonments` }
    : { promote: false, reason: `no current model and does not beat the rules on the holdout: ${fmt(mine)} vs ${fmt(metrics.rulesMarginPer1000)} margin per 1000 abandonments` };
}

export async function trainAndEvaluate(examples: TrainingExample[], o: TrainAndEvaluateOptions): Promise<TrainingOutcome> {
  const progress = (pct: number) => o.onProgress?.(Math.round(Math.min(100, Math.max(0, pct))));
  progress(0);
  const space = o.space ?? decisionSpace();
  const { train, holdout } = splitByTime(examples, o.now, o.holdoutFraction ?? 0.2);
  const trainTerminal = terminalExamples(train.flat());
  const positives = trainTerminal.filter((e) => e.recovered).length;
  const metrics = emptyMetrics(train.length, holdout.length, positives);
  if (positives === 0 || positives === trainTerminal.length) {
    progress(100);
    return { model: null, metrics, promote: false, reason: shortage(metrics, o) ?? 'nothing to learn: every training checkout had the same outcome' };
  }
  const model = await trainRecoveryModel(train.flat(), { epochs: o.epochs, seed: o.seed, onProgress: (pct) => progress(pct * 0.7) });
  if (holdout.length > 0) {
    const holdoutTerminal = terminalExamples(holdout.flat());
    const labels = holdoutTerminal.map((e) => e.recovered);
    const predictions = model.predict(holdoutTerminal);
    Object.assign(metrics, { auc: auc(predictions, labels), logLoss: logLoss(predictions, labels), calibration: calibration(predictions, labels) });
    progress(75);
    metrics.offPolicyMarginPer1000 = modelPolicyValue(model, holdout, space, o.economics);
    progress(85);
    metrics.rulesMarginPer1000 = rulesPolicyValue(model, holdout, space, o.economics);
    progress(90);
    if (o.currentModel) metrics.currentMarginPer1000 = modelPolicyValue(o.currentModel, holdout, space, o.economics);
  }
  progress(100);
  return { model, metrics, ...promotion(metrics, o) };
}

/**
 * The nightly job's whole decision, and `ml:eval`'s training: split the logged sequences by time, train on the
 * older part, measure on the newer part, and promote the new model only on evidence: its policy must earn more
 * than the current one (or than the rules, when there is no current model) by a margin a paired bootstrap of the
 * holdout sequences keeps above zero, without spending more than a set share of its margin on discounts. Too
 * little data never promotes.
 */
import { type BootstrapInterval, bootstrapInterval } from './bootstrap';
import { type CalibrationBin, auc, calibration, logLoss } from './metrics';
import { type RecoveryModel, terminalExamples, trainRecoveryModel, type TrainingExample } from './model';
import { trajectories, type WeightedTerms, weightedTerms, weightedValue } from './off-policy';
import { type Economics } from './plan-search';
import { modelPolicyDecisions, rulesPolicyDecisions } from './policy-value';
import { type DecisionSpace, decisionSpace } from './decision-space';

/** How sure promotion is that the new policy earns more: a bootstrap interval of its gain per 1000 abandonments. */
export interface PromotionInterval extends BootstrapInterval {
  /** What the gain is over: the promoted model's policy, or the rules when none is promoted. */
  against: 'current' | 'rules';
}

export interface ModelMetrics {
  auc: number;
  logLoss: number;
  calibration: CalibrationBin[];
  /** Weighted doubly-robust estimate on the holdout of the new model's policy, margin per 1000 abandonments. */
  offPolicyMarginPer1000: number;
  rulesMarginPer1000: number;
  currentMarginPer1000?: number;
  /**
   * Paired bootstrap (holdout sequences resampled with replacement) of the new policy's margin per 1000 minus the
   * current model's (or the rules'); null when there was no model or no holdout to measure.
   */
  promotionInterval: PromotionInterval | null;
  /** The same estimate of the new policy's discount cost per 1000 abandonments. */
  discountCostPer1000: number;
  /** `discountCostPer1000 / offPolicyMarginPer1000`; NaN (stored as null) when the margin is not positive. */
  discountShare: number;
  /** Checkouts (sequences) trained and measured on. */
  trainExamples: number;
  holdoutExamples: number;
  /** Holdout sequences with at least one decision drawn at random (propensity < 1, the holdout draw included). */
  holdoutDecidedSequences: number;
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
  /**
   * Fewest decided holdout sequences (with a decision drawn at random, propensity < 1) to consider promoting: a
   * holdout logged without randomness only tells the estimate what the model itself believes. @defaultValue 200
   */
  minHoldoutSequences?: number;
  /** Bootstrap resamples behind the promotion interval. @defaultValue 200 */
  bootstrapResamples?: number;
  /** Most of its own margin the new policy may spend on discounts (0–1). @defaultValue 0.5 */
  maxDiscountShare?: number;
  economics: Economics;
  currentModel?: RecoveryModel | null;
  /** Allowed actions and the rules, for the off-policy estimates. @defaultValue the default campaign and discount rules */
  space?: DecisionSpace;
  epochs?: number;
  /** Seeds the network, its shuffling and the bootstrap. @defaultValue 1 */
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

/** A sequence some decision of which was drawn at random: the holdout learns about choices from these. */
const decided = (sequence: readonly TrainingExample[]) => sequence.some((e) => e.propensity < 1 - 1e-9);

function emptyMetrics(train: number, holdout: TrainingExample[][], positives: number): ModelMetrics {
  return {
    auc: Number.NaN,
    logLoss: Number.NaN,
    calibration: calibration([], []),
    offPolicyMarginPer1000: Number.NaN,
    rulesMarginPer1000: Number.NaN,
    promotionInterval: null,
    discountCostPer1000: Number.NaN,
    discountShare: Number.NaN,
    trainExamples: train,
    holdoutExamples: holdout.length,
    holdoutDecidedSequences: holdout.filter(decided).length,
    trainPositives: positives,
  };
}

function shortage(metrics: ModelMetrics, o: TrainAndEvaluateOptions): string | null {
  const minExamples = o.minExamples ?? 1000;
  const minPositives = o.minPositives ?? 50;
  const minHoldout = o.minHoldout ?? 200;
  const minDecided = o.minHoldoutSequences ?? 200;
  if (metrics.trainExamples < minExamples) return `too little data: ${metrics.trainExamples} training checkouts, need ${minExamples}`;
  if (metrics.trainPositives < minPositives) return `too little data: ${metrics.trainPositives} recovered training checkouts, need ${minPositives}`;
  if (metrics.holdoutExamples < minHoldout) return `too little data: ${metrics.holdoutExamples} holdout checkouts, need ${minHoldout}`;
  if (metrics.holdoutDecidedSequences < minDecided) {
    return `too little data: ${metrics.holdoutDecidedSequences} decided holdout sequences (with a decision drawn at random), need ${minDecided}`;
  }
  return null;
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
/** "+412", "−120" (with a true minus sign). */
const signed = (n: number) => {
  if (!Number.isFinite(n)) return 'n/a';
  const r = Math.round(n);
  return r < 0 ? `−${-r}` : `+${r}`;
};
const percent = (share: number) => `${Math.round(share * 100)} %`;
const bootstrapText = (iv: PromotionInterval) => `(${percent(iv.level)} bootstrap: ${signed(iv.low)} to ${signed(iv.high)})`;

function promotion(metrics: ModelMetrics, o: TrainAndEvaluateOptions): { promote: boolean; reason: string } {
  const short = shortage(metrics, o);
  if (short) return { promote: false, reason: short };
  if (!(metrics.auc >= MIN_AUC)) return { promote: false, reason: `the model does not rank outcomes: holdout AUC ${metrics.auc.toFixed(3)} < ${MIN_AUC}` };
  const interval = metrics.promotionInterval;
  if (!interval) return { promote: false, reason: 'nothing to measure the model on: the holdout is empty' };
  const mine = metrics.offPolicyMarginPer1000;
  const base = interval.against === 'current' ? metrics.currentMarginPer1000! : metrics.rulesMarginPer1000;
  const gain = mine - base;
  const other = interval.against === 'current' ? 'the current model' : 'the rules';
  // The whole interval above zero: a gain the holdout's luck alone would rarely produce.
  if (!(interval.low > 0)) return { promote: false, reason: `the gain over ${other} is not clearly above zero: ${signed(gain)} per 1000 ${bootstrapText(interval)}` };
  const maxShare = o.maxDiscountShare ?? 0.5;
  const discount = metrics.discountCostPer1000;
  if (!(discount <= Math.max(0, maxShare * mine))) {
    const share = Number.isFinite(metrics.discountShare) ? `${percent(metrics.discountShare)} of its margin` : 'more than its margin';
    return {
      promote: false,
      reason: `its discounts would cost too much: ${fmt(discount)} per 1000 abandonments, ${share} (at most ${percent(maxShare)}), though it beats ${other} by ${signed(gain)} ${bootstrapText(interval)}`,
    };
  }
  const beats = `beats ${other} on the holdout: ${signed(gain)} margin per 1000 abandonments ${bootstrapText(interval)}`;
  return { promote: true, reason: interval.against === 'current' ? beats : `no current model; ${beats}` };
}

/** Weighted doubly-robust value × 1000 of terms, on a resample's counts or on the holdout as it is. */
const per1000 = (terms: WeightedTerms, counts?: ArrayLike<number>) => weightedValue(terms, counts) * 1000;

export async function trainAndEvaluate(examples: TrainingExample[], o: TrainAndEvaluateOptions): Promise<TrainingOutcome> {
  const progress = (pct: number) => o.onProgress?.(Math.round(Math.min(100, Math.max(0, pct))));
  progress(0);
  const space = o.space ?? decisionSpace();
  const { train, holdout } = splitByTime(examples, o.now, o.holdoutFraction ?? 0.2);
  const trainTerminal = terminalExamples(train.flat());
  const positives = trainTerminal.filter((e) => e.recovered).length;
  const metrics = emptyMetrics(train.length, holdout, positives);
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
    // Each policy is scored on the holdout once; the bootstrap only reweighs these numbers.
    const mine = modelPolicyDecisions(model, holdout, space, o.economics);
    const mineTerms = weightedTerms(mine, o.economics);
    metrics.offPolicyMarginPer1000 = per1000(mineTerms);
    metrics.discountCostPer1000 = per1000(weightedTerms(mine, o.economics, 'discount'));
    metrics.discountShare = metrics.offPolicyMarginPer1000 > 0 ? metrics.discountCostPer1000 / metrics.offPolicyMarginPer1000 : Number.NaN;
    progress(85);
    const rulesTerms = weightedTerms(rulesPolicyDecisions(model, holdout, space, o.economics), o.economics);
    metrics.rulesMarginPer1000 = per1000(rulesTerms);
    progress(90);
    let base = rulesTerms;
    if (o.currentModel) {
      base = weightedTerms(modelPolicyDecisions(o.currentModel, holdout, space, o.economics), o.economics);
      metrics.currentMarginPer1000 = per1000(base);
    }
    progress(95);
    // Paired: both policies on the same resampled sequences, so what they share cancels out of the difference.
    const interval = bootstrapInterval(holdout.length, (counts) => per1000(mineTerms, counts) - per1000(base, counts), { resamples: o.bootstrapResamples ?? 200, level: 0.95, seed: o.seed ?? 1 });
    metrics.promotionInterval = { ...interval, against: o.currentModel ? 'current' : 'rules' };
  }
  progress(100);
  return { model, metrics, ...promotion(metrics, o) };
}

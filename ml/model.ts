/**
 * The recovery model: P(checkout recovered | what we know at decision time, and the sequence ending with
 * the candidate action). A small wide-and-deep network (a logistic part on the normalised features plus
 * two hidden layers) trained with TF.js, weighted by inverse propensity so that actions the logging policy
 * favoured do not dominate what is learned about the others: the inverse of the probability it had of logging the
 * checkout's whole sequence (the product of its decisions' propensities, the holdout draw included).
 *
 * Each checkout contributes its terminal decision — the last one logged, after which nothing more was sent
 * — because that is where the features describe every message the customer received and the label is
 * the outcome of exactly that sequence. Earlier decisions of the checkout are the same sequence's prefixes
 * and would be labelled with messages they do not describe.
 */
import * as tf from '@tensorflow/tfjs';
import { ensureTfBackend } from './backend';
import { type Action, type DecisionContext, encodeFeatures, FEATURE_NAMES, FEATURE_SCHEMA_VERSION } from './features';
import { createRandom, type Random, shuffleInPlace } from './random';

export interface TrainingExample {
  ctx: DecisionContext;
  action: Action;
  /** Probability the logging policy gave to `action` (for a sequence's first decision, the holdout draw's too). */
  propensity: number;
  /** The checkout's final outcome. */
  recovered: boolean;
  /** Realised margin of a recovery before message costs (value × margin rate − discount); absent when not recovered or unknown. */
  margin?: number;
  /** Realised discount cost of a recovery; absent when not recovered or unknown (then: the largest percent offered × cart). */
  discountCost?: number;
  decidedAt: Date;
  checkoutId: string;
  /** The actions the policy could choose among (when logged); used by the off-policy estimate. */
  candidates?: Action[];
  /** What the rules alone would have done here, when logged (else the off-policy estimate replays the default campaign's). */
  rulesAction?: Action;
}

export interface SerializedModel {
  format: 'recovery-wide-deep';
  featureSchemaVersion: number;
  featureNames: string[];
  hidden: number[];
  normalisation: { mean: number[]; std: number[] };
  /** In the order of `getWeights()`: base64 little-endian float32. */
  weights: { shape: number[]; data: string }[];
}

export interface RecoveryModel {
  predict(rows: { ctx: DecisionContext; action: Action }[]): number[];
  /** Same as `predict`, on rows already encoded with `encodeFeatures`. */
  predictEncoded(features: number[][]): number[];
  serialize(): SerializedModel;
  dispose(): void;
}

export interface TrainOptions {
  /** @defaultValue 10 */
  epochs?: number;
  /** @defaultValue 1 */
  seed?: number;
  /** @defaultValue [32, 16] */
  hidden?: number[];
  /** Inverse-propensity weights are capped at this multiple of their mean. @defaultValue 10 */
  maxWeightRatio?: number;
  onProgress?: (pct: number) => void;
}

const BATCH_SIZE = 512;
const LEARNING_RATE = 0.005;
const L2 = 1e-4;

/** The last logged decision of every checkout: the one whose sequence is the whole sequence. */
export function terminalExamples(examples: readonly TrainingExample[]): TrainingExample[] {
  const last = new Map<string, TrainingExample>();
  for (const example of examples) {
    const seen = last.get(example.checkoutId);
    // Within one step (a waterfall's fallback channel) the later decision is the one that ended the sequence.
    const later = seen && (example.ctx.stepIndex > seen.ctx.stepIndex || (example.ctx.stepIndex === seen.ctx.stepIndex && example.decidedAt.getTime() >= seen.decidedAt.getTime()));
    if (!seen || later) last.set(example.checkoutId, example);
  }
  return [...last.values()];
}

/**
 * Per checkout, the probability the logging policy had of logging its whole sequence: the product of its decisions'
 * propensities. Weighting the last decision by the inverse of only its own propensity would treat a sequence whose
 * earlier steps were unlikely as if they had been certain.
 */
export function sequencePropensities(examples: readonly TrainingExample[]): Map<string, number> {
  const product = new Map<string, number>();
  for (const e of examples) product.set(e.checkoutId, (product.get(e.checkoutId) ?? 1) * e.propensity);
  return product;
}

/** 1/propensity, self-normalised to mean 1 and capped at `maxRatio`, renormalised after the cap. */
export function inversePropensityWeights(propensities: readonly number[], maxRatio: number): number[] {
  if (propensities.length === 0) return [];
  const raw = propensities.map((p) => 1 / Math.max(p, 1e-6));
  const mean = raw.reduce((s, w) => s + w, 0) / raw.length;
  const capped = raw.map((w) => Math.min(w / mean, maxRatio));
  const cappedMean = capped.reduce((s, w) => s + w, 0) / capped.length;
  return capped.map((w) => w / cappedMean);
}

function buildNetwork(inputs: number, hidden: number[], seed: number): tf.LayersModel {
  const input = tf.input({ shape: [inputs] });
  let deep: tf.SymbolicTensor = input;
  hidden.forEach((units, i) => {
    deep = tf.layers.dense({ units, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed + i }) }).apply(deep) as tf.SymbolicTensor;
  });
  const deepOut = tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 100 }) }).apply(deep) as tf.SymbolicTensor;
  const wideOut = tf.layers.dense({ units: 1, kernelInitializer: 'zeros' }).apply(input) as tf.SymbolicTensor;
  const logit = tf.layers.add().apply([deepOut, wideOut]) as tf.SymbolicTensor;
  const output = tf.layers.activation({ activation: 'sigmoid' }).apply(logit) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

function weightedLogLoss(label: tf.Tensor, weight: tf.Tensor, p: tf.Tensor): tf.Scalar {
  const q = p.clipByValue(1e-7, 1 - 1e-7);
  const loss = label.mul(q.log()).add(tf.scalar(1).sub(label).mul(tf.scalar(1).sub(q).log())).neg();
  return loss.mul(weight).mean() as tf.Scalar;
}

function l2Penalty(kernels: tf.Variable[]): tf.Scalar {
  return tf.addN(kernels.map((k) => k.square().sum())).mul(L2) as tf.Scalar;
}

function normalise(rows: number[][], mean: number[], std: number[]): Float32Array {
  const width = mean.length;
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, r) => {
    for (let j = 0; j < width; j++) out[r * width + j] = (row[j] - mean[j]) / std[j];
  });
  return out;
}

function columnStats(rows: number[][]): { mean: number[]; std: number[] } {
  const width = FEATURE_NAMES.length;
  const mean = new Array<number>(width).fill(0);
  const sq = new Array<number>(width).fill(0);
  for (const row of rows) for (let j = 0; j < width; j++) mean[j] += row[j];
  for (let j = 0; j < width; j++) mean[j] /= Math.max(rows.length, 1);
  for (const row of rows) for (let j = 0; j < width; j++) sq[j] += (row[j] - mean[j]) ** 2;
  const std = sq.map((s) => Math.sqrt(s / Math.max(rows.length, 1)) || 1);
  return { mean, std };
}

class TfRecoveryModel implements RecoveryModel {
  constructor(
    private readonly network: tf.LayersModel,
    private readonly hidden: number[],
    private readonly mean: number[],
    private readonly std: number[],
  ) {}

  predict(rows: { ctx: DecisionContext; action: Action }[]): number[] {
    return this.predictEncoded(rows.map((r) => encodeFeatures(r.ctx, r.action)));
  }

  predictEncoded(features: number[][]): number[] {
    if (features.length === 0) return [];
    return tf.tidy(() => {
      const x = tf.tensor2d(normalise(features, this.mean, this.std), [features.length, this.mean.length]);
      return Array.from((this.network.apply(x) as tf.Tensor).dataSync());
    });
  }

  serialize(): SerializedModel {
    return {
      format: 'recovery-wide-deep',
      featureSchemaVersion: FEATURE_SCHEMA_VERSION,
      featureNames: [...FEATURE_NAMES],
      hidden: [...this.hidden],
      normalisation: { mean: [...this.mean], std: [...this.std] },
      weights: this.network.getWeights().map((w) => ({ shape: w.shape, data: Buffer.from((w.dataSync() as Float32Array).buffer.slice(0)).toString('base64') })),
    };
  }

  dispose(): void {
    this.network.dispose();
  }
}

export interface PreparedTraining {
  x: tf.Tensor2D;
  /** Recovered (1) or not (0), one column. */
  label: tf.Tensor2D;
  weight: tf.Tensor2D;
  mean: number[];
  std: number[];
  rows: number;
}

/** Features, normalisation and weights as tensors (exposed so a benchmark can time the bare fit). */
export function prepareTraining(examples: readonly TrainingExample[], maxWeightRatio = 10): PreparedTraining {
  const terminal = terminalExamples(examples);
  if (terminal.length === 0) throw new Error('No training examples');
  const features = terminal.map((e) => encodeFeatures(e.ctx, e.action));
  const { mean, std } = columnStats(features);
  const sequences = sequencePropensities(examples);
  const weights = inversePropensityWeights(terminal.map((e) => sequences.get(e.checkoutId)!), maxWeightRatio);
  return {
    x: tf.tensor2d(normalise(features, mean, std), [terminal.length, FEATURE_NAMES.length]),
    label: tf.tensor2d(terminal.map((e) => (e.recovered ? 1 : 0)), [terminal.length, 1]),
    weight: tf.tensor2d(weights, [terminal.length, 1]),
    mean,
    std,
    rows: terminal.length,
  };
}

/** The untrained network, compiled for a plain `fit` (the benchmark's baseline). */
export function compileNetwork(hidden: number[], seed: number): tf.LayersModel {
  const network = buildNetwork(FEATURE_NAMES.length, hidden, seed);
  network.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'binaryCrossentropy' });
  return network;
}

/** Mini-batch Adam on the inverse-propensity-weighted log loss, reshuffled every epoch. */
async function fitWeighted(network: tf.LayersModel, data: PreparedTraining, epochs: number, random: Random, onEpoch: (epoch: number) => void): Promise<void> {
  const optimizer = tf.train.adam(LEARNING_RATE);
  const variables = network.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = variables.filter((v) => v.shape.length === 2);
  const order = Array.from({ length: data.rows }, (_, i) => i);
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffleInPlace(random, order);
      for (let start = 0; start < data.rows; start += BATCH_SIZE) {
        tf.tidy(() => {
          const idx = tf.tensor1d(order.slice(start, start + BATCH_SIZE), 'int32');
          const [x, label, weight] = [tf.gather(data.x, idx), tf.gather(data.label, idx), tf.gather(data.weight, idx)];
          optimizer.minimize(() => weightedLogLoss(label, weight, network.apply(x, { training: true }) as tf.Tensor).add(l2Penalty(kernels)) as tf.Scalar, false, variables);
        });
      }
      onEpoch(epoch);
      await tf.nextFrame();
    }
  } finally {
    optimizer.dispose();
  }
}

export async function trainRecoveryModel(examples: TrainingExample[], opts: TrainOptions = {}): Promise<RecoveryModel> {
  await ensureTfBackend();
  const epochs = opts.epochs ?? 10;
  const seed = opts.seed ?? 1;
  const hidden = opts.hidden ?? [32, 16];
  const data = prepareTraining(examples, opts.maxWeightRatio ?? 10);
  const network = buildNetwork(FEATURE_NAMES.length, hidden, seed);
  try {
    await fitWeighted(network, data, epochs, createRandom(seed), (epoch) => opts.onProgress?.(Math.round(((epoch + 1) / epochs) * 100)));
  } finally {
    tf.dispose([data.x, data.label, data.weight]);
  }
  return new TfRecoveryModel(network, hidden, data.mean, data.std);
}

function decodeWeights(data: string): Float32Array {
  const bytes = Buffer.from(data, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export async function loadRecoveryModel(s: SerializedModel): Promise<RecoveryModel> {
  await ensureTfBackend();
  if (s.format !== 'recovery-wide-deep') throw new Error(`Unknown model format "${s.format}"`);
  if (s.featureSchemaVersion !== FEATURE_SCHEMA_VERSION || s.featureNames.length !== FEATURE_NAMES.length) {
    throw new Error(`Model features are schema v${s.featureSchemaVersion}; this code encodes v${FEATURE_SCHEMA_VERSION}`);
  }
  const network = buildNetwork(FEATURE_NAMES.length, s.hidden, 1);
  const tensors = s.weights.map((w) => tf.tensor(decodeWeights(w.data), w.shape));
  network.setWeights(tensors);
  tf.dispose(tensors);
  return new TfRecoveryModel(network, s.hidden, s.normalisation.mean, s.normalisation.std);
}

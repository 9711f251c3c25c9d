/**
 * Training runs here, in a child process: fitting a model is seconds to minutes of solid computation (and a
 * WebAssembly heap of its own), and the process that asks for it also sends reminders and answers HTTP.
 * The child gets plain data and sends back progress and the serialized result, then exits.
 */
import type { DiscountRule } from '../../campaigns/discount-rules';
import { ensureTfBackend } from '../../ml/backend';
import { decisionSpace } from '../../ml/decision-space';
import { FEATURE_SCHEMA_VERSION } from '../../ml/features';
import { loadRecoveryModel, type RecoveryModel, type SerializedModel, type TrainingExample } from '../../ml/model';
import type { Economics } from '../../ml/plan-search';
import { trainAndEvaluate } from '../../ml/training';
import type { TrainingMessage } from './train-in-child-process';

export interface TrainingInput {
  examples: TrainingExample[];
  now: Date;
  minExamples: number;
  /** Most of its margin a promoted policy may spend on discounts (ML_MAX_DISCOUNT_SHARE). */
  maxDiscountShare: number;
  economics: Economics;
  current: SerializedModel | null;
  discountRules: DiscountRule[];
}

async function main(input: TrainingInput) {
  const post = (message: TrainingMessage) => process.send!(message);
  await ensureTfBackend();
  const current = await currentModel(input.current);
  const outcome = await trainAndEvaluate(input.examples, {
    now: input.now,
    minExamples: input.minExamples,
    maxDiscountShare: input.maxDiscountShare,
    economics: input.economics,
    currentModel: current,
    space: decisionSpace({ discountRules: input.discountRules }),
    onProgress: (pct) => post({ type: 'progress', pct }),
  });
  const reason =
    input.current && !current
      ? `the promoted model (feature schema v${input.current.featureSchemaVersion}) cannot score today's features, so against the rules: ${outcome.reason.replace(/^no current model; /, '')}`
      : outcome.reason;
  post({ type: 'done', model: outcome.model?.serialize() ?? null, metrics: outcome.metrics, promote: outcome.promote, reason });
}

/**
 * The promoted model to beat. One of another feature schema cannot score today's features (the engine's rules
 * decide meanwhile): the new model is judged against the rules, rather than every run failing until someone promotes.
 */
async function currentModel(serialized: SerializedModel | null): Promise<RecoveryModel | null> {
  if (!serialized) return null;
  if (serialized.featureSchemaVersion !== FEATURE_SCHEMA_VERSION) return null;
  return loadRecoveryModel(serialized);
}

process.once('message', (input: TrainingInput) => {
  main(input).then(
    () => process.disconnect(),
    (error: unknown) => {
      process.send!({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies TrainingMessage, () => process.exit(1));
    },
  );
});

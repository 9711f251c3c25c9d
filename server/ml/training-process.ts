/**
 * Training runs here, in a child process: fitting a model is seconds to minutes of solid computation (and a
 * WebAssembly heap of its own), and the process that asks for it also sends reminders and answers HTTP.
 * The child gets plain data and sends back progress and the serialized result, then exits.
 */
import type { DiscountRule } from '../../campaigns/discount-rules';
import { ensureTfBackend } from '../../ml/backend';
import { decisionSpace } from '../../ml/decision-space';
import { loadRecoveryModel, type SerializedModel, type TrainingExample } from '../../ml/model';
import type { Economics } from '../../ml/plan-search';
import { trainAndEvaluate } from '../../ml/training';
import type { TrainingMessage } from './train-in-child-process';

export interface TrainingInput {
  examples: TrainingExample[];
  now: Date;
  minExamples: number;
  economics: Economics;
  current: SerializedModel | null;
  discountRules: DiscountRule[];
}

async function main(input: TrainingInput) {
  const post = (message: TrainingMessage) => process.send!(message);
  await ensureTfBackend();
  const current = input.current ? await loadRecoveryModel(input.current) : null;
  const outcome = await trainAndEvaluate(input.examples, {
    now: input.now,
    minExamples: input.minExamples,
    economics: input.economics,
    currentModel: current,
    space: decisionSpace({ discountRules: input.discountRules }),
    onProgress: (pct) => post({ type: 'progress', pct }),
  });
  post({ type: 'done', model: outcome.model?.serialize() ?? null, metrics: outcome.metrics, promote: outcome.promote, reason: outcome.reason });
}

process.once('message', (input: TrainingInput) => {
  main(input).then(
    () => process.disconnect(),
    (error: unknown) => {
      process.send!({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies TrainingMessage, () => process.exit(1));
    },
  );
});

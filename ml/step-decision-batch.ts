/**
 * `decideStep` for many steps at once, with one model call per chunk instead of one per decision (the
 * simulator decides tens of thousands of steps per round). It is `decideStep` itself, not a copy: each
 * decision's plan rows are first collected (the same rows `decideStep` builds), predicted together with the
 * real model, and then `decideStep` runs with a model that hands back those predictions in order. So the
 * decision — action, propensity, scores, reason — is the one `decideStep` takes on the same input.
 */
import type { RecoveryModel } from './model';
import { scoreCandidates } from './plan-search';
import { campaignLookahead, decideStep, stepOptions, type StepDecision, type StepDecisionInput } from './step-decision';

/** Rows predicted per model call (and collected before deciding). */
const CHUNK_ROWS = 65_536;

function unusable(): never {
  throw new Error('a batch stand-in model only scores encoded rows');
}

/** The rows `decideStep` would ask its model to score for this input, or null when it asks none. */
function rowsOf(input: StepDecisionInput): number[][] | null {
  if (!input.model) return null;
  const { candidates } = stepOptions(input);
  if (candidates.length <= 1) return null;
  const rows: number[][] = [];
  const recorder: RecoveryModel = {
    predictEncoded: (batch) => {
      for (const row of batch) rows.push(row);
      return batch.map(() => 0);
    },
    predict: unusable,
    serialize: unusable,
    dispose: () => {},
  };
  scoreCandidates(recorder, input.ctx, candidates, input.economics, campaignLookahead(input));
  return rows;
}

/** A model answering the given predictions, in the order its rows are asked for. */
function served(predictions: readonly number[]): RecoveryModel {
  let next = 0;
  return {
    predictEncoded: (rows) => {
      const out = predictions.slice(next, next + rows.length);
      if (out.length !== rows.length) throw new Error(`batch decision asked for ${rows.length} rows, ${predictions.length - next} were predicted`);
      next += rows.length;
      return out;
    },
    predict: unusable,
    serialize: unusable,
    dispose: () => {},
  };
}

/** `inputs.map(decideStep)`, the models' predictions made in batches. */
export function decideSteps(inputs: readonly StepDecisionInput[]): StepDecision[] {
  const out: StepDecision[] = new Array(inputs.length);
  let start = 0;
  while (start < inputs.length) {
    const chunk: { index: number; rows: number[][] | null }[] = [];
    let collected = 0;
    let end = start;
    for (; end < inputs.length && collected < CHUNK_ROWS; end++) {
      const rows = rowsOf(inputs[end]);
      chunk.push({ index: end, rows });
      collected += rows?.length ?? 0;
    }
    // One call per model for the whole chunk (inputs may carry different models).
    const byModel = new Map<RecoveryModel, { index: number; rows: number[][] }[]>();
    for (const item of chunk) {
      if (!item.rows) continue;
      const model = inputs[item.index].model!.model;
      const list = byModel.get(model) ?? [];
      list.push({ index: item.index, rows: item.rows });
      byModel.set(model, list);
    }
    const predictions = new Map<number, number[]>();
    for (const [model, items] of byModel) {
      const all = model.predictEncoded(items.flatMap((item) => item.rows));
      let offset = 0;
      for (const item of items) {
        predictions.set(item.index, all.slice(offset, offset + item.rows.length));
        offset += item.rows.length;
      }
    }
    for (const { index } of chunk) {
      const input = inputs[index];
      const p = predictions.get(index);
      out[index] = p ? decideStep({ ...input, model: { model: served(p), version: input.model!.version } }) : decideStep(input);
    }
    start = end;
  }
  return out;
}

import { INestApplicationContext } from '@nestjs/common';
import { AuditLog } from '../admin/audit/audit-log.service';
import { DEFAULT_DISCOUNT_RULES } from '../../campaigns/discount-rules';
import type { ModelMetrics } from '../../ml/training';
import { loadConfig } from '../config/app-config';
import { trainInChildProcess } from '../ml/train-in-child-process';
import { TrainingRunner } from '../ml/training-runner';
import { TrainingRuns } from '../ml/training-runs.service';
import { CLI_IDENTITY } from './cli-audit';
import { Output } from './cli-support';
import { checkOutDir, ECONOMICS_FILE, MODEL_FILE, readEconomics, readExamplesFile, readSerializedModel, requiredFlag, VERDICT_FILE, writeDirAtomically } from './ml-files';

/**
 * `ml:train`: the nightly training job, run here and now (same code, same checks, same promotion rule),
 * printing its progress to stderr and its verdict to stdout.
 */
export async function trainNow(app: INestApplicationContext, out: Output, progress: (line: string) => void): Promise<number> {
  const run = await app.get(TrainingRuns).start('cli', 'cli');
  out(`Training run ${run.id}`);
  const result = await app.get(TrainingRunner).run(run.id, progressPrinter(progress));
  out(`Settled decisions learned from: ${result.examples}`);
  const metrics = result.metrics as { auc?: number; logLoss?: number; offPolicyMarginPer1000?: number; rulesMarginPer1000?: number } | null;
  if (metrics) {
    out(`Holdout: AUC ${fixed(metrics.auc)}, log loss ${fixed(metrics.logLoss)}`);
    out(`Margin per 1000 abandonments (off-policy estimate): model ${fixed(metrics.offPolicyMarginPer1000)}, rules ${fixed(metrics.rulesMarginPer1000)}`);
  }
  // A run may promote a new model, which changes what every decision is made with: on the record, like a promotion in the console.
  await app.get(AuditLog).record(CLI_IDENTITY, {
    action: 'train',
    resource: 'training_runs',
    resourceId: run.id,
    after: { examples: result.examples, promoted: result.promoted, modelVersionId: result.modelVersionId ?? null, verdict: result.verdict },
  });
  out(`${result.promoted ? 'Promoted' : 'Not promoted'}${result.modelVersionId ? ` (version ${result.modelVersionId})` : ''}: ${result.verdict}`);
  return 0;
}

const FILES_USAGE = 'ml:train --examples FILE.jsonl --economics FILE.json --out DIR [--current DIR]';

/**
 * `ml:train --examples FILE --economics FILE --out DIR`: the nightly job's training and verdict on logged
 * decisions from a file instead of the database — the same child process and `trainAndEvaluate` with the
 * server's promotion settings (ML_MIN_TRAINING_EXAMPLES, ML_MAX_DISCOUNT_SHARE) and the default discount rules —
 * written to DIR as model.json, economics.json and verdict.json. Everything is read and checked before training,
 * and DIR appears only once all three are written.
 */
export async function trainFromFiles(values: Record<string, unknown>, out: Output, progress: (line: string) => void): Promise<number> {
  const examplesFile = requiredFlag(values, 'examples', FILES_USAGE);
  const economicsFile = requiredFlag(values, 'economics', FILES_USAGE);
  const dir = requiredFlag(values, 'out', FILES_USAGE);
  checkOutDir(dir);
  const economics = readEconomics(economicsFile);
  const currentDir = typeof values.current === 'string' ? values.current : null;
  const current = currentDir ? readSerializedModel(currentDir, '--current') : null;
  const { ml } = loadConfig();
  const { examples, sequences } = await readExamplesFile(examplesFile);
  out(`Examples: ${sequences} sequences, ${examples.length} decisions (${examplesFile})`);

  const now = new Date();
  const outcome = await trainInChildProcess(
    { examples, now, minExamples: ml.minTrainingExamples, maxDiscountShare: ml.maxDiscountShare, economics, current, discountRules: DEFAULT_DISCOUNT_RULES },
    progressPrinter(progress, 'training'),
  );
  progress('  100%  done');
  const verdict = {
    version: 1,
    trainedAt: now.toISOString(),
    examples: { file: examplesFile, sequences, decisions: examples.length },
    promoted: outcome.promote,
    reason: outcome.reason,
    against: current ? `the current model (${currentDir}/${MODEL_FILE})` : 'the rules',
    settings: { minExamples: ml.minTrainingExamples, maxDiscountShare: ml.maxDiscountShare, discountRules: 'default' },
    model: outcome.model ? MODEL_FILE : null,
    // As trainAndEvaluate measured it (the promotion interval included); a figure it could not compute is null.
    metrics: outcome.metrics,
  };
  const files: Record<string, string> = { [ECONOMICS_FILE]: json(economics), [VERDICT_FILE]: json(verdict) };
  if (outcome.model) files[MODEL_FILE] = json(outcome.model);
  writeDirAtomically(dir, files);

  summarise(outcome.metrics, out);
  out(`Verdict: ${outcome.promote ? 'promote' : 'do not promote'}: ${outcome.reason}`);
  out(`Wrote ${dir}: ${Object.keys(files).sort().join(', ')}${outcome.model ? '' : ' (no model: nothing was trained)'}`);
  return 0;
}

function summarise(metrics: ModelMetrics, out: Output): void {
  if (!Number.isFinite(metrics.auc)) return;
  out(`Holdout: AUC ${fixed(metrics.auc)}, log loss ${fixed(metrics.logLoss)}`);
  const current = metrics.currentMarginPer1000 === undefined ? '' : `, current model ${fixed(metrics.currentMarginPer1000)}`;
  out(`Margin per 1000 abandonments (off-policy estimate): model ${fixed(metrics.offPolicyMarginPer1000)}, rules ${fixed(metrics.rulesMarginPer1000)}${current}`);
}

/** Progress on stderr every 10 %, as the nightly job reports it. */
function progressPrinter(progress: (line: string) => void, fixedStage?: string): (pct: number, stage?: string) => void {
  let shown = -1;
  return (pct, stage) => {
    const step = Math.floor(pct / 10) * 10;
    if (step > shown && !(fixedStage && pct >= 100)) {
      shown = step;
      progress(`  ${String(Math.round(pct)).padStart(3)}%  ${stage ?? fixedStage ?? ''}`);
    }
  };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const fixed = (n: number | undefined) => (typeof n === 'number' && Number.isFinite(n) ? n.toFixed(3) : 'n/a');

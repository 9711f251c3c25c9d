import { INestApplicationContext } from '@nestjs/common';
import { TrainingRunner } from '../ml/training-runner';
import { TrainingRuns } from '../ml/training-runs.service';
import { Output } from './cli-support';

/**
 * `ml:train`: the nightly training job, run here and now (same code, same checks, same promotion rule),
 * printing its progress to stderr and its verdict to stdout.
 */
export async function trainNow(app: INestApplicationContext, out: Output, progress: (line: string) => void): Promise<number> {
  const run = await app.get(TrainingRuns).start('cli', 'cli');
  out(`Training run ${run.id}`);
  let shown = -1;
  const result = await app.get(TrainingRunner).run(run.id, (pct, stage) => {
    const step = Math.floor(pct / 10) * 10;
    if (step > shown) {
      shown = step;
      progress(`  ${String(Math.round(pct)).padStart(3)}%  ${stage}`);
    }
  });
  out(`Settled decisions learned from: ${result.examples}`);
  const metrics = result.metrics as { auc?: number; logLoss?: number; offPolicyMarginPer1000?: number; rulesMarginPer1000?: number } | null;
  if (metrics) {
    out(`Holdout: AUC ${fixed(metrics.auc)}, log loss ${fixed(metrics.logLoss)}`);
    out(`Margin per 1000 abandonments (off-policy estimate): model ${fixed(metrics.offPolicyMarginPer1000)}, rules ${fixed(metrics.rulesMarginPer1000)}`);
  }
  out(`${result.promoted ? 'Promoted' : 'Not promoted'}${result.modelVersionId ? ` (version ${result.modelVersionId})` : ''}: ${result.verdict}`);
  return 0;
}

const fixed = (n: number | undefined) => (typeof n === 'number' && Number.isFinite(n) ? n.toFixed(3) : 'n/a');

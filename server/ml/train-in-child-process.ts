import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SerializedModel } from '../../ml/model';
import type { ModelMetrics } from '../../ml/training';
import type { TrainingInput } from './training-process';

export type TrainingMessage =
  | { type: 'progress'; pct: number }
  | { type: 'done'; model: SerializedModel | null; metrics: ModelMetrics; promote: boolean; reason: string }
  | { type: 'error'; message: string };

export type TrainingResult = Extract<TrainingMessage, { type: 'done' }>;

/** The compiled entry in dist/, or the TypeScript source (tests, `npm run dev`) through swc's loader. */
function entry(): { file: string; execArgv: string[] } {
  const compiled = join(__dirname, 'training-process.js');
  if (existsSync(compiled)) return { file: compiled, execArgv: [] };
  return { file: join(__dirname, 'training-process.ts'), execArgv: ['-r', '@swc-node/register'] };
}

/** Trains and evaluates in a child process, reporting progress; the child ends with the run. */
export function trainInChildProcess(input: TrainingInput, onProgress: (pct: number) => void): Promise<TrainingResult> {
  const { file, execArgv } = entry();
  return new Promise((resolve, reject) => {
    // "advanced" serialization carries Dates and large arrays as structured clones, not JSON.
    const child = fork(file, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      action();
      if (child.exitCode === null) child.kill();
    };
    child.on('message', (message: TrainingMessage) => {
      if (message.type === 'progress') onProgress(message.pct);
      else if (message.type === 'done') finish(() => resolve(message));
      else finish(() => reject(new Error(`training failed: ${message.message}`)));
    });
    child.on('error', (error) => finish(() => reject(error)));
    child.on('exit', (code, signal) => finish(() => reject(new Error(`the training process exited (${signal ?? `code ${code}`}) without a result`))));
    child.send(input);
  });
}

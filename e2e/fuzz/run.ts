import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { FuzzSettingsError, fuzzEnvFromFlags } from './fuzz-settings';

/**
 * `npm run fuzz -- --cases N [--seed S] [--route TEXT]`: the fuzz suite (e2e/fuzz.e2e-spec.ts) with more cases per
 * route than `npm test` runs, or another seed. A failure prints the seed, the path and the input to replay.
 */
function main(): number {
  let env: Record<string, string>;
  try {
    env = fuzzEnvFromFlags(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof FuzzSettingsError)) throw error;
    process.stderr.write(`fuzz: ${error.message}\n`);
    return 2;
  }
  const root = resolve(__dirname, '../..');
  const vitest = resolve(root, 'node_modules/vitest/vitest.mjs');
  const result = spawnSync(process.execPath, [vitest, 'run', 'e2e/fuzz.e2e-spec.ts'], { cwd: root, stdio: 'inherit', env: { ...process.env, FUZZ_REPORT: '1', ...env } });
  return result.status ?? 1;
}

process.exitCode = main();

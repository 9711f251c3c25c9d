import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DISCOUNT_RULES } from '../campaigns/discount-rules';
import { exampleLines } from '../ml/examples-io';
import { sameAction } from '../ml/features';
import { createRandom } from '../ml/random';
import { decideResponseSchema, type ExampleLine } from '../ml/schema/examples';
import { generateHistory } from '../ml/simulator/history';
import { parseWorld } from '../ml/simulator/world';
import { explore } from '../ml/step-decision';
import { loadConfig } from '../server/config/app-config';
import { createPool } from '../server/database/database';
import { seedSettledDecisions } from './support/seed-decisions';
import { createTestDatabase, TestDatabase } from './support/test-database';

const ROOT = join(__dirname, '..');
const ECONOMICS = { marginRate: 0.5, messageCost: { email: 0.002, push: 0.0005, sms: 0.0125 } };

/** The real CLI, spawned as `npm run cli` runs it, with stdin from `input`. */
function cli(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'server/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ML_MIN_TRAINING_EXAMPLES: '500', ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 150_000,
    maxBuffer: 512 * 1024 * 1024,
  });
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

const jsonl = (values: unknown[]) => values.map((v) => `${JSON.stringify(v)}\n`).join('');
const parseJsonl = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l));

/** The default simulated world's logged past, as ml:export would write it. */
function historyLines(count: number, seed: number): ExampleLine[] {
  const world = parseWorld({ ...JSON.parse(readFileSync(join(ROOT, 'ml/worlds/default.json'), 'utf8')), seed });
  return exampleLines(generateHistory(world, { discountRules: DEFAULT_DISCOUNT_RULES, count, end: new Date(Date.now() - 86_400_000) }).examples);
}

describe('npm run cli -- ml:train --examples, ml:decide (no database)', () => {
  let dir: string;
  let lines: ExampleLine[];
  let trained: ReturnType<typeof cli>;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const modelDir = () => join(dir, 'model');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ml-cli-'));
    lines = historyLines(3000, 21);
    file('economics.json', JSON.stringify(ECONOMICS));
    trained = cli(['ml:train', '--examples', file('examples.jsonl', jsonl(lines)), '--economics', join(dir, 'economics.json'), '--out', modelDir()]);
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains as the nightly job does and writes the model, the economics and the verdict', () => {
    expect(trained.stderr).toMatch(/ 100%  done/);
    expect(trained.status).toBe(0);
    const sequences = new Set(lines.map((l) => l.sequenceId)).size;
    expect(trained.stdout).toContain(`Examples: ${sequences} sequences, ${lines.length} decisions`);
    expect(trained.stdout).toMatch(/Holdout: AUC 0\.\d{3}, log loss \d\.\d{3}/);
    expect(trained.stdout).toMatch(/^Verdict: (promote|do not promote): .+/m);
    expect(readdirSync(modelDir()).sort()).toEqual(['economics.json', 'model.json', 'verdict.json']);
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
    expect(JSON.parse(readFileSync(join(modelDir(), 'economics.json'), 'utf8'))).toEqual(ECONOMICS);
    expect(JSON.parse(readFileSync(join(modelDir(), 'model.json'), 'utf8'))).toMatchObject({ format: 'recovery-wide-deep', featureSchemaVersion: expect.any(Number) });
    const verdict = JSON.parse(readFileSync(join(modelDir(), 'verdict.json'), 'utf8'));
    expect(verdict).toMatchObject({ promoted: expect.any(Boolean), reason: expect.any(String), against: 'the rules', model: 'model.json', examples: { sequences, decisions: lines.length } });
    expect(verdict.metrics).toMatchObject({ auc: expect.any(Number), offPolicyMarginPer1000: expect.any(Number), rulesMarginPer1000: expect.any(Number) });
    expect(verdict.metrics.trainExamples + verdict.metrics.holdoutExamples).toBe(sequences);
    // The promotion rule's own figures pass through as trainAndEvaluate gave them.
    expect(verdict.metrics).toHaveProperty('promotionInterval');
    expect(trained.stdout).toContain(verdict.reason);
  });

  it('refuses bad lines naming the line and the field, and writes nothing', () => {
    const bad = lines.slice(0, 8).map((l) => ({ ...l })) as Record<string, unknown>[];
    bad[6] = { ...bad[6], ctx: { ...(bad[6].ctx as object), cartValue: 'forty' } };
    bad[2] = { ...bad[2], colour: 'red' };
    const text = `${jsonl(bad.slice(0, 4))}\n${jsonl(bad.slice(4))}not json\n`;
    const out = join(dir, 'bad');
    const result = cli(['ml:train', '--examples', file('bad.jsonl', text), '--economics', join(dir, 'economics.json'), '--out', out]);
    expect(result.status).toBe(2);
    // The blank line counts: the bad context is the file's line 8.
    expect(result.stderr).toContain('line 3: colour: unknown field');
    expect(result.stderr).toContain('line 8: ctx.cartValue: must be a number');
    expect(result.stderr).toMatch(/line 10: not valid JSON/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('refuses an empty file and a sequence whose outcomes disagree, naming both lines', () => {
    const empty = cli(['ml:train', '--examples', file('empty.jsonl', ''), '--economics', join(dir, 'economics.json'), '--out', join(dir, 'empty')]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('no examples: the input is empty');
    expect(existsSync(join(dir, 'empty'))).toBe(false);

    const counts = new Map<string, number>();
    for (const l of lines) counts.set(l.sequenceId, (counts.get(l.sequenceId) ?? 0) + 1);
    const sequence = lines.filter((l) => l.sequenceId === [...counts].find(([, n]) => n >= 2)![0]);
    const k = sequence.length;
    const disagreeing = sequence.map((l, i) => (i === k - 1 ? { ...l, outcome: { recovered: !l.outcome!.recovered } } : l));
    const result = cli(['ml:train', '--examples', file('disagree.jsonl', jsonl(disagreeing)), '--economics', join(dir, 'economics.json'), '--out', join(dir, 'disagree')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`line ${k}: outcome: {"recovered":${!sequence[0].outcome!.recovered}} disagrees with line 1's`);
    expect(existsSync(join(dir, 'disagree'))).toBe(false);
  });

  it('names missing files, bad economics, unknown flags, flags of other commands and a used --out', () => {
    const examples = join(dir, 'examples.jsonl');
    const economics = join(dir, 'economics.json');
    const missing = cli(['ml:train', '--examples', join(dir, 'nope.jsonl'), '--economics', economics, '--out', join(dir, 'x')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`--examples: cannot read ${join(dir, 'nope.jsonl')}: no such file`);
    const badEconomics = cli(['ml:train', '--examples', examples, '--economics', file('eco.json', JSON.stringify({ marginRate: 0.5, messageCost: { email: 0.002, push: '1c' } })), '--out', join(dir, 'x')]);
    expect(badEconomics.status).toBe(2);
    expect(badEconomics.stderr).toContain('messageCost.push: must be a number');
    expect(badEconomics.stderr).toContain('messageCost.sms: is required');
    expect(cli(['ml:train', '--examples', examples, '--economics', economics]).stderr).toContain('--out is required');
    expect(cli(['ml:train', '--examples', examples, '--economics', economics, '--out', modelDir()]).stderr).toContain('already exists and is not an empty directory');
    const unknown = cli(['ml:decide', '--model', modelDir(), '--temperature', '2']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--temperature'/);
    const foreign = cli(['ml:decide', '--model', modelDir(), '--examples', examples]);
    expect(foreign.status).toBe(2);
    expect(foreign.stderr).toContain('ml:decide does not take --examples');
    expect(cli(['ml:decide', '--model', join(dir, 'nothing-here')]).stderr).toContain('has no model.json');
    expect(cli(['ml:decide', '--model', modelDir(), '--rate', '0.3']).stderr).toContain('--rate and --stop-rate go with --explore');
    expect(cli(['ml:decide', '--model', modelDir(), '--explore', '--rate', 'lots']).stderr).toContain('--rate: must be a number between 0 and 1');
    expect(cli(['ml:train', '--out', join(dir, 'y')]).stderr).toContain('go with --examples FILE');
  });

  /** 10 000 requests: the contexts and candidates of another logged past. */
  let memo: { id: string; ctx: ExampleLine['ctx']; candidates: NonNullable<ExampleLine['candidates']> }[] | null = null;
  const requests = () => {
    if (!memo) {
      const past = historyLines(6000, 33).filter((l) => l.candidates);
      memo = Array.from({ length: 10_000 }, (_, i) => ({ id: `r${i}`, ctx: past[i % past.length].ctx, candidates: past[i % past.length].candidates! }));
    }
    return memo;
  };

  it('decides 10 000 requests in under 10 s, in order, each answer one of the candidates it was given', () => {
    const asked = requests();
    const result = cli(['ml:decide', '--model', modelDir()], { input: jsonl(asked) });
    expect(result.stderr).not.toMatch(/line \d+:/);
    expect(result.status).toBe(0);
    console.log(`ml:decide: 10 000 requests in ${result.seconds.toFixed(2)} s (process start included)`);
    expect(result.seconds).toBeLessThan(10);
    const answers = parseJsonl(result.stdout);
    expect(answers.map((a) => a.id)).toEqual(asked.map((r) => r.id));
    answers.forEach((answer, i) => {
      expect(decideResponseSchema.safeParse(answer).success).toBe(true);
      expect(asked[i].candidates).toContainEqual(answer.action);
      expect(answer.propensity).toBe(1);
    });
    // A one-candidate request gets that candidate.
    const only = cli(['ml:decide', '--model', modelDir()], { input: jsonl([{ id: 1, ctx: asked[0].ctx, candidates: [{ channel: 'sms', discountPct: 15 }] }]) });
    expect(parseJsonl(only.stdout)).toEqual([{ id: 1, action: { channel: 'sms', discountPct: 15 }, propensity: 1, expectedMargin: expect.any(Number) }]);
  });

  it("explores with production's explore(), seeded per id: reproducible, its propensity recorded, still among the candidates", () => {
    const asked = requests().slice(0, 2000);
    const greedy = parseJsonl(cli(['ml:decide', '--model', modelDir()], { input: jsonl(asked) }).stdout);
    const explored = cli(['ml:decide', '--model', modelDir(), '--explore', '--rate', '0.3', '--stop-rate', '0.05'], { input: jsonl(asked) });
    expect(explored.status).toBe(0);
    const answers = parseJsonl(explored.stdout);
    expect(cli(['ml:decide', '--model', modelDir(), '--explore', '--rate', '0.3', '--stop-rate', '0.05'], { input: jsonl(asked) }).stdout).toBe(explored.stdout);
    const changed = answers.filter((a, i) => !sameAction(a.action, greedy[i].action));
    expect(changed.length).toBeGreaterThan(200);
    expect(changed.length).toBeLessThan(1000);
    answers.forEach((answer, i) => {
      expect(asked[i].candidates).toContainEqual(answer.action);
      // What the engine's explore() takes and records from the greedy choice, with the id's seed.
      const seed = createHash('sha256').update(asked[i].id).digest().readUInt32LE(0);
      const expected = explore(greedy[i].action, asked[i].candidates, { rate: 0.3, stopRate: 0.05 }, createRandom(seed));
      expect(sameAction(answer.action, expected.action)).toBe(true);
      expect(answer.propensity).toBeCloseTo(expected.propensity, 12);
    });
  });

  it('refuses a bad request naming the line and the field; nothing of its batch is written', () => {
    const asked = requests().slice(0, 5) as Record<string, unknown>[];
    asked[3] = { ...asked[3], ctx: { ...(asked[3].ctx as object), cartValue: 'forty' } };
    const result = cli(['ml:decide', '--model', modelDir()], { input: jsonl(asked) });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('line 4: ctx.cartValue: must be a number');
    expect(result.stdout).toBe('');
    const noCandidates = cli(['ml:decide', '--model', modelDir()], { input: jsonl([{ id: 'x', ctx: asked[0].ctx, candidates: [] }]) });
    expect(noCandidates.stderr).toContain('line 1: candidates: must have at least 1 item');
    // Empty input: nothing to answer.
    expect(cli(['ml:decide', '--model', modelDir()], { input: '' })).toMatchObject({ status: 0, stdout: '' });
  });
});

describe('npm run cli -- ml:export (PostgreSQL)', () => {
  let database: TestDatabase;
  let pool: Pool;
  let dir: string;
  const env = () => ({ DATABASE_URL: database.url, REDIS_PREFIX: 'test-ml-export' });

  beforeAll(async () => {
    database = await createTestDatabase('ml-export');
    pool = createPool(database.url, 2);
    dir = mkdtempSync(join(tmpdir(), 'ml-export-'));
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes nothing for a shop with no settled decisions', () => {
    const result = cli(['ml:export'], { env: env() });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Exported 0 decisions of 0 settled sequences');
  });

  it("exports production's settled sequences in the example format, which ml:train --examples accepts as is", { timeout: 240_000 }, async () => {
    const config = loadConfig({ ...process.env, DATABASE_URL: database.url });
    const seeded = await seedSettledDecisions(pool, { checkouts: 2500, end: new Date(Date.now() - 30 * 86_400_000), seed: 5, config });
    const exported = cli(['ml:export'], { env: env() });
    expect(exported.stderr).toMatch(/Exported \d+ decisions of \d+ settled sequences/);
    expect(exported.status).toBe(0);
    const lines = parseJsonl(exported.stdout) as ExampleLine[];
    expect(lines.length).toBe(seeded.decisions);
    expect(new Set(lines.map((l) => l.sequenceId)).size).toBe(seeded.settled);
    expect(lines.filter((l, i) => l.outcome!.recovered && lines[i - 1]?.sequenceId !== l.sequenceId).length).toBe(seeded.recovered);
    const file = join(dir, 'exported.jsonl');
    writeFileSync(file, exported.stdout);
    writeFileSync(join(dir, 'economics.json'), JSON.stringify(ECONOMICS));
    const trained = cli(['ml:train', '--examples', file, '--economics', join(dir, 'economics.json'), '--out', join(dir, 'model')]);
    expect(trained.stderr).not.toMatch(/Invalid input/);
    expect(trained.status).toBe(0);
    expect(trained.stdout).toContain(`Examples: ${seeded.settled} sequences, ${seeded.decisions} decisions`);
    expect(existsSync(join(dir, 'model', 'verdict.json'))).toBe(true);

    // --since keeps whole sequences that began at or after it.
    const middle = [...lines].sort((a, b) => a.decidedAt.localeCompare(b.decidedAt))[Math.floor(lines.length / 2)].decidedAt;
    const recent = parseJsonl(cli(['ml:export', '--since', middle], { env: env() }).stdout) as ExampleLine[];
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.length).toBeLessThan(lines.length);
    const firsts = new Map<string, string>();
    for (const l of lines) if (!firsts.has(l.sequenceId) || l.decidedAt < firsts.get(l.sequenceId)!) firsts.set(l.sequenceId, l.decidedAt);
    expect(new Set(recent.map((l) => l.sequenceId))).toEqual(new Set([...firsts].filter(([, first]) => Date.parse(first) >= Date.parse(middle)).map(([id]) => id)));
    expect(recent).toEqual(lines.filter((l) => Date.parse(firsts.get(l.sequenceId)!) >= Date.parse(middle)));
  });

  it('names a bad --since and a flag it does not take', () => {
    const bad = cli(['ml:export', '--since', 'last tuesday'], { env: env() });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--since: must be a date such as 2026-03-01');
    expect(cli(['ml:export', '--model', 'x'], { env: env() }).stderr).toContain('ml:export does not take --model');
  });
});

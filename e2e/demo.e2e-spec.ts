import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { startTestApp, TestApp } from './support/test-app';

const TOKEN = randomBytes(24).toString('hex');

describe('npm run cli -- demo', () => {
  let t: TestApp;
  // Asynchronous: the server under test lives in this process and must keep answering the CLI.
  const cli = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['-r', '@swc-node/register', 'server/cli/main.ts', 'demo', ...args],
        { cwd: join(__dirname, '..'), env: { ...process.env, DATABASE_URL: t.database.url, REDIS_PREFIX: t.config.redisPrefix }, timeout: 120_000 },
        (error, stdout, stderr) => resolve({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    t = await startTestApp('demo', { ADMIN_API_TOKEN: TOKEN, SWEEP_INTERVAL_S: '1' });
  });
  afterAll(async () => t?.close());

  it('seeds a store through the running server: a source, a second campaign, a rule, and weeks of checkouts', { timeout: 150_000 }, async () => {
    const result = await cli('--url', t.url, '--days', '14', '--checkouts', '300');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Accepted \d+ events/);
    const counts = (
      await t.pool.query(`SELECT (SELECT count(*)::int FROM checkouts) AS checkouts, (SELECT count(*)::int FROM orders) AS orders,
                                 (SELECT count(*)::int FROM campaigns WHERE name = 'High-value carts (demo)') AS campaigns,
                                 (SELECT count(*)::int FROM discount_rules WHERE id = 'demo-returning-free-shipping') AS rules,
                                 (SELECT min(first_activity_at) FROM checkouts) AS oldest`)
    ).rows[0];
    expect(counts).toMatchObject({ checkouts: 300, campaigns: 1, rules: 1 });
    expect(counts.orders).toBeGreaterThan(60);
    expect(counts.orders).toBeLessThan(240);
    expect(Date.now() - counts.oldest.getTime()).toBeGreaterThan(10 * 86_400_000);
    // The idle ones are abandoned by the sweep, as any real checkout would be.
    await eventually(async () => (await t.pool.query(`SELECT count(*)::int AS n FROM checkouts WHERE status = 'abandoned'`)).rows[0].n, (n) => n > 30, 30_000, 500);
    // And the funnel has the demo's numbers.
    const from = new Date(Date.now() - 15 * 86_400_000).toISOString().slice(0, 10);
    const funnel = await eventually(
      async () => (await (await fetch(`${t.url}/admin/api/reports/funnel?from=${from}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as any,
      (f) => f.steps?.[0]?.entered === 300 && f.pendingCheckouts === 0,
      30_000,
      500,
    );
    const completed = funnel.steps.find((s: { step: string }) => s.step === 'completed');
    expect(completed.converted).toBe(counts.orders);
  });

  it('names a bad flag and a server that is not there', async () => {
    const bad = await cli('--days', '0');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--days:');
    const away = await cli('--url', 'http://127.0.0.1:9');
    expect(away.status).toBe(2);
    expect(away.stderr).toContain('--url: nothing answers at http://127.0.0.1:9');
  });
});

describe('npm run demo', () => {
  const demo = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['-r', '@swc-node/register', 'server/demo/main.ts', ...args], { cwd: join(__dirname, '..'), timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });

  it('names a bad flag before starting anything, and prints its usage', { timeout: 90_000 }, async () => {
    const [bad, unknown, help] = await Promise.all([demo('--shoppers', '3'), demo('--minuts', '2'), demo('--help')]);
    expect(bad).toMatchObject({ status: 2, stdout: '' });
    expect(bad.stderr.trim()).toBe('--shoppers: must be a whole number between 4 and 2000');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--minuts'");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: npm run demo');
  });
});

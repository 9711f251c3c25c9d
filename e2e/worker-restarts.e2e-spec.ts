import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../server/database/database';
import { startSmtpPeer, SmtpPeer } from './peers/smtp-peer';
import { eventually } from './support/eventually';
import { daytimeZone } from './support/daytime-zone';
import { seedRecovery } from './support/seed-recovery';
import { freePort, ServerProcess, startServerProcess } from './support/server-process';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** Messages are rows; Redis only holds wake-ups. Losing a worker or Redis loses nothing and doubles nothing. */
describe('restarts', () => {
  let database: TestDatabase;
  let pool: Pool;
  let smtp: SmtpPeer;
  const servers: ServerProcess[] = [];

  const start = async (env: Record<string, string>) => {
    const server = await startServerProcess({
      DATABASE_URL: database.url,
      SMTP_URL: smtp.url,
      SWEEP_INTERVAL_S: '1',
      MIGRATE_ON_START: 'false',
      WORKER_CONCURRENCY: '10',
      ...env,
    });
    servers.push(server);
    return server;
  };
  const statuses = async (ids: string[]) =>
    Object.fromEntries((await pool.query('SELECT status, count(*)::int AS n FROM messages WHERE id = ANY($1) GROUP BY status', [ids])).rows.map((r) => [r.status, r.n]));
  const receivedPerKey = () => {
    const counts = new Map<string, number>();
    for (const mail of smtp.messages) counts.set(mail.messageId!, (counts.get(mail.messageId!) ?? 0) + 1);
    return counts;
  };

  beforeAll(async () => {
    database = await createTestDatabase('restarts');
    pool = createPool(database.url, 2);
    // Each hand-off takes a while, so a kill lands mid-batch.
    smtp = await startSmtpPeer({ beforeAccept: () => new Promise((r) => setTimeout(r, 15)) });
  });
  afterAll(async () => {
    for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await pool?.end();
    await smtp?.close();
    await database?.drop();
  });

  it('a worker killed mid-batch loses no unsent message and sends none twice', { timeout: 120_000 }, async () => {
    smtp.clear();
    const seeded = await seedRecovery(pool, { tag: 'killed', count: 150, firstDue: new Date(), spacingMs: 0, timezone: daytimeZone() });
    const ids = seeded.messages.map((m) => m.id);
    const prefix = `test-${randomBytes(4).toString('hex')}`;

    const first = await start({ REDIS_PREFIX: prefix });
    await eventually(async () => smtp.messages.length, (n) => n >= 40, 30_000, 10);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const atKill = await statuses(ids);
    expect(atKill.planned ?? 0).toBeGreaterThan(0);

    const t0 = Date.now();
    await start({ REDIS_PREFIX: prefix });
    await eventually(() => statuses(ids), (s) => !s.planned, 60_000, 100);
    // Jobs the dead worker held come back when their locks lapse (10 s) and the stall check runs.
    expect(Date.now() - t0).toBeLessThan(30_000);
    // Let the new worker finish what it has in hand; what is still `sending` then is what the kill cut off.
    await new Promise((r) => setTimeout(r, 2_000));
    const final = await statuses(ids);

    // Everything not yet handed over when the worker died went out afterwards; what it was handing over
    // stays `sending` (then `unknown`), never sent a second time.
    expect((final.sent ?? 0) + (final.sending ?? 0) + (final.unknown ?? 0)).toBe(ids.length);
    expect(final.sending ?? 0).toBeLessThanOrEqual(10);
    const counts = receivedPerKey();
    expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
    expect(counts.size).toBeGreaterThanOrEqual(final.sent ?? 0);
  });

  describe('with a Redis of its own', () => {
    let redis: ChildProcess | undefined;
    let port: number;
    const startRedis = async () => {
      redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      await eventually(async () => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim(), (out) => out === 'PONG', 10_000, 50);
    };
    beforeAll(async () => {
      port = await freePort();
      await startRedis();
    });
    afterAll(() => {
      redis?.kill('SIGKILL');
    });

    it('sends every due message after Redis restarted empty mid-schedule', { timeout: 120_000 }, async () => {
      smtp.clear();
      const seeded = await seedRecovery(pool, { tag: 'redis', count: 40, firstDue: new Date(Date.now() + 6_000), spacingMs: 0, timezone: daytimeZone() });
      const ids = seeded.messages.map((m) => m.id);
      await start({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PREFIX: 'restart' });
      // The reconciler has queued the wake-ups (due in a few seconds)...
      await eventually(
        async () => spawnSync('redis-cli', ['-p', String(port), '--scan', '--pattern', 'restart:bull:recovery:*'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).length,
        (n) => n > 0,
        10_000,
        100,
      );
      // ...then Redis dies and comes back with nothing.
      redis!.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 500));
      await startRedis();
      expect(spawnSync('redis-cli', ['-p', String(port), 'dbsize'], { encoding: 'utf8' }).stdout.trim()).not.toBe('40');

      const final = await eventually(() => statuses(ids), (s) => s.sent === ids.length, 60_000, 200);
      expect(final).toEqual({ sent: ids.length });
      expect(new Set(smtp.messages.map((m) => m.messageId)).size).toBe(ids.length);
      expect(smtp.messages.every((m) => m.receivedAt.getTime() >= Date.now() - 60_000)).toBe(true);
    });
  });
});

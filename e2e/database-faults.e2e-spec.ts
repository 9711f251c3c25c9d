import { randomBytes, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../server/database/database';
import { messageIdFor } from '../server/recovery/channels/email/email-sender';
import { generateWriteKey, hashWriteKey, writeKeyPrefix } from '../server/sources/write-key';
import { startSmtpPeer, SmtpPeer } from './peers/smtp-peer';
import { daytimeZone } from './support/daytime-zone';
import { eventually } from './support/eventually';
import { createPrivatePostgres, PrivatePostgres } from './support/private-postgres';
import { seedRecovery } from './support/seed-recovery';
import { ServerProcess, startServerProcess } from './support/server-process';
import { startTcpCutProxy, TcpCutProxy } from './support/tcp-cut-proxy';

/**
 * The database dies (kill -9 of the postmaster and its backends) or the connection to it is cut, while the
 * server ingests and sends; the server process itself is never restarted. Runs on a private cluster, so the
 * shared one on 5432 is never touched.
 */
describe('database faults', () => {
  let pg: PrivatePostgres;
  let pool: Pool;
  let smtp: SmtpPeer;
  let key: string;
  const servers: ServerProcess[] = [];

  const startServer = async (databaseUrl: string, migrate: boolean) => {
    const server = await startServerProcess({
      DATABASE_URL: databaseUrl,
      MIGRATE_ON_START: String(migrate),
      REDIS_PREFIX: `test-dbfaults-${randomBytes(4).toString('hex')}`,
      SMTP_URL: smtp.url,
      CAMPAIGN_TIME_SCALE: '0.001',
      SWEEP_INTERVAL_S: '1',
      WORKER_CONCURRENCY: '10',
      DATABASE_POOL_SIZE: '8',
    });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    pg = await createPrivatePostgres('faults');
    await pg.start();
    // Each hand-off takes a little while, so a kill lands while the worker holds messages in `sending`.
    smtp = await startSmtpPeer({ beforeAccept: () => new Promise((r) => setTimeout(r, 10)) });
    pool = createPool(pg.url(), 3);
  }, 60_000);
  afterAll(async () => {
    for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await pool?.end().catch(() => undefined);
    await smtp?.close();
    await pg?.destroy();
  });

  const health = async (url: string) => {
    try {
      return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) })).status;
    } catch {
      return 'refused';
    }
  };

  interface Batch {
    ids: string[];
    statuses: Array<number | string>;
    /** For each non-2xx answer: how many of the batch's events were stored right after it (when the DB was up). */
    storedAfterFailure: number[];
  }

  /**
   * Clients post batches and, like real ones, retry a failed batch with the same event_ids until it is answered
   * 2xx. `onFailure` may inspect the database right after a failed answer.
   */
  function ingest(url: string, options: { clients: number; batchesEach: number; size: number; tag: string; onFailure?: (batch: Batch) => Promise<void> }) {
    const batches: Batch[] = [];
    let acked = 0;
    const client = async (c: number) => {
      for (let n = 0; n < options.batchesEach; n++) {
        const events = Array.from({ length: options.size }, (_, i) => ({
          event_id: randomUUID(),
          type: i === 0 ? 'checkout_started' : 'checkout_updated',
          occurred_at: new Date().toISOString(),
          checkout_id: `${options.tag}-${c}-${n}-${i % 4}`,
          customer: { anonymous_id: `${options.tag}-anon-${c}-${n}` },
          cart: { items: [{ sku: 'A', quantity: 1 + i, unit_price: 9.5 }], currency: 'USD' },
        }));
        const batch: Batch = { ids: events.map((e) => e.event_id), statuses: [], storedAfterFailure: [] };
        batches.push(batch);
        const body = JSON.stringify({ events });
        for (let attempt = 0; ; attempt++) {
          let status: number | string;
          try {
            const response = await fetch(`${url}/v1/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
              body,
              signal: AbortSignal.timeout(15_000),
            });
            const text = await response.text();
            // A failure is recorded with the error code it named, e.g. `503 database_unavailable`.
            status = response.ok ? response.status : `${response.status} ${(JSON.parse(text) as { error?: string }).error}`;
          } catch (error) {
            status = (error as Error).name;
          }
          batch.statuses.push(status);
          if (typeof status === 'number' && status >= 200 && status < 300) break;
          await options.onFailure?.(batch);
          if (attempt > 200) throw new Error(`batch never accepted: ${batch.statuses.join(',')}`);
          await new Promise((r) => setTimeout(r, 50 + 20 * Math.min(attempt, 10)));
        }
        acked++;
      }
    };
    const done = Promise.all(Array.from({ length: options.clients }, (_, c) => client(c)));
    return { batches, acked: () => acked, done };
  }

  async function storedCounts(ids: string[]) {
    const { rows } = await pool.query<{ n: number; distinct_ids: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS distinct_ids FROM events WHERE event_id = ANY($1::text[])',
      [ids],
    );
    return rows[0];
  }

  function expectEveryAckedBatchStoredOnce(batches: Batch[], stored: { n: number; distinct_ids: number }) {
    const ids = batches.flatMap((b) => b.ids);
    expect(batches.every((b) => b.statuses.some((s) => typeof s === 'number' && s >= 200 && s < 300))).toBe(true);
    expect(stored).toEqual({ n: ids.length, distinct_ids: ids.length });
    // No 5xx that lies: a failure is a 503 that says the request may or may not have been stored (a COMMIT whose
    // answer was lost did store it), never a 500 "nothing stored" and never a 4xx.
    const failures = batches.flatMap((b) => b.statuses.filter((s) => typeof s !== 'number'));
    expect(failures.filter((s) => s !== '503 database_unavailable')).toEqual([]);
    const tally: Record<string, number> = {};
    for (const f of failures) tally[f] = (tally[f] ?? 0) + 1;
    const after = batches.flatMap((b) => b.storedAfterFailure.map((n) => (n === 0 ? 'none' : n === b.ids.length ? 'all' : 'partial')));
    console.info(`failures: ${JSON.stringify(tally)}; stored right after a failure: ${JSON.stringify(after.reduce<Record<string, number>>((t, k) => ((t[k] = (t[k] ?? 0) + 1), t), {}))}`);
    return failures;
  }

  /**
   * Once the worker has worked through `messages`: none handed to SMTP twice, every one `sent` (handed over once)
   * or caught in `sending` by the fault; those then become `unknown` (the documented rule) and are not resent.
   */
  async function expectSentOnceOrUnknown(messages: Array<{ id: string; key: string }>) {
    const ids = messages.map((m) => m.id);
    // The Message-ID carries the message key (encoded): it names what was handed over, however often.
    const localPart = (messageId: string) => messageId.slice(1, messageId.indexOf('@'));
    const keyOf = new Map(messages.map((m) => [localPart(messageIdFor(m.key, 'http://x')), m.key]));
    const statuses = async () =>
      Object.fromEntries((await pool.query('SELECT status, count(*)::int AS n FROM messages WHERE id = ANY($1) GROUP BY status', [ids])).rows.map((r) => [r.status, r.n]));
    await eventually(statuses, (s) => !s.planned, 30_000, 100);
    await new Promise((r) => setTimeout(r, 1_000)); // let sends in hand finish
    const final = await statuses();

    const received = new Map<string, number>();
    for (const mail of smtp.messages) {
      const messageKey = keyOf.get(localPart(mail.messageId!)) ?? `stranger ${mail.messageId}`;
      received.set(messageKey, (received.get(messageKey) ?? 0) + 1);
    }
    expect([...received.keys()].filter((k) => k.startsWith('stranger'))).toEqual([]);
    expect([...received.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect((final.sent ?? 0) + (final.sending ?? 0) + (final.unknown ?? 0)).toBe(ids.length);
    const sentKeys = (await pool.query<{ key: string }>(`SELECT key FROM messages WHERE id = ANY($1) AND status = 'sent'`, [ids])).rows.map((r) => r.key);
    expect(sentKeys.filter((k) => received.get(k) !== 1)).toEqual([]);
    const cutOff = (final.sending ?? 0) + (final.unknown ?? 0);
    // The rule for those caught in `sending`: five minutes on, the reconciler marks them `unknown` and nothing
    // resends them. Their five minutes are made to have passed by dating their last update back.
    await pool.query(`UPDATE messages SET updated_at = now() - interval '6 minutes' WHERE id = ANY($1) AND status = 'sending'`, [ids]);
    const settled = await eventually(statuses, (s) => !s.sending, 15_000, 100);
    expect(settled).toEqual({ sent: final.sent, ...(cutOff ? { unknown: cutOff } : {}) });
    const handedOver = smtp.messages.length;
    await new Promise((r) => setTimeout(r, 1_000)); // a sweep or two later, still nothing resent
    expect(smtp.messages.length).toBe(handedOver);
    return { sent: final.sent ?? 0, cutOff, handedOver: received.size };
  }

  describe('with the server connected straight to the database', () => {
    let server: ServerProcess;
    beforeAll(async () => {
      server = await startServer(pg.url(), true);
      key = generateWriteKey();
      await pool.query('INSERT INTO sources (name, write_key_hash, write_key_prefix) VALUES ($1, $2, $3)', ['faults', hashWriteKey(key), writeKeyPrefix(key)]);
    }, 60_000);
    afterAll(async () => {
      if (server?.child.exitCode === null) {
        server.child.kill('SIGTERM');
        await server.exited;
      } else if (server) console.error(`server died:\n${server.output().slice(-4000)}`);
    });

    it('kill -9 of the database during ingestion: every 2xx stored once, /health red then green, no server restart', { timeout: 60_000 }, async () => {
      const load = ingest(server.url, { clients: 6, batchesEach: 30, size: 20, tag: 'kill' });
      await eventually(async () => load.acked(), (n) => n >= 40, 20_000, 10);
      const ackedBeforeKill = load.acked();
      await pg.kill9();
      const downAt = Date.now();
      const red = await eventually(() => health(server.url), (s) => s === 503, 10_000, 50);
      const ackedWhileDown = load.acked();
      await new Promise((r) => setTimeout(r, 1_000));
      // Nothing can have been acknowledged while no database was there to commit it.
      expect(load.acked()).toBe(ackedWhileDown);
      await pg.start();
      const downForMs = Date.now() - downAt;
      await eventually(() => health(server.url), (s) => s === 200, 15_000, 50);
      await load.done;

      expect(red).toBe(503);
      expect(ackedBeforeKill).toBeLessThan(180);
      const failures = expectEveryAckedBatchStoredOnce(load.batches, await storedCounts(load.batches.flatMap((b) => b.ids)));
      expect(failures.length).toBeGreaterThan(0); // the kill landed under load
      expect(server.child.exitCode).toBeNull();
      expect(downForMs).toBeGreaterThan(1_000);
    });

    it('kill -9 of the database during a sending batch: nothing handed to SMTP twice, nothing lost', { timeout: 60_000 }, async () => {
      smtp.clear();
      // Due 11 s ago: overdue at once, so the reconciler queues their wake-ups on its first pass.
      const seeded = await seedRecovery(pool, { tag: 'send', count: 150, firstDue: new Date(Date.now() - 11_000), spacingMs: 0, timezone: daytimeZone() });
      await eventually(async () => smtp.messages.length, (n) => n >= 30, 30_000, 10);
      await pg.kill9();
      expect(smtp.messages.length).toBeLessThan(150);
      await eventually(() => health(server.url), (s) => s === 503, 10_000, 50);
      await new Promise((r) => setTimeout(r, 500));
      await pg.start();
      await eventually(() => health(server.url), (s) => s === 200, 15_000, 50);

      const { sent, cutOff, handedOver } = await expectSentOnceOrUnknown(seeded.messages);
      expect(cutOff).toBeLessThanOrEqual(10); // at most what the worker held at the kill
      console.info(`sending batch: ${sent} sent, ${cutOff} caught in sending by the kill, ${handedOver} handed to SMTP`);
      expect(server.child.exitCode).toBeNull();
    });
  });

  describe('with the connection to the database cut mid-transaction', () => {
    let proxy: TcpCutProxy;
    let server: ServerProcess;
    beforeAll(async () => {
      proxy = await startTcpCutProxy(pg.port);
      server = await startServer(`postgres://postgres@127.0.0.1:${proxy.port}/postgres`, false);
    }, 60_000);
    afterAll(async () => {
      if (server?.child.exitCode === null) {
        server.child.kill('SIGTERM');
        await server.exited;
      }
      await proxy?.close();
    });

    it('cut connections: a failure stores nothing or all (a lost commit answer), retries land once, sends go once, health recovers', { timeout: 60_000 }, async () => {
      smtp.clear();
      const seeded = await seedRecovery(pool, { tag: 'cut', count: 100, firstDue: new Date(Date.now() - 11_000), spacingMs: 0, timezone: daytimeZone() });
      const partial: number[] = [];
      const load = ingest(server.url, {
        clients: 6,
        batchesEach: 30,
        size: 20,
        tag: 'cut',
        onFailure: async (batch) => {
          const { n } = await storedCounts(batch.ids);
          batch.storedAfterFailure.push(n);
          if (n !== 0 && n !== batch.ids.length) partial.push(n);
        },
      });
      const cuts: number[] = [];
      for (let i = 0; i < 3; i++) {
        await eventually(async () => load.acked(), (n) => n >= 30 * (i + 1), 20_000, 5);
        cuts.push(proxy.cut());
      }
      await load.done;
      expect(await eventually(() => health(server.url), (s) => s === 200, 10_000, 50)).toBe(200);
      const sending = await expectSentOnceOrUnknown(seeded.messages);
      console.info(`sending under cuts: ${sending.sent} sent, ${sending.cutOff} caught in sending, ${sending.handedOver} handed to SMTP`);

      expect(cuts.every((n) => n > 0)).toBe(true);
      expect(partial).toEqual([]);
      const failures = expectEveryAckedBatchStoredOnce(load.batches, await storedCounts(load.batches.flatMap((b) => b.ids)));
      expect(failures.length).toBeGreaterThan(0);
      expect(server.child.exitCode).toBeNull();
    });
  });
});

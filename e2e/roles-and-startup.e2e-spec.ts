import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ServerProcess, startServerProcess } from './support/server-process';
import { createTestDatabase, TestDatabase } from './support/test-database';

const ROOT = join(__dirname, '..');

describe('start-up and roles', () => {
  let database: TestDatabase;
  const running: ServerProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const server = await startServerProcess({ DATABASE_URL: database.url, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}`, ...env });
    running.push(server);
    return server;
  };

  beforeAll(async () => {
    database = await createTestDatabase('roles');
  });
  afterAll(async () => {
    for (const server of running) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await database?.drop();
  });

  it('refuses to start on a malformed variable and names it', () => {
    const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'server/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: 'eighty', ROLE: 'everything', DATABASE_URL: database.url },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid configuration');
    expect(result.stderr).toContain('PORT: must be a whole number between 0 and 65535 (got "eighty")');
    expect(result.stderr).toContain('ROLE: must be one of all, api, worker, scheduler (got "everything")');
  });

  it('a worker serves health and metrics but no ingestion routes', async () => {
    const worker = await start({ ROLE: 'worker' });
    expect((await fetch(`${worker.url}/health`)).status).toBe(200);
    expect((await fetch(`${worker.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${worker.url}/v1/events`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(404);
    expect((await fetch(`${worker.url}/tracker.js`)).status).toBe(404);
  });

  it('an api process serves the ingestion routes', async () => {
    const api = await start({ ROLE: 'api' });
    expect((await fetch(`${api.url}/v1/events`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
  });

  describe('against a Redis that may evict keys', () => {
    let redis: ChildProcess;
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'], { stdio: 'ignore' });
      for (let i = 0; i < 50; i++) {
        if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG') break;
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    afterAll(() => {
      redis?.kill('SIGTERM');
    });

    it('warns at start-up that queued reminders could be lost', async () => {
      const server = await start({ REDIS_URL: `redis://127.0.0.1:${port}`, ROLE: 'worker' });
      expect(server.output()).toMatch(/Redis maxmemory-policy is \\"allkeys-lru\\"; set it to \\"noeviction\\"/);
    });
  });
});

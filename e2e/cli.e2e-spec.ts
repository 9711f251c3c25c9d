import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../server/database/database';
import { hashWriteKey } from '../server/sources/write-key';
import { adminClient, signInEveryRole } from './support/admin-client';
import { seedSettledDecisions } from './support/seed-decisions';
import { startTestApp, type TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

describe('npm run cli -- sources:*', () => {
  let database: TestDatabase;
  let pool: Pool;
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['-r', '@swc-node/register', 'server/cli/main.ts', ...args], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, DATABASE_URL: database.url, REDIS_PREFIX: 'test-cli' },
      encoding: 'utf8',
      timeout: 60_000,
    });

  beforeAll(async () => {
    database = await createTestDatabase('cli');
    pool = createPool(database.url, 1);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('creates a source and prints its write key alone on the last line, storing only its hash', async () => {
    const result = cli('sources:create', '--name', 'Main store', '--origin', 'https://shop.example', '--origin', 'https://www.shop.example', '--shopify-secret', 'shpss_abcdefgh', '--require-email-opt-in');
    expect(result.status).toBe(0);
    const key = result.stdout.trim().split('\n').pop()!;
    expect(key).toMatch(/^wk_[A-Za-z0-9_-]{32}$/);
    const { rows } = await pool.query('SELECT name, write_key_hash, allowed_origins, shopify_secret, require_email_opt_in, enabled FROM sources');
    expect(rows).toEqual([
      {
        name: 'Main store',
        write_key_hash: hashWriteKey(key),
        allowed_origins: ['https://shop.example', 'https://www.shop.example'],
        shopify_secret: 'shpss_abcdefgh',
        require_email_opt_in: true,
        enabled: true,
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain(key);
    const { rows: audit } = await pool.query(`SELECT actor, user_id, action, resource, resource_id, after FROM audit_log`);
    const { id } = (await pool.query('SELECT id FROM sources')).rows[0];
    expect(audit).toEqual([{ actor: 'cli', user_id: null, action: 'create', resource: 'sources', resource_id: id, after: expect.objectContaining({ name: 'Main store', hasShopifySecret: true }) }]);
    expect(JSON.stringify(audit)).not.toContain(key);
    expect(JSON.stringify(audit)).not.toContain('shpss_abcdefgh');
  });

  it('takes a default currency for events that name none, USD when not given', async () => {
    const euro = cli('sources:create', '--name', 'Boutique FR', '--currency', 'EUR');
    expect(euro.status).toBe(0);
    expect(euro.stdout).toContain('default currency EUR');
    const { rows } = await pool.query(`SELECT name, default_currency FROM sources WHERE name IN ('Main store', 'Boutique FR') ORDER BY name`);
    expect(rows).toEqual([
      { name: 'Boutique FR', default_currency: 'EUR' },
      { name: 'Main store', default_currency: 'USD' },
    ]);
  });

  it('disables and enables a source by id, and lists sources without their keys', async () => {
    const { id } = (await pool.query('SELECT id FROM sources LIMIT 1')).rows[0];
    expect(cli('sources:disable', '--id', id).status).toBe(0);
    expect((await pool.query('SELECT enabled FROM sources WHERE id = $1', [id])).rows[0].enabled).toBe(false);
    const list = cli('sources:list');
    expect(list.stdout).toContain(`${id}  disabled  wk_`);
    expect(cli('sources:enable', '--id', id).status).toBe(0);
    expect((await pool.query('SELECT enabled FROM sources WHERE id = $1', [id])).rows[0].enabled).toBe(true);
    const { rows: audit } = await pool.query(`SELECT actor, action, resource_id, before ->> 'enabled' AS was, after ->> 'enabled' AS now FROM audit_log WHERE action = 'update' ORDER BY at`);
    expect(audit).toEqual([
      { actor: 'cli', action: 'update', resource_id: id, was: 'true', now: 'false' },
      { actor: 'cli', action: 'update', resource_id: id, was: 'false', now: 'true' },
    ]);
  });

  it('issues a server key and records it (its prefix, never the key)', async () => {
    const { id } = (await pool.query('SELECT id FROM sources LIMIT 1')).rows[0];
    const result = cli('sources:server-key', '--id', id);
    expect(result.status).toBe(0);
    const key = result.stdout.trim().split('\n').pop()!;
    const { rows } = await pool.query(`SELECT actor, resource, resource_id, after FROM audit_log WHERE action = 'rotate_server_key'`);
    expect(rows).toEqual([{ actor: 'cli', resource: 'sources', resource_id: id, after: { serverKeyPrefix: key.slice(0, 10) } }]);
    expect(JSON.stringify(rows)).not.toContain(key);
  });

  it('explains a wrong call, naming the flag, with exit code 2 and nothing stored', async () => {
    const before = (await pool.query('SELECT count(*)::int AS n FROM sources')).rows[0].n;
    const audited = (await pool.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n;
    const missing = cli('sources:create');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--name is required');
    const badOrigin = cli('sources:create', '--name', 'x', '--origin', 'https://shop.example/path');
    expect(badOrigin.status).toBe(2);
    expect(badOrigin.stderr).toContain('--origin #1: must be an origin such as https://shop.example');
    const badCurrency = cli('sources:create', '--name', 'x', '--currency', 'euro');
    expect(badCurrency.status).toBe(2);
    expect(badCurrency.stderr).toMatch(/--currency: /);
    const unknownFlag = cli('sources:create', '--name', 'x', '--colour', 'red');
    expect(unknownFlag.status).toBe(2);
    expect(unknownFlag.stderr).toMatch(/Unknown option '--colour'/);
    const unknownCommand = cli('sources:explode');
    expect(unknownCommand.status).toBe(2);
    expect(unknownCommand.stderr).toContain('Unknown command "sources:explode"');
    expect(cli('sources:disable', '--id', '00000000-0000-0000-0000-000000000000').stderr).toContain('no source has id');
    expect((await pool.query('SELECT count(*)::int AS n FROM sources')).rows[0].n).toBe(before);
    expect((await pool.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n).toBe(audited);
  });
});

describe('npm run cli -- admin:create', () => {
  let database: TestDatabase;
  let pool: Pool;
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['-r', '@swc-node/register', 'server/cli/main.ts', ...args], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, DATABASE_URL: database.url, REDIS_PREFIX: 'test-cli-admin' },
      encoding: 'utf8',
      timeout: 60_000,
    });

  beforeAll(async () => {
    database = await createTestDatabase('cli-admin');
    pool = createPool(database.url, 1);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('creates a console user with a bcrypt hash, never the password', async () => {
    const result = cli('admin:create', '--email', 'Ops@Shop.example', '--password', 'a long enough secret', '--role', 'admin', '--name', 'Ops');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Created admin ops@shop\.example \(id [0-9a-f-]{36}\)\.$/m);
    const { rows } = await pool.query('SELECT email, role, name, password_hash FROM admin_users');
    expect(rows).toEqual([{ email: 'ops@shop.example', role: 'admin', name: 'Ops', password_hash: expect.stringMatching(/^\$2[aby]\$12\$/) }]);
    const { rows: audit } = await pool.query(`SELECT actor, action, resource, after ->> 'email' AS email FROM audit_log`);
    expect(audit).toEqual([{ actor: 'cli', action: 'create', resource: 'users', email: 'ops@shop.example' }]);
    expect(JSON.stringify((await pool.query('SELECT after FROM audit_log')).rows)).not.toContain('a long enough secret');
  });

  it('names each wrong flag, refuses a taken email, and stores nothing', async () => {
    const bad = cli('admin:create', '--email', 'not-an-email', '--password', 'short', '--role', 'boss');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--email: must be an email address');
    expect(bad.stderr).toContain('--password: must be at least 12 characters');
    expect(bad.stderr).toContain('--role: must be one of admin, marketer, analyst');
    const taken = cli('admin:create', '--email', 'ops@shop.example', '--password', 'another long secret', '--role', 'analyst');
    expect(taken.status).toBe(2);
    expect(taken.stderr).toContain('--email: a console user with this email already exists');
    expect((await pool.query('SELECT count(*)::int AS n FROM admin_users')).rows[0].n).toBe(1);
    expect((await pool.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n).toBe(1);
  });

  it('says which flag is missing', () => {
    const missing = cli('admin:create', '--email', 'someone@shop.example');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--password: is required');
    expect(missing.stderr).toContain('--role: is required; must be one of admin, marketer, analyst');
  });
});

describe('CLI changes in the console\'s audit log', () => {
  let t: TestApp;
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['-r', '@swc-node/register', 'server/cli/main.ts', ...args], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, DATABASE_URL: t.database.url, REDIS_PREFIX: t.config.redisPrefix },
      encoding: 'utf8',
      timeout: 60_000,
    });

  beforeAll(async () => {
    t = await startTestApp('cli-audit-log');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sources:create shows up on the Audit log page as actor cli, and the console can filter on it', async () => {
    const created = cli('sources:create', '--name', 'Outlet');
    expect(created.status).toBe(0);
    const id = /\(id ([0-9a-f-]{36})[,)]/.exec(created.stdout)![1];
    const { admin } = await signInEveryRole(t);
    // The Audit log page's own request: newest first, filtered by actor.
    const page = await admin.get('/audit-log', { filter: { actor: 'cli' }, sort: ['at', 'DESC'], range: [0, 24] });
    expect(page.status).toBe(200);
    expect(page.body).toEqual([expect.objectContaining({ actor: 'cli', userId: null, action: 'create', resource: 'sources', resourceId: id })]);
    expect(page.body[0].after).toMatchObject({ name: 'Outlet', enabled: true });
    const one = await admin.get(`/audit-log/${page.body[0].id}`);
    expect(one.body).toMatchObject({ actor: 'cli', resourceId: id });
    expect((await adminClient(t, null).get('/audit-log')).status).toBe(401);
  });
});

describe('npm run cli -- ml:train', () => {
  let database: TestDatabase;
  let pool: Pool;
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['-r', '@swc-node/register', 'server/cli/main.ts', ...args], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, DATABASE_URL: database.url, REDIS_PREFIX: 'test-cli-ml', ML_MIN_TRAINING_EXAMPLES: '500' },
      encoding: 'utf8',
      timeout: 120_000,
    });

  beforeAll(async () => {
    database = await createTestDatabase('cli-ml');
    pool = createPool(database.url, 1);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('says there is not enough data, and stores no version, on an empty shop', () => {
    const result = cli('ml:train');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Not promoted: not enough data: 0 settled decisions');
  });

  it('runs the nightly job by hand: trains on settled decisions, reports progress and metrics, stores the version', { timeout: 150_000 }, async () => {
    await seedSettledDecisions(pool, { checkouts: 3000, end: new Date(Date.now() - 86_400_000), seed: 5 });
    const result = cli('ml:train');
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/ 100%  done/);
    expect(result.stdout).toMatch(/Holdout: AUC 0\.\d{3}, log loss \d\.\d{3}/);
    expect(result.stdout).toMatch(/^(Promoted|Not promoted) \(version [0-9a-f-]{36}\): /m);
    const { rows } = await pool.query('SELECT status, trigger FROM training_runs ORDER BY created_at');
    expect(rows).toEqual([
      { status: 'succeeded', trigger: 'cli' },
      { status: 'succeeded', trigger: 'cli' },
    ]);
    expect((await pool.query('SELECT count(*)::int AS n FROM model_versions')).rows[0].n).toBe(1);
    // Each run may change the model every decision is made with: both are on the record, as actor cli.
    const { rows: audit } = await pool.query(`SELECT actor, action, resource, after ->> 'promoted' AS promoted FROM audit_log ORDER BY at`);
    expect(audit).toEqual([
      { actor: 'cli', action: 'train', resource: 'training_runs', promoted: 'false' },
      { actor: 'cli', action: 'train', resource: 'training_runs', promoted: expect.stringMatching(/^(true|false)$/) },
    ]);
  });
});

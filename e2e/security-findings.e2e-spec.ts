import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminUsers } from '../server/admin/auth/admin-users.service';
import { createApp } from '../server/bootstrap';
import { ConfigError, loadConfig } from '../server/config/app-config';
import { createPool } from '../server/database/database';
import { createLogger } from '../server/logging/logger';
import { SourcesService } from '../server/sources/sources.service';
import { apiEvent } from './support/events';
import { freePort } from './support/server-process';
import { postJson, startTestApp, type TestApp } from './support/test-app';
import { createTestDatabase, type TestDatabase } from './support/test-database';

const PASSWORD = 'correct horse battery';
const OPS_TOKEN = 'ops-token-for-the-security-suite-0123456789';

/** The real application like startTestApp's, but with its log lines (level info) captured for assertions. */
async function startLoggedApp(label: string) {
  const database: TestDatabase = await createTestDatabase(label);
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    DATABASE_POOL_SIZE: '5',
    ML_EXPLORATION_RATE: '0',
    ML_STOP_EXPLORATION_RATE: '0',
    ADMIN_API_TOKEN: OPS_TOKEN,
  });
  const lines: string[] = [];
  const app: NestFastifyApplication = await createApp(config, createLogger('info', { write: (line: string) => void lines.push(line) }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const pool: Pool = createPool(database.url, 2);
  return {
    app,
    url,
    pool,
    lines,
    async close() {
      await app.close();
      await pool.end();
      await database.drop();
    },
  };
}

/** `{"a":{"a":…1…}}` as JSON text: JSON.stringify itself overflows the stack on such a value. */
const deepJson = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const deepObject = (levels: number) => JSON.parse(deepJson(levels));
/** A body as JSON text with the string "DEEP" replaced by JSON nested `levels` deep. */
const withDeep = (body: unknown, levels: number) => JSON.stringify(body).replace('"DEEP"', deepJson(levels));
const cookieOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
const accessOf = (cookie: string) => cookie.split('; ').find((c) => c.startsWith('cr_admin_access='))!.split('=')[1];

describe('the security probe’s findings', () => {
  let t: Awaited<ReturnType<typeof startLoggedApp>>;
  let writeKey: string;
  let serverKey: string;

  const login = async (email: string, password = PASSWORD, headers: Record<string, string> = {}) =>
    fetch(`${t.url}/admin/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email, password }) });
  const signIn = async (email: string) => {
    const response = await login(email);
    expect(response.status).toBe(200);
    return cookieOf(response);
  };
  const storedEvents = async () => Number((await t.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n);

  beforeAll(async () => {
    t = await startLoggedApp('security-findings');
    const sources = t.app.get(SourcesService);
    const source = await sources.create({ name: 'Probe store', allowedOrigins: [] });
    writeKey = source.writeKey;
    serverKey = (await sources.rotateServerKey(source.id))!;
    const users = t.app.get(AdminUsers);
    expect(await users.create({ email: 'admin@shop.example', password: PASSWORD, role: 'admin' })).toMatchObject({ ok: true });
    expect(await users.create({ email: 'mk@x.io', password: PASSWORD, role: 'marketer' })).toMatchObject({ ok: true });
  });
  afterAll(async () => t?.close());

  describe('JSON limits, before anything else reads the body', () => {
    it('answers properties nested 5,000 levels deep with 400 naming the path (it was a 500: stack overflow)', async () => {
      const before = await storedEvents();
      const response = await postJson(`${t.url}/v1/events`, withDeep(apiEvent({ type: 'page_viewed', properties: 'DEEP' }), 5000), { authorization: `Bearer ${writeKey}` });
      expect(response.status).toBe(400);
      expect(response.body.problems[0].path).toBe('properties.a.a.a.a.a.a.a…');
      expect(response.body.problems[0].message).toBe('is nested deeper than 32 levels of objects and arrays');
      expect(response.body.message).toMatch(/^properties\.a\.a.*: is nested deeper than 32 levels/);
      expect(await storedEvents()).toBe(before);
    });

    it('answers a lone surrogate in a string with 400 naming the path (it was a 500 from PostgreSQL)', async () => {
      const before = await storedEvents();
      const body = JSON.stringify(apiEvent({ type: 'page_viewed', properties: { title: 'LONE' } })).replace('LONE', 'x\\ud800');
      const response = await postJson(`${t.url}/v1/events`, body, { authorization: `Bearer ${writeKey}` });
      expect(response.status).toBe(400);
      expect(response.body.problems).toEqual([{ index: null, path: 'properties.title', message: expect.stringMatching(/lone UTF-16 surrogate/) }]);
      // A well-formed pair (an emoji, written as escapes) is fine.
      const emoji = JSON.stringify(apiEvent({ type: 'page_viewed', properties: { title: 'PAIR' } })).replace('PAIR', '\\ud83d\\ude00');
      expect((await postJson(`${t.url}/v1/events`, emoji, { authorization: `Bearer ${writeKey}` })).status).toBe(200);
      expect(await storedEvents()).toBe(before + 1);
    });

    it('refuses a NUL in a key as well as in a value', async () => {
      const body = JSON.stringify(apiEvent({ type: 'page_viewed', properties: { KEY: 1 } })).replace('KEY', 'bad\\u0000key');
      const response = await postJson(`${t.url}/v1/events`, body, { authorization: `Bearer ${writeKey}` });
      expect(response.status).toBe(400);
      expect(response.body.problems[0]).toMatchObject({ path: 'properties.bad\u0000key', message: expect.stringMatching(/^the key contains a NUL/) });
    });

    it('covers /v1/batch, plain and gzip-compressed (the Segment route reads its own body)', async () => {
      const before = await storedEvents();
      const message = { type: 'track', event: 'Cart Viewed', messageId: 'm-1', anonymousId: 'anon-1', timestamp: new Date().toISOString(), properties: { cart_id: 'LONE' } };
      const lone = JSON.stringify({ batch: [message] }).replace('LONE', '\\udfff');
      const plain = await postJson(`${t.url}/v1/batch`, lone, { authorization: `Bearer ${writeKey}` });
      expect(plain.status).toBe(400);
      expect(plain.body.problems[0]).toMatchObject({ path: 'batch[0].properties.cart_id' });
      const deep = withDeep({ batch: [{ ...message, properties: 'DEEP' }] }, 6000);
      const gzipped = await fetch(`${t.url}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${writeKey}` },
        body: gzipSync(deep),
      });
      expect(gzipped.status).toBe(400);
      expect((await gzipped.json()).problems[0]).toMatchObject({ path: 'batch[0].properties.a.a.a.a.a…', message: expect.stringMatching(/deeper than 32/) });
      expect(await storedEvents()).toBe(before);
    });

    it('covers the checkout API: a lone surrogate in cart.items[0].name', async () => {
      const body = JSON.stringify({ cart: { items: [{ sku: 'sku-1', name: 'LONE', quantity: 1, unit_price: 10 }], currency: 'EUR' } }).replace('LONE', 'Boots \\ud800');
      const response = await postJson(`${t.url}/v1/checkouts`, body, { authorization: `Bearer ${serverKey}` });
      expect(response.status).toBe(400);
      expect(response.body.problems[0]).toMatchObject({ path: 'cart.items[0].name', message: expect.stringMatching(/lone UTF-16 surrogate/) });
      expect((await t.pool.query('SELECT count(*)::int AS n FROM checkout_sessions')).rows[0].n).toBe(0);
    });

    it('covers the admin API: a deep body and a NUL', async () => {
      const ops = { authorization: `Bearer ${OPS_TOKEN}` };
      const deep = await postJson(`${t.url}/admin/api/users`, { email: 'x@shop.example', password: PASSWORD, role: 'analyst', name: deepObject(100) }, ops);
      expect(deep.status).toBe(400);
      expect(deep.body.problems[0]).toMatchObject({ path: 'name.a.a.a.a.a.a.a…' });
      const nul = await postJson(`${t.url}/admin/api/users`, { email: 'x@shop.example', password: PASSWORD, role: 'analyst', name: 'A\u0000B' }, ops);
      expect(nul.status).toBe(400);
      expect(nul.body.problems[0]).toMatchObject({ path: 'name', message: expect.stringMatching(/NUL/) });
      expect((await t.pool.query(`SELECT count(*)::int AS n FROM admin_users WHERE email = 'x@shop.example'`)).rows[0].n).toBe(0);
    });

    it('bounds the admin list range: [1e20,1e20] is a 400 naming range (it was a 500)', async () => {
      const ops = { authorization: `Bearer ${OPS_TOKEN}` };
      const list = (query: string) => fetch(`${t.url}/admin/api/checkouts?${query}`, { headers: ops });
      for (const range of ['[1e20,1e20]', '[0,1e20]', '[-1,3]', '[1.5,3]', '[5,2]', '"0-9"']) {
        const response = await list(`range=${encodeURIComponent(range)}`);
        expect(response.status, range).toBe(400);
        expect((await response.json()).problems[0].path, range).toBe('range');
      }
      const sort = await list(`sort=${encodeURIComponent('["nope","ASC"]')}`);
      expect(sort.status).toBe(400);
      expect((await sort.json()).problems[0].path).toBe('sort');
      const filter = await list(`filter=${encodeURIComponent(JSON.stringify({ q: deepObject(10) }))}`);
      expect(filter.status).toBe(400);
      expect((await filter.json()).problems[0].path).toMatch(/^filter\.q/);
      expect((await list(`range=${encodeURIComponent('[0,24]')}`)).status).toBe(200);
    });
  });

  describe('sessions end at once', () => {
    it('refuses the access token of a signed-out session immediately, refreshed tokens of it included', async () => {
      const first = await signIn('mk@x.io');
      const refreshed = await fetch(`${t.url}/admin/api/auth/refresh`, { method: 'POST', headers: { cookie: first } });
      expect(refreshed.status).toBe(200);
      const second = cookieOf(refreshed);
      const me = (cookie: string) => fetch(`${t.url}/admin/api/auth/me`, { headers: { cookie } });
      expect((await me(first)).status).toBe(200);
      expect((await me(second)).status).toBe(200);
      const other = await signIn('mk@x.io');
      expect((await fetch(`${t.url}/admin/api/auth/logout`, { method: 'POST', headers: { cookie: second } })).status).toBe(204);
      // Both tokens of the session, as a cookie and as a bearer token, within the same second.
      expect((await me(first)).status).toBe(401);
      expect((await me(second)).status).toBe(401);
      expect((await fetch(`${t.url}/admin/api/auth/me`, { headers: { authorization: `Bearer ${accessOf(first)}` } })).status).toBe(401);
      // Another session of the same user goes on.
      expect((await me(other)).status).toBe(200);
    });

    it('ends every session of a user whose password changes', async () => {
      const a = await signIn('mk@x.io');
      const b = await signIn('mk@x.io');
      const me = (cookie: string) => fetch(`${t.url}/admin/api/auth/me`, { headers: { cookie } });
      expect((await me(a)).status).toBe(200);
      const { rows } = await t.pool.query(`SELECT id FROM admin_users WHERE email = 'mk@x.io'`);
      const changed = await fetch(`${t.url}/admin/api/users/${rows[0].id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${OPS_TOKEN}` },
        body: JSON.stringify({ password: 'a brand new passphrase' }),
      });
      expect(changed.status).toBe(200);
      expect((await me(a)).status).toBe(401);
      expect((await me(b)).status).toBe(401);
      expect((await login('mk@x.io', 'a brand new passphrase')).status).toBe(200);
    });
  });

  describe('admin writes: JSON only, and only from the console’s own origin', () => {
    let admin: string;
    let userId: string;
    const rename = (name: string, headers: Record<string, string>, body: string = JSON.stringify({ name })) =>
      fetch(`${t.url}/admin/api/users/${userId}`, { method: 'PUT', headers: { cookie: admin, ...headers }, body });
    const currentName = async () => (await t.pool.query('SELECT name FROM admin_users WHERE id = $1', [userId])).rows[0].name;

    beforeAll(async () => {
      admin = await signIn('admin@shop.example');
      userId = (await t.pool.query(`SELECT id FROM admin_users WHERE email = 'admin@shop.example'`)).rows[0].id;
    });

    it('refuses text/plain and form bodies with 415 naming the content type', async () => {
      const plain = await rename('Plain', { 'content-type': 'text/plain' });
      expect(plain.status).toBe(415);
      expect(await plain.json()).toMatchObject({ error: 'unsupported_media_type', problems: [{ path: 'headers.content-type', message: expect.stringContaining('"text/plain"') }] });
      const form = await rename('Form', { 'content-type': 'application/x-www-form-urlencoded' }, 'name=Form');
      expect(form.status).toBe(415);
      expect((await form.json()).message).toContain('application/x-www-form-urlencoded');
      expect(await currentName()).toBeNull();
    });

    it('refuses a foreign Origin or a cross-site Sec-Fetch-Site with 403, and takes the console’s own', async () => {
      const json = { 'content-type': 'application/json' };
      const foreign = await rename('Evil', { ...json, origin: 'https://evil.example' });
      expect(foreign.status).toBe(403);
      expect((await foreign.json()).problems[0]).toMatchObject({ path: 'headers.origin' });
      expect((await rename('Evil', { ...json, origin: 'null' })).status).toBe(403);
      expect((await rename('Evil', { ...json, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
      expect((await login('admin@shop.example', PASSWORD, { origin: 'https://evil.example' })).status).toBe(403);
      expect(await currentName()).toBeNull();
      expect((await rename('Same origin', { ...json, origin: t.url, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
      expect((await rename('Fetch metadata', { ...json, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
      expect(await currentName()).toBe('Fetch metadata');
    });

    it('does not ask the operations token (a script, not a browser) for an Origin', async () => {
      const response = await fetch(`${t.url}/admin/api/users/${userId}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${OPS_TOKEN}`, origin: 'https://ops.example' },
        body: JSON.stringify({ name: 'Script' }),
      });
      expect(response.status).toBe(200);
    });
  });

  it('never writes a signed link token to the log', async () => {
    const checkoutToken = `eyJjIjoiY28tc2VjcmV0In0.${randomBytes(16).toString('base64url')}`;
    const clickToken = `eyJtIjoibXNnIn0.${randomBytes(16).toString('base64url')}`;
    await fetch(`${t.url}/c/${checkoutToken}`);
    await fetch(`${t.url}/c/${checkoutToken}/complete`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1' });
    await fetch(`${t.url}/r/click/${clickToken}`, { redirect: 'manual' });
    await fetch(`${t.url}/r/unsubscribe/${clickToken}`);
    await new Promise((r) => setTimeout(r, 200));
    const log = t.lines.join('');
    expect(log).not.toContain(checkoutToken);
    expect(log).not.toContain(clickToken);
    expect(log).not.toContain(checkoutToken.split('.')[1]);
    const urls = t.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request').map((l) => l.url);
    expect(urls).toEqual(expect.arrayContaining(['/c/[redacted]', '/c/[redacted]/complete', '/r/click/[redacted]', '/r/unsubscribe/[redacted]']));
  });

  // Last: with TRUST_PROXY unset every request here comes from 127.0.0.1, whatever X-Forwarded-For says.
  it('ignores a forged X-Forwarded-For by default: the limiter sees the TCP peer', async () => {
    for (let i = 0; i < 11; i++) {
      expect((await login(`spray${i}@shop.example`, 'guess', { 'x-forwarded-for': `198.51.100.${i}` })).status).toBe(401);
    }
    const next = await login('admin@shop.example', PASSWORD, { 'x-forwarded-for': '198.51.100.200' });
    expect(next.status).toBe(429);
    expect(Number(next.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('TRUST_PROXY', () => {
  it('is off by default, takes a hop count or proxy addresses and CIDRs, and names itself when wrong', () => {
    const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x' };
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1,fd00::/8,loopback' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8', 'loopback']);
    for (const bad of ['true', '0', '999', '10.0.0.0/33', 'proxy.example', '10.0.0.1,', '::1/129']) {
      expect(() => loadConfig({ ...base, TRUST_PROXY: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY: must be a number of proxy hops/);
    }
  });

  describe('when the proxy is trusted', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp('security-trusted-proxy', { TRUST_PROXY: '127.0.0.1' });
      await t.app.get(AdminUsers).create({ email: 'admin@shop.example', password: PASSWORD, role: 'admin' });
    });
    afterAll(async () => t?.close());

    it('takes the client address from its X-Forwarded-For', async () => {
      const from = (ip: string, password: string, email = 'admin@shop.example') => postJson(`${t.url}/admin/api/auth/login`, { email, password }, { 'x-forwarded-for': ip });
      for (let i = 0; i < 11; i++) expect((await from('198.51.100.1', 'guess', `spray${i}@shop.example`)).status).toBe(401);
      expect((await from('198.51.100.1', PASSWORD)).status).toBe(429);
      expect((await from('198.51.100.2', PASSWORD)).status).toBe(200);
    });
  });
});

describe('start-up with a dependency down', () => {
  const ROOT = join(__dirname, '..');
  const run = (env: Record<string, string>) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, ['-r', '@swc-node/register', 'server/main.ts'], {
        cwd: ROOT,
        env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });

  it('names the unreachable Redis in one line, without its password, and exits non-zero', async () => {
    const port = await freePort();
    const { code, output } = await run({ REDIS_URL: `redis://:s3cret-pass@127.0.0.1:${port}`, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', MIGRATE_ON_START: 'false' });
    expect(code).toBe(1);
    expect(output.trim()).toBe(`checkout recovery failed to start: cannot reach Redis at redis://:***@127.0.0.1:${port} (ECONNREFUSED)`);
  }, 70_000);

  it('names the unreachable PostgreSQL in one line, without its password, and exits non-zero', async () => {
    const port = await freePort();
    const { code, output } = await run({ DATABASE_URL: `postgres://postgres:s3cret-pass@127.0.0.1:${port}/checkout_recovery` });
    expect(code).toBe(1);
    expect(output.trim()).toBe(`checkout recovery failed to start: cannot reach PostgreSQL at postgres://postgres:***@127.0.0.1:${port}/checkout_recovery (ECONNREFUSED)`);
  }, 70_000);
});

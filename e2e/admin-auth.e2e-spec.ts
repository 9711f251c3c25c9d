import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminUsers } from '../server/admin/auth/admin-users.service';
import { startTestApp, TestApp } from './support/test-app';

const PASSWORD = 'correct horse battery';

describe('console sign-in, sessions and roles', () => {
  let t: TestApp;
  const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'x-forwarded-for': headers['x-forwarded-for'] ?? '203.0.113.1', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const cookiesOf = (response: Response) => Object.fromEntries(response.headers.getSetCookie().map((c) => [c.split('=')[0], c]));
  const cookieHeader = (response: Response) =>
    response.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
  const signIn = async (email: string) => {
    const response = await post('/admin/api/auth/login', { email, password: PASSWORD });
    expect(response.status).toBe(200);
    return cookieHeader(response);
  };

  beforeAll(async () => {
    // Behind a proxy on this machine: its X-Forwarded-For is believed, so each test can sign in "from" its own address.
    t = await startTestApp('admin-auth', { TRUST_PROXY: '127.0.0.1' });
    const users = t.app.get(AdminUsers);
    for (const role of ['admin', 'marketer', 'analyst'] as const) {
      expect(await users.create({ email: `${role.toUpperCase()}@shop.example`, password: PASSWORD, role })).toMatchObject({ ok: true });
    }
  });
  afterAll(async () => t?.close());

  it('signs in with httpOnly, SameSite=Strict cookies and says who is signed in', async () => {
    const response = await post('/admin/api/auth/login', { email: 'Marketer@Shop.example ', password: PASSWORD });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ user: { email: 'marketer@shop.example', role: 'marketer' } });
    const cookies = cookiesOf(response);
    expect(cookies.cr_admin_access).toMatch(/HttpOnly/i);
    expect(cookies.cr_admin_access).toMatch(/SameSite=Strict/i);
    expect(cookies.cr_admin_refresh).toMatch(/Path=\/admin\/api\/auth/);
    const me = await fetch(`${t.url}/admin/api/auth/me`, { headers: { cookie: cookieHeader(response) } });
    expect(await me.json()).toMatchObject({ email: 'marketer@shop.example', role: 'marketer' });
  });

  it('answers a wrong password and an unknown email alike, and names missing fields', async () => {
    const wrongPassword = await post('/admin/api/auth/login', { email: 'admin@shop.example', password: 'nope' }, { 'x-forwarded-for': '203.0.113.9' });
    const unknownEmail = await post('/admin/api/auth/login', { email: 'nobody@shop.example', password: 'nope' }, { 'x-forwarded-for': '203.0.113.9' });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(await wrongPassword.json()).toEqual(await unknownEmail.json());
    const missing = await post('/admin/api/auth/login', { email: 'admin@shop.example' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ problems: [{ path: 'password' }], errors: { password: expect.any(String) } });
  });

  it('slows an address after 10 failed sign-ins across accounts, with Retry-After; other addresses are not affected', async () => {
    const ip = { 'x-forwarded-for': '198.51.100.7' };
    // 10 failures are free; the 11th is still read (and starts a 1 s wait), the next is refused unread.
    for (let i = 0; i < 11; i++) expect((await post('/admin/api/auth/login', { email: `guess${i}@shop.example`, password: 'x' }, ip)).status).toBe(401);
    const blocked = await post('/admin/api/auth/login', { email: 'admin@shop.example', password: PASSWORD }, ip);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.json()).toMatchObject({ error: 'too_many_requests' });
    // Another address is not affected.
    expect((await post('/admin/api/auth/login', { email: 'admin@shop.example', password: PASSWORD }, { 'x-forwarded-for': '198.51.100.8' })).status).toBe(200);
  });

  it('lets no stranger lock the owner out: 50 guesses from one address slow that address only, ever more', async () => {
    await t.app.get(AdminUsers).create({ email: 'mk@x.io', password: PASSWORD, role: 'marketer' });
    const stranger = { 'x-forwarded-for': '192.0.2.66' };
    const answers: Array<{ status: number; retryAfter: number }> = [];
    for (let i = 0; i < 50; i++) {
      const response = await post('/admin/api/auth/login', { email: 'mk@x.io', password: `guess ${i}` }, stranger);
      answers.push({ status: response.status, retryAfter: Number(response.headers.get('retry-after') ?? 0) });
    }
    // Three free failures and the fourth (which starts the delays) are read; every later one is refused unread.
    expect(answers.slice(0, 4).map((a) => a.status)).toEqual([401, 401, 401, 401]);
    expect(answers.slice(4).every((a) => a.status === 429)).toBe(true);
    const waits = answers.slice(4).map((a) => a.retryAfter);
    expect(waits.slice(0, 4)).toEqual([2, 4, 8, 16]);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]);
    expect(waits.at(-1)).toBe(15 * 60);
    // The owner, from an address without failures, signs in at once.
    const owner = await post('/admin/api/auth/login', { email: 'mk@x.io', password: PASSWORD }, { 'x-forwarded-for': '203.0.113.200' });
    expect(owner.status).toBe(200);
    // Even the right password waits at the stranger's address.
    expect((await post('/admin/api/auth/login', { email: 'mk@x.io', password: PASSWORD }, stranger)).status).toBe(429);
  });

  it('counts parallel guesses before reading them: a burst gets no more than the free attempts through', async () => {
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => post('/admin/api/auth/login', { email: 'analyst@shop.example', password: `burst ${i}` }, { 'x-forwarded-for': '192.0.2.77' })),
    );
    const read = burst.filter((r) => r.status === 401).length;
    expect(read).toBe(4);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(8);
  });

  it('lets the owner back in from the same address once the wait is over, and forgets those failures', async () => {
    const ip = { 'x-forwarded-for': '192.0.2.88' };
    for (let i = 0; i < 4; i++) expect((await post('/admin/api/auth/login', { email: 'marketer@shop.example', password: 'typo' }, ip)).status).toBe(401);
    const wait = await post('/admin/api/auth/login', { email: 'marketer@shop.example', password: PASSWORD }, ip);
    expect(wait.status).toBe(429);
    await new Promise((r) => setTimeout(r, Number(wait.headers.get('retry-after')) * 1000 + 200));
    expect((await post('/admin/api/auth/login', { email: 'marketer@shop.example', password: PASSWORD }, ip)).status).toBe(200);
    // The account's counter at this address is cleared: the next typo is read again.
    expect((await post('/admin/api/auth/login', { email: 'marketer@shop.example', password: 'typo' }, ip)).status).toBe(401);
  });

  it('enforces roles on the server: an analyst reads but cannot retrain; a marketer can', async () => {
    const analyst = await signIn('analyst@shop.example');
    expect((await fetch(`${t.url}/admin/api/ml/versions`, { headers: { cookie: analyst } })).status).toBe(200);
    const refused = await post('/admin/api/ml/training-runs', undefined, { cookie: analyst });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'forbidden', message: 'the analyst role cannot do this; it needs admin or marketer' });
    const marketer = await signIn('marketer@shop.example');
    expect((await post('/admin/api/ml/training-runs', undefined, { cookie: marketer })).status).toBe(202);
    const { rows } = await t.pool.query(`SELECT actor, action, resource FROM audit_log`);
    expect(rows).toEqual([{ actor: 'marketer@shop.example', action: 'train', resource: 'training_runs' }]);
    expect((await fetch(`${t.url}/admin/api/ml/versions`)).status).toBe(401);
  });

  it('refreshes a session by rotating its refresh token (a used one never works twice), and signs out', async () => {
    const login = await post('/admin/api/auth/login', { email: 'admin@shop.example', password: PASSWORD });
    const first = cookieHeader(login);
    const refreshed = await post('/admin/api/auth/refresh', undefined, { cookie: first });
    expect(refreshed.status).toBe(200);
    const second = cookieHeader(refreshed);
    expect(second).not.toEqual(first);
    expect((await post('/admin/api/auth/refresh', undefined, { cookie: first })).status).toBe(401);
    expect((await post('/admin/api/auth/logout', undefined, { cookie: second })).status).toBe(204);
    expect((await post('/admin/api/auth/refresh', undefined, { cookie: second })).status).toBe(401);
  });

  it('refuses a forged or tampered access token', async () => {
    const session = await signIn('analyst@shop.example');
    const access = session.split('; ').find((c) => c.startsWith('cr_admin_access='))!.split('=')[1];
    const [header, payload, signature] = access.split('.');
    const promoted = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'admin' })).toString('base64url');
    const forged = `${header}.${promoted}.${signature}`;
    expect((await fetch(`${t.url}/admin/api/ml/versions`, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
  });
});

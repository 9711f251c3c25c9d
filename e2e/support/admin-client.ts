import { expect } from 'vitest';
import type { AdminRole } from '../../models/admin';
import { AdminUsers } from '../../server/admin/auth/admin-users.service';
import type { TestApp } from './test-app';

export const ADMIN_PASSWORD = 'correct horse battery';

export interface AdminResponse {
  status: number;
  body: any;
  headers: Headers;
}

export interface AdminClient {
  get(path: string, query?: Record<string, unknown>): Promise<AdminResponse>;
  post(path: string, body?: unknown): Promise<AdminResponse>;
  put(path: string, body: unknown): Promise<AdminResponse>;
}

/** Requests to `/admin/api` as a signed-in user (its session cookie), or as nobody (`cookie` null). */
export function adminClient(t: TestApp, cookie: string | null): AdminClient {
  const call = async (method: string, path: string, body?: unknown): Promise<AdminResponse> => {
    const response = await fetch(`${t.url}/admin/api${path}`, {
      method,
      headers: { ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  return {
    get: (path, query) => {
      const qs = query ? `?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString()}` : '';
      return call('GET', `${path}${qs}`);
    },
    post: (path, body) => call('POST', path, body ?? {}),
    put: (path, body) => call('PUT', path, body),
  };
}

/** One user per role (`<role>@shop.example`), signed in; plus a client without a session. */
export async function signInEveryRole(t: TestApp): Promise<Record<AdminRole | 'nobody', AdminClient>> {
  const users = t.app.get(AdminUsers);
  const clients = { nobody: adminClient(t, null) } as Record<AdminRole | 'nobody', AdminClient>;
  for (const role of ['admin', 'marketer', 'analyst'] as const) {
    const email = `${role}@shop.example`;
    expect(await users.create({ email, password: ADMIN_PASSWORD, role })).toMatchObject({ ok: true });
    const response = await fetch(`${t.url}/admin/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${role.length}` },
      body: JSON.stringify({ email, password: ADMIN_PASSWORD }),
    });
    expect(response.status).toBe(200);
    const cookie = response.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    clients[role] = adminClient(t, cookie);
  }
  return clients;
}

import type { AuthProvider } from 'react-admin';
import { API, refreshSession } from '../data/http';

export type Role = 'admin' | 'marketer' | 'analyst';

export interface Me {
  id: string | null;
  email: string;
  role: Role;
}

let me: Promise<Me | null> | null = null;

/**
 * Whether this browser signed in and has not signed out since: not a secret (the session is in httpOnly
 * cookies), only a hint so that a visitor who never signed in is sent to the login page without asking the
 * server first — each such request would answer 401 and show in the browser's console as an error.
 */
const SIGNED_IN_HINT = 'checkout-recovery.signed-in';
const hint = {
  get: () => {
    try {
      return window.localStorage.getItem(SIGNED_IN_HINT) === '1';
    } catch {
      return true; // storage unavailable: ask the server, as before
    }
  },
  set: (on: boolean) => {
    try {
      if (on) window.localStorage.setItem(SIGNED_IN_HINT, '1');
      else window.localStorage.removeItem(SIGNED_IN_HINT);
    } catch {
      // storage unavailable: nothing to remember
    }
  },
};

async function fetchMe(): Promise<Me | null> {
  if (!hint.get()) return null;
  const ask = () => fetch(`${API}/auth/me`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  let response = await ask();
  if (response.status === 401 && (await refreshSession())) response = await ask();
  if (!response.ok) {
    hint.set(false);
    return null;
  }
  return (await response.json()) as Me;
}

/** Who is signed in, asked once per session (the access cookie is httpOnly, so the server is the only one who knows). */
export function currentUser(): Promise<Me | null> {
  me ??= fetchMe().then((user) => {
    if (!user) me = null;
    return user;
  });
  return me;
}

/** Sign-in on /admin/api/auth: httpOnly cookies hold the session; the console never sees a token. */
export const authProvider: AuthProvider = {
  async login({ username, password }: { username: string; password: string }) {
    const response = await fetch(`${API}/auth/login`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email: username, password }),
    });
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { message?: string };
      throw new Error(body.message ?? `sign-in failed (${response.status})`);
    }
    hint.set(true);
    me = null;
  },
  async logout() {
    me = null;
    // Signed out already (never signed in, or the session ended): nothing to tell the server.
    if (!hint.get()) return;
    hint.set(false);
    await fetch(`${API}/auth/logout`, { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
  },
  async checkAuth() {
    if (!(await currentUser())) throw new Error('sign in to the console');
  },
  async checkError(error: { status?: number }) {
    // The HTTP client already tried a refresh: a 401 here means the session is over.
    if (error?.status === 401) {
      me = null;
      hint.set(false);
      throw new Error('the session has ended; sign in again');
    }
    // 403 is a role refusal: stay signed in, the page shows the message.
  },
  async getIdentity() {
    const user = await currentUser();
    if (!user) throw new Error('not signed in');
    return { id: user.id ?? user.email, fullName: user.email, role: user.role };
  },
  async getPermissions() {
    return (await currentUser())?.role ?? null;
  },
};

import { fetchUtils, HttpError } from 'react-admin';

/** Every API call goes to the same origin the console was served from. */
export const API = '/admin/api';

let refreshing: Promise<boolean> | null = null;

/** Renews the session from the refresh cookie; concurrent callers share one request. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch(`${API}/auth/refresh`, { method: 'POST', credentials: 'same-origin' })
    .then((response) => response.ok)
    .catch(() => false)
    .finally(() => {
      setTimeout(() => (refreshing = null), 0);
    });
  return refreshing;
}

/**
 * `fetchJson` with the session cookie; a 401 is retried once after refreshing the session (the access token
 * lives 15 minutes), and only then reaches react-admin, which signs out.
 */
export async function httpClient(url: string, options: fetchUtils.Options = {}): ReturnType<typeof fetchUtils.fetchJson> {
  const send = () => fetchUtils.fetchJson(url, { ...options, credentials: 'same-origin' });
  try {
    return await send();
  } catch (error) {
    if (error instanceof HttpError && error.status === 401 && !url.startsWith(`${API}/auth/`) && (await refreshSession())) return send();
    throw error;
  }
}

/** POST/PUT a JSON body, answering the parsed JSON. */
export async function postJson<T>(path: string, body?: unknown, method = 'POST'): Promise<T> {
  const { json } = await httpClient(`${API}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return json as T;
}

export async function getJson<T>(path: string): Promise<T> {
  const { json } = await httpClient(`${API}${path}`);
  return json as T;
}

/** The query string of a report request (`?from=…&to=…`), leaving out empty values. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

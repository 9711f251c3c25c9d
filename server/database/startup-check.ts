import { Client } from 'pg';
import { urlWithoutPassword } from '../logging/redaction';

/** A dependency the server cannot start without is unreachable: one line naming it, no stack. */
export class UnreachableDependency extends Error {
  constructor(what: string, url: string, reason: string) {
    super(`cannot reach ${what} at ${urlWithoutPassword(url)} (${reason})`);
    this.name = 'UnreachableDependency';
  }
}

/** The short reason of a connection error: a system code alone (ECONNREFUSED, ENOTFOUND), else the message. */
export function connectionReason(error: unknown): string {
  const e = error as { code?: unknown; errors?: Array<{ code?: unknown }>; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : e?.errors?.map((inner) => inner.code).find((c) => typeof c === 'string');
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String(error);
  return message.split('\n')[0];
}

/**
 * Connects once to PostgreSQL before anything else does. A missing database counts as reachable: start-up
 * creates it (migrate.ts).
 */
export async function checkDatabaseReachable(databaseUrl: string, timeoutMs = 5000): Promise<void> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    if ((error as { code?: string }).code === '3D000') return;
    throw new UnreachableDependency('PostgreSQL', databaseUrl, connectionReason(error));
  } finally {
    await client.end().catch(() => undefined);
  }
}

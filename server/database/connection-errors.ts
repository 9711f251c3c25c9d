/**
 * Whether an error means the database could not be reached or the connection to it broke (restart, crash,
 * failover, a cut network path), as opposed to a statement the database refused. After such an error the
 * outcome of a COMMIT in flight is unknown, so callers must not claim that nothing was stored.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('08') || SERVER_GONE_CODES.has(code))) return true;
    if (typeof message === 'string' && POOL_MESSAGES.some((m) => message.includes(m))) return true;
  }
  return false;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections (SQLSTATE class 08 is connection_exception). */
const SERVER_GONE_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
/** node-postgres reports a broken or unobtainable connection with these messages and no code. */
const POOL_MESSAGES = ['Connection terminated', 'connection error and is not queryable', 'timeout exceeded when trying to connect', 'Client was closed and is not queryable'];

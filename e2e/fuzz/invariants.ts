import type { Pool } from 'pg';

/**
 * What must hold after every fuzz case, whatever was sent: no 5xx, a refusal that says why (a problem's path, or an
 * error code and message), nothing stored by a refused request, and no prototype of the server polluted.
 */

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

/** Why `answer` breaks the answer invariants, or null. */
export function answerViolation(answer: Answer): string | null {
  if (answer.status >= 500) return `answered ${answer.status}`;
  if (answer.status < 400) return null;
  const type = answer.headers.get('content-type') ?? '';
  if (/json/.test(type)) {
    let body: any;
    try {
      body = JSON.parse(answer.text);
    } catch {
      return `a ${answer.status} whose JSON body does not parse`;
    }
    if (namesReason(body)) return null;
    return `a ${answer.status} whose body names neither a path nor a reason`;
  }
  // The pages shoppers see (one-click landing, unsubscribe) refuse with an HTML page; TwiML answers are XML.
  if (/text\/html/.test(type)) return visibleText(answer.text).length >= 10 ? null : `a ${answer.status} HTML page that says nothing`;
  if (/xml/.test(type)) return answer.text.trim() ? null : `a ${answer.status} with an empty XML body`;
  return `a ${answer.status} with content type "${type}" (expected a JSON error or a page)`;
}

/** `problems[]` each with a path and message, or an `error`/`reason` code with a message. */
function namesReason(body: any): boolean {
  if (body === null || typeof body !== 'object') return false;
  const text = (value: unknown) => typeof value === 'string' && value.trim().length > 0;
  if (Array.isArray(body.problems) && body.problems.length > 0 && body.problems.every((p: any) => p && typeof p.path === 'string' && text(p.message))) return true;
  return (text(body.error) || text(body.reason)) && text(body.message);
}

const visibleText = (html: string) =>
  html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * Row count and a hash of the rows of every table of the database: a refused request that stored, changed or
 * deleted anything changes it. Tables are small in the fuzz database, so this takes a few milliseconds.
 */
export class DatabaseFingerprint {
  private constructor(
    private readonly pool: Pool,
    private readonly sql: string,
    readonly tables: string[],
  ) {}

  static async of(pool: Pool): Promise<DatabaseFingerprint> {
    const { rows } = await pool.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`);
    const tables = rows.map((r) => r.name);
    const parts = tables.map((name) => `SELECT '${name}' AS name, count(*)::text || ':' || coalesce(sum(hashtext(x::text)::bigint), 0)::text AS value FROM "${name}" x`);
    return new DatabaseFingerprint(pool, parts.join(' UNION ALL '), tables);
  }

  async take(): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ name: string; value: string }>(this.sql);
    return new Map(rows.map((r) => [r.name, r.value]));
  }
}

/**
 * The report rollups (`report_*`) are folded from the other tables in the background and before any report is
 * read, whatever that read's answer: they are not a request's data, so they are left out.
 */
const DERIVED_TABLES = /^report_/;

/** The tables whose rows differ between two fingerprints, as `table (count:hash → count:hash)`. */
export function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...before.keys()].filter((name) => !DERIVED_TABLES.test(name) && before.get(name) !== after.get(name)).map((name) => `${name} (${before.get(name)} → ${after.get(name)})`);
}

/** A prototype a hostile key (`__proto__`, `constructor.prototype`) reached, or null. The app runs in this process. */
export function pollutedPrototype(): string | null {
  for (const [name, proto] of [['Object', Object.prototype], ['Array', Array.prototype]] as const) {
    const own = Object.getOwnPropertyNames(proto).filter((key) => ['polluted', 'isAdmin'].includes(key));
    if (own.length) return `${name}.prototype has ${own.join(', ')}`;
  }
  return null;
}

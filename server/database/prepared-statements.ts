import { createHash } from 'node:crypto';
import type { PoolClient, QueryConfig } from 'pg';

/** Named statements one connection keeps at most; past that, new statements run unnamed (PostgreSQL keeps each one's plan). */
export const MAX_NAMED_STATEMENTS = 256;
/** Statements seen once but not yet named, remembered per connection up to this many (then forgotten and counted again). */
const MAX_SEEN_ONCE = 2_048;
/** SQLSTATE of "cached plan must not change result type": a table a named statement reads changed shape. */
const PLAN_RESULT_CHANGED = '0A000';

type Callback = (error: Error | null, result: unknown) => void;

/**
 * Makes a connection prepare the parameterised statements it runs repeatedly: from its second run on, a statement
 * goes under a name derived from its text, so PostgreSQL parses and analyses it once per connection instead of on
 * every execution (pg, and Drizzle on top of it, send every statement unnamed). On our hot paths that is about a
 * third of the database's time per statement.
 *
 * Statements without parameters (BEGIN, COMMIT, DDL) stay unnamed. If a migration changes a table a named
 * statement reads (`SELECT *`), PostgreSQL refuses the old plan once; that statement is then prepared afresh under a
 * new name. Turn this off (DATABASE_PREPARED_STATEMENTS=false) behind a pooler that does not keep prepared
 * statements per client, such as PgBouncer in transaction mode before 1.21.
 */
export function prepareRepeatedStatements(client: PoolClient): void {
  const unnamedQuery = client.query.bind(client) as (...args: unknown[]) => unknown;
  const names = new Map<string, string>();
  const seenOnce = new Set<string>();
  let generation = 0;

  const nameFor = (text: string): string | undefined => {
    const known = names.get(text);
    if (known || names.size >= MAX_NAMED_STATEMENTS) return known;
    if (!seenOnce.has(text)) {
      if (seenOnce.size >= MAX_SEEN_ONCE) seenOnce.clear();
      seenOnce.add(text);
      return undefined;
    }
    seenOnce.delete(text);
    const name = `p${generation}_${createHash('sha1').update(text).digest('base64url').slice(0, 22)}`;
    names.set(text, name);
    return name;
  };
  const forget = (text: string, name: string) => {
    names.delete(text);
    generation += 1;
    const parsed = (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection?.parsedStatements;
    if (parsed) delete parsed[name];
  };

  (client as unknown as { query: unknown }).query = function query(config: unknown, values?: unknown, callback?: Callback) {
    const submittable = typeof config === 'object' && config !== null && typeof (config as { submit?: unknown }).submit === 'function';
    if (submittable || (typeof config !== 'string' && (typeof config !== 'object' || config === null))) return unnamedQuery(config, values, callback);
    const statement: QueryConfig = typeof config === 'string' ? { text: config } : { ...(config as QueryConfig) };
    let done = callback;
    if (typeof values === 'function') done = values as Callback;
    else if (values !== undefined) statement.values = values as unknown[];
    const text = statement.text;
    const name = !statement.name && typeof text === 'string' && statement.values?.length ? nameFor(text) : undefined;
    if (!name) return unnamedQuery(statement, done);
    statement.name = name;
    if (done) {
      const callbackOf = done;
      return unnamedQuery(statement, (error: (Error & { code?: string }) | null, result: unknown) => {
        if (error?.code === PLAN_RESULT_CHANGED) forget(text, name);
        callbackOf(error, result);
      });
    }
    return (unnamedQuery(statement) as Promise<unknown>).catch((error: { code?: string }) => {
      if (error?.code === PLAN_RESULT_CHANGED) forget(text, name);
      throw error;
    });
  };
}

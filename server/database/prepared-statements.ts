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
    const text = eligibleText(config, values);
    const name = text === undefined ? undefined : nameFor(text);
    // Everything not named goes through exactly as it came.
    if (text === undefined || name === undefined) return unnamedQuery(config, values, callback);
    const statement: QueryConfig = typeof config === 'string' ? { text, name } : { ...(config as QueryConfig), name };
    const done = typeof values === 'function' ? (values as Callback) : (callback ?? (statement as { callback?: Callback }).callback);
    if (Array.isArray(values)) statement.values = values;
    if (done) {
      return unnamedQuery(statement, (error: (Error & { code?: string }) | null, result: unknown) => {
        if (error?.code === PLAN_RESULT_CHANGED) forget(text, name);
        done(error, result);
      });
    }
    return (unnamedQuery(statement) as Promise<unknown>).catch((error: { code?: string }) => {
      if (error?.code === PLAN_RESULT_CHANGED) forget(text, name);
      throw error;
    });
  };
}

/** The text of a statement worth naming: parameterised, not already named, not a submittable (cursor, COPY). */
function eligibleText(config: unknown, values: unknown): string | undefined {
  if (typeof config === 'string') return Array.isArray(values) && values.length > 0 ? config : undefined;
  if (config === null || typeof config !== 'object') return undefined;
  const statement = config as QueryConfig & { submit?: unknown };
  if (typeof statement.submit === 'function' || statement.name || typeof statement.text !== 'string') return undefined;
  const params = Array.isArray(values) ? values : statement.values;
  return params && params.length > 0 ? statement.text : undefined;
}

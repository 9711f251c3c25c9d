import type { Pool } from 'pg';
import { generateServerKey, generateWriteKey, hashWriteKey, writeKeyPrefix } from '../../server/sources/write-key';

/**
 * A source with both keys, written straight to the table: for suites and benchmarks that run the server as a
 * child process (in-process suites use `SourcesService.rotateServerKey`).
 */
export async function insertStorefrontSource(pool: Pool, name: string): Promise<{ id: string; writeKey: string; serverKey: string }> {
  const writeKey = generateWriteKey();
  const serverKey = generateServerKey();
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO sources (name, write_key_hash, write_key_prefix, server_key_hash, server_key_prefix) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [name, hashWriteKey(writeKey), writeKeyPrefix(writeKey), hashWriteKey(serverKey), writeKeyPrefix(serverKey)],
  );
  return { id: rows[0].id, writeKey, serverKey };
}

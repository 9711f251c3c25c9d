import { createHash } from 'node:crypto';
import { ConflictException, UnprocessableEntityException } from '@nestjs/common';
import type { Pool } from 'pg';
import { invalidRequest } from '../../http/resource-http';

/** An answer as it is sent and stored: the status and the JSON body. */
export interface StoredAnswer {
  status: number;
  body: Record<string, unknown>;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/** The `Idempotency-Key` header: 1–255 visible ASCII characters, as Stripe takes them; 400 naming the header otherwise. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (!KEY.test(value)) throw invalidRequest([{ path: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters (a UUID is a good key)' }]);
  return value;
}

/** Same route and same body, byte-for-byte after key ordering, give the same hash. */
export function requestHash(route: string, body: unknown): string {
  return createHash('sha256').update(route).update('\n').update(canonicalJson(body ?? {})).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export type Claim = { kind: 'claimed' } | { kind: 'replay'; answer: StoredAnswer } | { kind: 'in_progress' };

/**
 * Claims the key for this request: first use claims it; the same body again replays the stored answer (or is
 * still in progress); another body under the same key is a 422.
 */
export async function claimKey(client: Pool, sourceId: string, key: string, hash: string, checkoutId: string): Promise<Claim> {
  const inserted = await client.query(
    `INSERT INTO idempotency_keys (source_id, key, request_hash, checkout_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING key`,
    [sourceId, key, hash, checkoutId],
  );
  if (inserted.rowCount === 1) return { kind: 'claimed' };
  const { rows } = await client.query<{ request_hash: string; status: number | null; response: Record<string, unknown> | null }>(
    `SELECT request_hash, status, response FROM idempotency_keys WHERE source_id = $1 AND key = $2`,
    [sourceId, key],
  );
  const row = rows[0];
  if (!row) return claimKey(client, sourceId, key, hash, checkoutId);
  if (row.request_hash !== hash) {
    throw new UnprocessableEntityException({ error: 'idempotency_key_reused', message: 'this Idempotency-Key was used with another request body (or route); use a new key for a new request' });
  }
  if (row.status === null) return { kind: 'in_progress' };
  return { kind: 'replay', answer: { status: row.status, body: row.response ?? {} } };
}

export async function storeAnswer(client: Pool, sourceId: string, key: string, answer: StoredAnswer) {
  await client.query(`UPDATE idempotency_keys SET status = $3, response = $4, completed_at = now() WHERE source_id = $1 AND key = $2`, [sourceId, key, answer.status, answer.body]);
}

/** Frees a key whose request ended without a final answer (payment pending, provider down), so the client may retry with it. */
export async function releaseKey(client: Pool, sourceId: string, key: string) {
  await client.query(`DELETE FROM idempotency_keys WHERE source_id = $1 AND key = $2 AND status IS NULL`, [sourceId, key]);
}

export function requestInProgress() {
  return new ConflictException({ error: 'request_in_progress', message: 'a request with this Idempotency-Key is still being processed; retry it in a moment' });
}

import type { Pool } from 'pg';
import type { SmtpPeer } from '../e2e/peers/smtp-peer';
import { percentile } from './checkout-load';

/** Reminders due this long ago and still not sent at the end count as lost. */
const OVERDUE_MS = 30_000;
/** Time the worker gets, once the load stops, to finish sends already in flight. */
const GRACE_MS = 10_000;

export interface SendingOutcome {
  sent: number;
  failed: number;
  overdue: number;
  /** Messages the SMTP peer received more than once (same Message-ID). */
  duplicates: number;
  /** Reminders the SMTP peer received for shoppers who had already ordered (the order must cancel them). */
  toOrdered: number;
  /** Everything the SMTP peer received, once the in-flight sends had finished. */
  received: number;
  errors: number;
  latenessP99Ms: number;
  firstError?: string;
}

/** How the run's reminders went, from the messages table (the truth) and what the SMTP peer received. */
export async function sendingOutcome(pool: Pool, smtp: SmtpPeer, since: Date, wasOrdered: (recipient: string) => boolean): Promise<SendingOutcome> {
  await new Promise((resolve) => setTimeout(resolve, GRACE_MS));
  const { rows } = await pool.query<{ failed: number; overdue: number; sent: number; first_failure: string | null }>(
    `SELECT count(*) FILTER (WHERE status = 'failed')::int AS failed,
            count(*) FILTER (WHERE status IN ('planned', 'sending') AND scheduled_for < now() - make_interval(secs => $1 / 1000.0))::int AS overdue,
            count(*) FILTER (WHERE status IN ('sent', 'delivered'))::int AS sent,
            (array_agg(status || ' ' || channel || ' due ' || scheduled_for::text) FILTER (WHERE status = 'failed' OR (status IN ('planned', 'sending') AND scheduled_for < now() - make_interval(secs => $1 / 1000.0))))[1] AS first_failure
       FROM messages WHERE created_at >= $2`,
    [OVERDUE_MS, since],
  );
  const lateness = (
    await pool.query<{ ms: number }>(`SELECT extract(epoch FROM (sent_at - scheduled_for)) * 1000 AS ms FROM messages WHERE sent_at IS NOT NULL AND created_at >= $1`, [since])
  ).rows.map((r) => Number(r.ms));
  const seen = new Set<string>();
  let duplicates = 0;
  for (const m of smtp.messages) {
    const id = m.messageId ?? m.raw;
    if (seen.has(id)) duplicates++;
    seen.add(id);
  }
  const toOrdered = smtp.messages.filter((m) => m.to.some(wasOrdered)).length;
  const { failed, overdue, sent } = rows[0];
  const errors = failed + overdue + duplicates + toOrdered;
  const firstError =
    rows[0].first_failure ??
    (duplicates ? `${duplicates} messages received twice by the SMTP peer` : toOrdered ? `${toOrdered} reminders sent to shoppers who had ordered` : undefined);
  return { sent, failed, overdue, duplicates, toOrdered, received: smtp.messages.length, errors, latenessP99Ms: percentile(lateness, 99), firstError: errors ? firstError : undefined };
}

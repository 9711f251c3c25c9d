import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import type { ChannelKind } from '../../../campaigns/types';
import { PG_POOL } from '../../database/database';
import { inTransaction, TransactionScope } from '../../database/transaction';
import { customerRow } from '../../ingestion/projection/customer-row';
import { mergeCustomerRows } from '../../ingestion/projection/customer-merge';
import { stamp } from '../../ingestion/projection/lww';
import { sendLockKey } from '../suppression/send-lock';

export interface OptOut {
  channel: ChannelKind;
  at: Date;
  /** What said so, e.g. `twilio:SM…` or `unsubscribe:<message id>`; becomes the consent statement's `by`. */
  by: string;
}

/**
 * Withdraws consent for a channel and, in the same transaction, cancels every message still planned on
 * that channel for the customer: an unsubscribe takes effect at once. Consent merges like any other
 * consent statement (the latest wins), so a later opt-in event can grant it again.
 */
@Injectable()
export class OptOutService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** `within`: more work for the same transaction (e.g. the console's audit row), after the opt-out; it sees the cancelled count. */
  async optOutCustomer(customerId: string, optOut: OptOut, within?: (scope: TransactionScope, cancelled: number) => Promise<void>): Promise<number> {
    return inTransaction(this.pool, async (scope) => {
      const cancelled = await this.apply(scope, [customerId], optOut);
      if (within) await within(scope, cancelled);
      return cancelled;
    });
  }

  /** Every customer with this phone number (E.164) opts out; returns how many customers that was. */
  async optOutPhone(phone: string, optOut: OptOut): Promise<number> {
    return inTransaction(this.pool, async (scope) => {
      const { rows } = await scope.client.query<{ id: string }>('SELECT id FROM customers WHERE phone = $1 ORDER BY id', [phone]);
      await this.apply(
        scope,
        rows.map((r) => r.id),
        optOut,
      );
      return rows.length;
    });
  }

  private async apply(scope: TransactionScope, customerIds: string[], optOut: OptOut): Promise<number> {
    if (customerIds.length === 0) return 0;
    const at = optOut.at.getTime();
    const rows = customerIds.map((id) =>
      customerRow(id, null, { consent: { [optOut.channel]: stamp(false, at, optOut.by) }, firstSeenAt: at, lastSeenAt: at }, optOut.at),
    );
    // Like an order, an opt-out waits for a send in flight on that channel: nothing goes out after it commits.
    // The send locks come first, before any row lock, in the same order sends take them.
    await scope.client.query(
      `SELECT pg_advisory_xact_lock(hashtextextended(k, 0))
         FROM (SELECT DISTINCT $3 || checkout_id::text AS k FROM messages
                WHERE customer_id = ANY($1::uuid[]) AND channel = $2 AND status IN ('planned', 'sending') ORDER BY 1) s`,
      [customerIds, optOut.channel, sendLockKey('')],
    );
    await mergeCustomerRows.run(scope.client, rows);
    const cancelled = await scope.client.query(
      `UPDATE messages SET status = 'cancelled', cancel_reason = 'unsubscribed', updated_at = now()
        WHERE customer_id = ANY($1::uuid[]) AND channel = $2 AND status = 'planned'`,
      [customerIds, optOut.channel],
    );
    return cancelled.rowCount ?? 0;
  }
}

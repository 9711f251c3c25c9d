import { Inject, Injectable } from '@nestjs/common';
import { auditLog } from '../../../models/admin';
import { CLOCK, Clock } from '../../common/clock';
import { DATABASE, Database, Transaction } from '../../database/database';
import type { AdminIdentity } from '../auth/admin-identity';

export interface AuditEntry {
  action: string;
  resource: string;
  resourceId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Records who changed what; write it in the same transaction as the change so neither exists without the other. */
@Injectable()
export class AuditLog {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async record(who: AdminIdentity, entry: AuditEntry, executor: Database | Transaction = this.db): Promise<void> {
    await executor.insert(auditLog).values({
      at: this.clock.now(),
      userId: who.userId,
      actor: who.actor,
      action: entry.action,
      resource: entry.resource,
      resourceId: entry.resourceId ?? null,
      before: entry.before ?? null,
      after: entry.after ?? null,
    });
  }
}

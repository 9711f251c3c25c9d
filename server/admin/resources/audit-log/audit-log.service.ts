import { Inject, Injectable } from '@nestjs/common';
import { and, asc, count, desc, eq, gte, ilike, lte, type SQL } from 'drizzle-orm';
import { auditLog } from '../../../../models/admin';
import { DATABASE, Database } from '../../../database/database';
import type { ListQuery } from '../../http/list-query';
import { containsPattern, dateFilter, notFound, stringFilter } from '../../../http/resource-http';
import { AUDIT_LIST } from './audit-log.schema';

type AuditListQuery = ListQuery<(typeof AUDIT_LIST.filters)[number], (typeof AUDIT_LIST.sortable)[number]>;

/** Reading the audit log: who changed what, when, with the record before and after. */
@Injectable()
export class AuditLogAdminService {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async list(query: AuditListQuery) {
    const f = query.filter;
    const where: SQL[] = [];
    const resource = stringFilter(f.resource, 'resource');
    if (resource) where.push(eq(auditLog.resource, resource));
    const resourceId = stringFilter(f.resourceId, 'resourceId');
    if (resourceId) where.push(eq(auditLog.resourceId, resourceId));
    const action = stringFilter(f.action, 'action');
    if (action) where.push(eq(auditLog.action, action));
    const actor = stringFilter(f.actor, 'actor');
    if (actor) where.push(ilike(auditLog.actor, containsPattern(actor)));
    const from = dateFilter(f.from, 'from');
    if (from) where.push(gte(auditLog.at, from));
    const to = dateFilter(f.to, 'to');
    if (to) where.push(lte(auditLog.at, to));
    const condition = where.length > 0 ? and(...where) : undefined;
    const [rows, [{ total }]] = await Promise.all([
      this.db
        .select()
        .from(auditLog)
        .where(condition)
        .orderBy(query.sort.order === 'ASC' ? asc(auditLog.at) : desc(auditLog.at), asc(auditLog.id))
        .limit(query.limit)
        .offset(query.offset),
      this.db.select({ total: count() }).from(auditLog).where(condition),
    ]);
    return { rows, total };
  }

  async get(id: string) {
    const [row] = await this.db.select().from(auditLog).where(eq(auditLog.id, id));
    if (!row) throw notFound('audit log entry', id);
    return row;
  }
}

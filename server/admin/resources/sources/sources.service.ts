import { Inject, Injectable } from '@nestjs/common';
import { and, asc, count, desc, eq, ilike, type SQL } from 'drizzle-orm';
import { sources, type Source } from '../../../../models';
import { DATABASE, Database } from '../../../database/database';
import { SourcesService } from '../../../sources/sources.service';
import type { AdminIdentity } from '../../auth/admin-identity';
import { AuditLog } from '../../audit/audit-log.service';
import type { ListQuery } from '../../http/list-query';
import { booleanFilter, containsPattern, notFound, parseBody, stringFilter } from '../../../http/resource-http';
import { SOURCE_LIST, sourceCreateSchema, sourceUpdateSchema } from './sources.schema';

type SourceListQuery = ListQuery<(typeof SOURCE_LIST.filters)[number], (typeof SOURCE_LIST.sortable)[number]>;

/** A source as the console sees it: no key hash, no Shopify secret (only whether there is one). */
export function publicSource(s: Source) {
  return {
    id: s.id,
    name: s.name,
    enabled: s.enabled,
    writeKeyPrefix: s.writeKeyPrefix,
    allowedOrigins: s.allowedOrigins,
    requireEmailOptIn: s.requireEmailOptIn,
    defaultCurrency: s.defaultCurrency,
    hasShopifySecret: s.shopifySecret !== null,
    createdAt: s.createdAt,
    disabledAt: s.disabledAt,
  };
}

/** Sources for the console, through SourcesService (which tells every replica about a change). */
@Injectable()
export class SourcesAdminService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    private readonly sourcesService: SourcesService,
    private readonly audit: AuditLog,
  ) {}

  async list(query: SourceListQuery) {
    const where: SQL[] = [];
    const q = stringFilter(query.filter.q, 'q');
    if (q) where.push(ilike(sources.name, containsPattern(q)));
    const enabled = booleanFilter(query.filter.enabled, 'enabled');
    if (enabled !== undefined) where.push(eq(sources.enabled, enabled));
    const condition = where.length > 0 ? and(...where) : undefined;
    const column = sources[query.sort.field];
    const [rows, [{ total }]] = await Promise.all([
      this.db.select().from(sources).where(condition).orderBy(query.sort.order === 'ASC' ? asc(column) : desc(column), asc(sources.id)).limit(query.limit).offset(query.offset),
      this.db.select({ total: count() }).from(sources).where(condition),
    ]);
    return { rows: rows.map(publicSource), total };
  }

  async get(id: string) {
    const [row] = await this.db.select().from(sources).where(eq(sources.id, id));
    if (!row) throw notFound('source', id);
    return publicSource(row);
  }

  /** The new source, with its write key: the only time the key is ever shown. */
  async create(body: unknown, who: AdminIdentity) {
    const input = parseBody(sourceCreateSchema, body);
    let stored: Source | undefined;
    const created = await this.sourcesService.create(input, async (tx, row) => {
      stored = row;
      await this.audit.record(who, { action: 'create', resource: 'sources', resourceId: row.id, after: auditable(row) }, tx);
    });
    return { ...publicSource(stored!), writeKey: created.writeKey };
  }

  async update(id: string, body: unknown, who: AdminIdentity) {
    const changes = parseBody(sourceUpdateSchema, body);
    const row = await this.sourcesService.update(id, changes, async (tx, before, after) => {
      await this.audit.record(
        who,
        { action: 'update', resource: 'sources', resourceId: id, before: auditable(before), after: { ...auditable(after), shopifySecretChanged: before.shopifySecret !== after.shopifySecret } },
        tx,
      );
    });
    if (!row) throw notFound('source', id);
    return publicSource(row);
  }
}

/** What the audit log keeps of a source: never the key hash nor the Shopify secret, only whether there is one. */
function auditable(s: Source) {
  const { shopifySecret, writeKeyHash: _hash, ...rest } = s;
  return { ...rest, hasShopifySecret: shopifySecret !== null };
}

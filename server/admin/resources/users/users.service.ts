import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { and, asc, count, desc, eq, ilike, isNotNull, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import { ADMIN_ROLES, adminRefreshTokens, adminUsers, type AdminUserRow } from '../../../../models/admin';
import { CLOCK, Clock } from '../../../common/clock';
import { DATABASE, Database, Transaction } from '../../../database/database';
import type { AdminIdentity } from '../../auth/admin-identity';
import { hashPassword } from '../../auth/passwords';
import { AuditLog } from '../../audit/audit-log.service';
import type { ListQuery } from '../../http/list-query';
import { booleanFilter, containsPattern, enumFilter, notFound, parseBody, stringFilter } from '../../../http/resource-http';
import { USER_LIST, userCreateSchema, userUpdateSchema } from './users.schema';

type UserListQuery = ListQuery<(typeof USER_LIST.filters)[number], (typeof USER_LIST.sortable)[number]>;

/** A console user as shown: never the password hash. */
export function publicUser(u: AdminUserRow) {
  return { id: u.id, email: u.email, name: u.name, role: u.role, disabled: u.disabledAt !== null, disabledAt: u.disabledAt, lastLoginAt: u.lastLoginAt, createdAt: u.createdAt };
}

const lastAdmin = () =>
  new ConflictException({ error: 'last_admin', message: 'this is the last enabled admin: make another user an admin first', problems: [{ path: 'role', message: 'the last admin must stay an enabled admin' }] });

/** Console users (admins only): create, change role or name, reset a password, disable. */
@Injectable()
export class UsersAdminService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async list(query: UserListQuery) {
    const where: SQL[] = [];
    const q = stringFilter(query.filter.q, 'q');
    if (q) where.push(or(ilike(adminUsers.email, containsPattern(q)), ilike(adminUsers.name, containsPattern(q)))!);
    const role = enumFilter(query.filter.role, 'role', ADMIN_ROLES);
    if (role) where.push(eq(adminUsers.role, role));
    const disabled = booleanFilter(query.filter.disabled, 'disabled');
    if (disabled !== undefined) where.push(disabled ? isNotNull(adminUsers.disabledAt) : isNull(adminUsers.disabledAt));
    const condition = where.length > 0 ? and(...where) : undefined;
    const column = adminUsers[query.sort.field];
    const order = query.sort.order === 'ASC' ? sql`${column} ASC NULLS LAST` : sql`${column} DESC NULLS LAST`;
    const [rows, [{ total }]] = await Promise.all([
      this.db.select().from(adminUsers).where(condition).orderBy(order, asc(adminUsers.id)).limit(query.limit).offset(query.offset),
      this.db.select({ total: count() }).from(adminUsers).where(condition),
    ]);
    return { rows: rows.map(publicUser), total };
  }

  async get(id: string) {
    const [row] = await this.db.select().from(adminUsers).where(eq(adminUsers.id, id));
    if (!row) throw notFound('user', id);
    return publicUser(row);
  }

  async create(body: unknown, who: AdminIdentity) {
    const input = parseBody(userCreateSchema, body);
    const passwordHash = await hashPassword(input.password);
    const row = await this.db.transaction(async (tx) => {
      const [created] = await tx
        .insert(adminUsers)
        .values({ email: input.email, name: input.name ?? null, role: input.role, passwordHash, createdAt: this.clock.now() })
        .onConflictDoNothing()
        .returning();
      if (!created) throw new ConflictException({ error: 'email_taken', message: `a user with email ${input.email} exists already`, problems: [{ path: 'email', message: 'is taken' }], errors: { email: 'is taken' } });
      await this.audit.record(who, { action: 'create', resource: 'users', resourceId: created.id, after: publicUser(created) }, tx);
      return created;
    });
    return publicUser(row);
  }

  async update(id: string, body: unknown, who: AdminIdentity) {
    const changes = parseBody(userUpdateSchema, body);
    const passwordHash = changes.password ? await hashPassword(changes.password) : undefined;
    const row = await this.db.transaction(async (tx) => {
      const [before] = await tx.select().from(adminUsers).where(eq(adminUsers.id, id)).for('update');
      if (!before) throw notFound('user', id);
      const losesAdmin = before.role === 'admin' && before.disabledAt === null && ((changes.role !== undefined && changes.role !== 'admin') || changes.disabled === true);
      if (losesAdmin && !(await this.anotherEnabledAdmin(tx, id))) throw lastAdmin();
      const now = this.clock.now();
      const disabledChange = changes.disabled === undefined || changes.disabled === (before.disabledAt !== null) ? {} : { disabledAt: changes.disabled ? now : null };
      const set = {
        ...(changes.role !== undefined ? { role: changes.role } : {}),
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(passwordHash ? { passwordHash } : {}),
        ...disabledChange,
      };
      // Nothing to change (`{}`, or `disabled` as it already is): an UPDATE without columns would be a 500.
      const [after] = Object.keys(set).length ? await tx.update(adminUsers).set(set).where(eq(adminUsers.id, id)).returning() : [before];
      // Disabled, demoted or given a new password: the sessions it had end (an access token lives at most 15 min).
      if (changes.disabled || passwordHash || (changes.role !== undefined && changes.role !== before.role)) {
        await tx.update(adminRefreshTokens).set({ revokedAt: now }).where(and(eq(adminRefreshTokens.userId, id), isNull(adminRefreshTokens.revokedAt)));
      }
      await this.audit.record(who, { action: 'update', resource: 'users', resourceId: id, before: publicUser(before), after: { ...publicUser(after), passwordChanged: !!passwordHash } }, tx);
      return after;
    });
    return publicUser(row);
  }

  /** Locks the other enabled admins (so two concurrent demotions cannot both pass) and says whether there is one. */
  private async anotherEnabledAdmin(tx: Transaction, id: string): Promise<boolean> {
    const others = await tx
      .select({ id: adminUsers.id })
      .from(adminUsers)
      .where(and(eq(adminUsers.role, 'admin'), isNull(adminUsers.disabledAt), ne(adminUsers.id, id)))
      .orderBy(desc(adminUsers.id))
      .for('update');
    return others.length > 0;
  }
}

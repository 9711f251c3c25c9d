import { Inject, Injectable } from '@nestjs/common';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { ADMIN_ROLES, adminRefreshTokens, type AdminRole, adminUsers } from '../../../models/admin';
import { CLOCK, Clock } from '../../common/clock';
import { DATABASE, Database } from '../../database/database';
import { hashPassword, MAX_PASSWORD_BYTES, verifyPassword } from './passwords';
import { hashRefreshToken, REFRESH_TOKEN_TTL_S, SessionTokens } from './session-tokens';

export const newAdminUserSchema = z
  .object({
    email: z.email({ message: 'must be an email address' }).max(320).transform((e) => e.toLowerCase()),
    password: z
      .string()
      .min(12, 'must be at least 12 characters')
      .refine((p) => Buffer.byteLength(p) <= MAX_PASSWORD_BYTES, `must be at most ${MAX_PASSWORD_BYTES} bytes`),
    role: z.enum(ADMIN_ROLES as [AdminRole, ...AdminRole[]], { message: `must be one of ${ADMIN_ROLES.join(', ')}` }),
    name: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

export type NewAdminUser = z.input<typeof newAdminUserSchema>;

export interface PublicAdminUser {
  id: string;
  email: string;
  name: string | null;
  role: AdminRole;
}

/** A user as a session sees them: with the stamp of their current password. */
export interface SessionUser extends PublicAdminUser {
  credential: string;
}

export type CreateUserResult = { ok: true; user: PublicAdminUser } | { ok: false; reason: 'email_taken' };

/** Console users: creation, sign-in, and the refresh tokens that keep a session going. */
@Injectable()
export class AdminUsers {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly tokens: SessionTokens,
  ) {}

  /** Validates (throws a ZodError naming the field) and creates; an email already used is refused. */
  async create(input: NewAdminUser): Promise<CreateUserResult> {
    const valid = newAdminUserSchema.parse(input);
    const [row] = await this.db
      .insert(adminUsers)
      .values({ email: valid.email, name: valid.name ?? null, role: valid.role, passwordHash: await hashPassword(valid.password) })
      .onConflictDoNothing()
      .returning();
    if (!row) return { ok: false, reason: 'email_taken' };
    return { ok: true, user: publicAdminUser(row) };
  }

  /** The user when the email and password match an enabled account; null otherwise, whichever was wrong. */
  async verifyLogin(email: string, password: string): Promise<SessionUser | null> {
    const [row] = await this.db.select().from(adminUsers).where(eq(adminUsers.email, email.trim().toLowerCase()));
    const matches = await verifyPassword(row?.passwordHash ?? null, password);
    if (!row || !matches || row.disabledAt) return null;
    await this.db.update(adminUsers).set({ lastLoginAt: this.clock.now() }).where(eq(adminUsers.id, row.id));
    return this.sessionUser(row);
  }

  async get(id: string): Promise<PublicAdminUser | null> {
    const user = await this.getForSession(id);
    return user && publicAdminUser(user);
  }

  /** An enabled user with the stamp of their current password (what an access token must carry to be honoured). */
  async getForSession(id: string): Promise<SessionUser | null> {
    const [row] = await this.db.select().from(adminUsers).where(and(eq(adminUsers.id, id), isNull(adminUsers.disabledAt)));
    return row ? this.sessionUser(row) : null;
  }

  /** A new session (or the next tokens of `sessionId`): an access token and a refresh token. */
  async openSession(user: SessionUser, sessionId = this.tokens.newSessionId()): Promise<{ access: string; refresh: string }> {
    const now = this.clock.now();
    const refresh = this.tokens.newRefreshToken(sessionId);
    await this.db.insert(adminRefreshTokens).values({ userId: user.id, tokenHash: refresh.hash, expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_S * 1000) });
    const claims = { userId: user.id, email: user.email, role: user.role, sessionId, credential: user.credential };
    return { access: await this.tokens.issueAccess(claims, now), refresh: refresh.token };
  }

  private sessionUser(row: typeof adminUsers.$inferSelect): SessionUser {
    return { ...publicAdminUser(row), credential: this.tokens.credentialStamp(row.passwordHash) };
  }

  /**
   * Trades a refresh token for a new pair (the old one is revoked: a stolen token works once at most, and
   * its reuse shows). Null when the token is unknown, used, expired, or its user was disabled.
   */
  async refresh(token: string): Promise<{ user: PublicAdminUser; access: string; refresh: string } | null> {
    const now = this.clock.now();
    // A token from before sessions had ids starts a new session id; a signed-out session renews nothing.
    const sessionId = this.tokens.sessionOf(token) ?? this.tokens.newSessionId();
    if (await this.tokens.isRevoked(sessionId)) return null;
    const [used] = await this.db
      .update(adminRefreshTokens)
      .set({ revokedAt: now })
      .where(and(eq(adminRefreshTokens.tokenHash, hashRefreshToken(token)), isNull(adminRefreshTokens.revokedAt), gt(adminRefreshTokens.expiresAt, now)))
      .returning({ userId: adminRefreshTokens.userId });
    if (!used) return null;
    const user = await this.getForSession(used.userId);
    if (!user) return null;
    return { user: publicAdminUser(user), ...(await this.openSession(user, sessionId)) };
  }

  /** Signs a session out: its refresh token is revoked, and its access tokens stop working at once. */
  async closeSession(refreshToken: string | undefined, accessSessionId: string | null): Promise<void> {
    const sessions = new Set([accessSessionId, refreshToken ? this.tokens.sessionOf(refreshToken) : null].filter((id): id is string => id !== null));
    await Promise.all([...sessions].map((id) => this.tokens.revokeSession(id)));
    if (refreshToken) {
      await this.db
        .update(adminRefreshTokens)
        .set({ revokedAt: this.clock.now() })
        .where(and(eq(adminRefreshTokens.tokenHash, hashRefreshToken(refreshToken)), isNull(adminRefreshTokens.revokedAt)));
    }
  }
}

/** Only the public fields (never the credential stamp). */
export function publicAdminUser(row: PublicAdminUser): PublicAdminUser {
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}

import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { jwtVerify, SignJWT } from 'jose';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { ADMIN_ROLES, type AdminRole } from '../../../models/admin';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { REDIS } from '../../redis/redis.module';
import { SettingsService } from '../../settings/settings.service';

/** An access token lives this long; the console refreshes it with its refresh token. */
export const ACCESS_TOKEN_TTL_S = 15 * 60;
export const REFRESH_TOKEN_TTL_S = 7 * 24 * 3600;
export const ACCESS_COOKIE = 'cr_admin_access';
export const REFRESH_COOKIE = 'cr_admin_refresh';

export interface AccessClaims {
  userId: string;
  email: string;
  role: AdminRole;
  /** The sign-in this token belongs to; every refresh of it keeps the id, so signing out ends all its tokens. */
  sessionId: string;
  /** A stamp of the password the session was opened with (credentialStamp): a new password ends every session. */
  credential: string;
}

/** A session id: the first part of each of its refresh tokens (`<session id>.<secret>`). */
const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

/**
 * Short-lived access JWTs (HS256, secret generated on first start and shared by every process), opaque refresh
 * tokens, and the revocation of a session's access tokens the moment it signs out.
 */
@Injectable()
export class SessionTokens implements OnModuleInit {
  private secret!: Uint8Array;

  constructor(
    private readonly settings: SettingsService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit() {
    const encoded = await this.settings.getOrCreate('admin_jwt_secret', () => randomBytes(32).toString('base64url'));
    this.secret = Buffer.from(encoded, 'base64url');
  }

  async issueAccess(claims: AccessClaims, now: Date): Promise<string> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    return new SignJWT({ email: claims.email, role: claims.role, sid: claims.sessionId, cred: claims.credential })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.userId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ACCESS_TOKEN_TTL_S)
      .setAudience('checkout-recovery-console')
      .sign(this.secret);
  }

  /** The claims of a valid, unexpired token; null for anything else. */
  async verifyAccess(token: string, now: Date): Promise<AccessClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        audience: 'checkout-recovery-console',
        currentDate: now,
      });
      const role = payload.role as AdminRole;
      const { sub, email, sid, cred } = payload;
      if (typeof sub !== 'string' || typeof email !== 'string' || !ADMIN_ROLES.includes(role)) return null;
      // Tokens from before sessions had ids cannot be revoked, so they are not honoured.
      if (typeof sid !== 'string' || !SESSION_ID.test(sid) || typeof cred !== 'string') return null;
      return { userId: sub, email, role, sessionId: sid, credential: cred };
    } catch {
      return null;
    }
  }

  newSessionId(): string {
    return randomBytes(16).toString('base64url');
  }

  /** A refresh token of the session: its id, then the secret part. */
  newRefreshToken(sessionId: string): { token: string; hash: string } {
    const token = `${sessionId}.${randomBytes(32).toString('base64url')}`;
    return { token, hash: hashRefreshToken(token) };
  }

  /** The session a refresh token belongs to (null for a token from before sessions had ids). */
  sessionOf(refreshToken: string): string | null {
    const id = refreshToken.split('.')[0];
    return refreshToken.includes('.') && SESSION_ID.test(id) ? id : null;
  }

  /** Changes whenever the password does; not reversible to the hash (keyed with the token secret). */
  credentialStamp(passwordHash: string): string {
    return createHmac('sha256', this.secret).update(passwordHash).digest('base64url').slice(0, 22);
  }

  /**
   * Ends a session's access tokens at once on every replica (they all read the same Redis). Kept for as long as
   * one of its access tokens could still be unexpired; its refresh tokens are revoked in the database.
   */
  async revokeSession(sessionId: string): Promise<void> {
    await this.redis.set(this.revokedKey(sessionId), '1', 'EX', ACCESS_TOKEN_TTL_S + 60);
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    return (await this.redis.exists(this.revokedKey(sessionId))) === 1;
  }

  private revokedKey(sessionId: string): string {
    return `${this.config.redisPrefix}:admin-session-revoked:${sessionId}`;
  }
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

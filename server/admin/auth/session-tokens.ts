import { Injectable, OnModuleInit } from '@nestjs/common';
import { jwtVerify, SignJWT } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import { ADMIN_ROLES, type AdminRole } from '../../../models/admin';
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
}

/** Short-lived access JWTs (HS256, secret generated on first start and shared by every process) and opaque refresh tokens. */
@Injectable()
export class SessionTokens implements OnModuleInit {
  private secret!: Uint8Array;

  constructor(private readonly settings: SettingsService) {}

  async onModuleInit() {
    const encoded = await this.settings.getOrCreate('admin_jwt_secret', () => randomBytes(32).toString('base64url'));
    this.secret = Buffer.from(encoded, 'base64url');
  }

  async issueAccess(claims: AccessClaims, now: Date): Promise<string> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    return new SignJWT({ email: claims.email, role: claims.role })
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
      if (typeof payload.sub !== 'string' || typeof payload.email !== 'string' || !ADMIN_ROLES.includes(role)) return null;
      return { userId: payload.sub, email: payload.email, role };
    } catch {
      return null;
    }
  }

  newRefreshToken(): { token: string; hash: string } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: hashRefreshToken(token) };
  }
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

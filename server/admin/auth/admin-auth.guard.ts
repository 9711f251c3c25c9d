import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AdminRole } from '../../../models/admin';
import { CLOCK, Clock } from '../../common/clock';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import type { AdminIdentity } from './admin-identity';
import { ADMIN_ROLES_KEY } from './roles.decorator';
import { AdminUsers } from './admin-users.service';
import { ACCESS_COOKIE, SessionTokens } from './session-tokens';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Every admin API route: a console session (the access cookie, or its JWT as a bearer token) of an enabled
 * user, or the operations token (ADMIN_API_TOKEN, acting as an admin). Then the route's roles, if it names any.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: SessionTokens,
    private readonly users: AdminUsers,
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const identity = await this.identify(request);
    if (!identity) throw new UnauthorizedException({ error: 'unauthorized', message: 'sign in to the console (or send the operations token)' });
    request.adminIdentity = identity;
    const roles = this.reflector.getAllAndOverride<AdminRole[] | undefined>(ADMIN_ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (roles && !roles.includes(identity.role)) {
      throw new ForbiddenException({ error: 'forbidden', message: `the ${identity.role} role cannot do this; it needs ${roles.join(' or ')}` });
    }
    return true;
  }

  private async identify(request: FastifyRequest): Promise<AdminIdentity | null> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const expected = this.config.adminApiToken;
    if (bearer && expected && timingSafeEqual(digest(bearer), digest(expected))) return { userId: null, actor: 'operations token', role: 'admin' };
    const token = bearer ?? request.cookies?.[ACCESS_COOKIE];
    if (!token) return null;
    const claims = await this.tokens.verifyAccess(token, this.clock.now());
    if (!claims) return null;
    // The token proves who signed in; the account as it is now decides: a disabled user is out at once, a
    // changed role applies to the next request, a changed password ends every session (one primary-key read),
    // and a signed-out session's tokens are refused on every replica (one Redis read).
    const [user, revoked] = await Promise.all([this.users.getForSession(claims.userId), this.tokens.isRevoked(claims.sessionId)]);
    if (!user || revoked || user.credential !== claims.credential) return null;
    return { userId: user.id, actor: user.email, role: user.role };
  }
}

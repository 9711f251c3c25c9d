import { Body, Controller, Get, HttpCode, HttpException, Inject, Post, Req, Res, UnauthorizedException, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CLOCK, Clock } from '../../common/clock';
import { parseBody } from '../../http/resource-http';
import { AdminAuthGuard } from './admin-auth.guard';
import type { AdminIdentity } from './admin-identity';
import { AdminUsers, publicAdminUser, type PublicAdminUser } from './admin-users.service';
import { CurrentAdmin } from './current-admin.decorator';
import { LoginThrottle } from './login-throttle';
import { ACCESS_COOKIE, ACCESS_TOKEN_TTL_S, REFRESH_COOKIE, REFRESH_TOKEN_TTL_S, SessionTokens } from './session-tokens';

export const loginSchema = z.object({ email: z.string().min(1, 'is required').max(320), password: z.string().min(1, 'is required').max(200) }).strict();

const WRONG = 'the email or the password is wrong';

/** Sign-in, session refresh and sign-out for the console; sessions live in httpOnly, SameSite=Strict cookies. */
@Controller('admin/api/auth')
export class AuthController {
  constructor(
    private readonly users: AdminUsers,
    private readonly throttle: LoginThrottle,
    private readonly tokens: SessionTokens,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('login')
  @HttpCode(200)
  async login(@Body() body: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ user: PublicAdminUser }> {
    const { email, password } = parseBody(loginSchema, body);
    // Counted before the password is read (a failure until it proves otherwise); refused unread while waiting.
    const wait = await this.throttle.attempt(request.ip, email);
    if (wait > 0) {
      void reply.header('Retry-After', String(wait));
      throw new HttpException({ error: 'too_many_requests', message: `too many failed sign-ins from this address; try again in ${wait} s` }, 429);
    }
    const user = await this.users.verifyLogin(email, password);
    if (!user) throw new UnauthorizedException({ error: 'unauthorized', message: WRONG });
    await this.throttle.succeeded(request.ip, email);
    this.setSession(request, reply, await this.users.openSession(user));
    return { user: publicAdminUser(user) };
  }

  /** A new access token (and a new refresh token) from the refresh cookie. */
  @Post('refresh')
  @HttpCode(200)
  async refresh(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ user: PublicAdminUser }> {
    const token = request.cookies?.[REFRESH_COOKIE];
    const renewed = token ? await this.users.refresh(token) : null;
    if (!renewed) {
      this.clearSession(reply);
      throw new UnauthorizedException({ error: 'unauthorized', message: 'the session has ended; sign in again' });
    }
    this.setSession(request, reply, renewed);
    return { user: renewed.user };
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    // Both the refresh token and the access token name the session: either one is enough to end it.
    const access = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? request.cookies?.[ACCESS_COOKIE];
    const claims = access ? await this.tokens.verifyAccess(access, this.clock.now()) : null;
    await this.users.closeSession(request.cookies?.[REFRESH_COOKIE], claims?.sessionId ?? null);
    this.clearSession(reply);
  }

  @Get('me')
  @UseGuards(AdminAuthGuard)
  me(@CurrentAdmin() who: AdminIdentity) {
    return { id: who.userId, email: who.actor, role: who.role };
  }

  private setSession(request: FastifyRequest, reply: FastifyReply, session: { access: string; refresh: string }) {
    const secure = request.protocol === 'https';
    void reply.setCookie(ACCESS_COOKIE, session.access, { httpOnly: true, sameSite: 'strict', secure, path: '/admin', maxAge: ACCESS_TOKEN_TTL_S });
    void reply.setCookie(REFRESH_COOKIE, session.refresh, { httpOnly: true, sameSite: 'strict', secure, path: '/admin/api/auth', maxAge: REFRESH_TOKEN_TTL_S });
  }

  private clearSession(reply: FastifyReply) {
    void reply.clearCookie(ACCESS_COOKIE, { path: '/admin' });
    void reply.clearCookie(REFRESH_COOKIE, { path: '/admin/api/auth' });
  }
}

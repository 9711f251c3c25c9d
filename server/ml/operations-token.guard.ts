import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/app-config';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The operations API (model versions, training runs) answers to the ADMIN_API_TOKEN bearer token; with no
 * token configured it is closed. Compared as digests so neither length nor content leaks through timing.
 */
@Injectable()
export class OperationsTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.adminApiToken;
    if (!expected) throw new UnauthorizedException({ error: 'unauthorized', message: 'the operations API is closed: set ADMIN_API_TOKEN to open it' });
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]), digest(expected))) {
      throw new UnauthorizedException({ error: 'unauthorized', message: 'send the operations token as "Authorization: Bearer <ADMIN_API_TOKEN>"' });
    }
    return true;
  }
}

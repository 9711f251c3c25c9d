import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AdminIdentity } from './admin-identity';

/** The caller the AdminAuthGuard identified. */
export const CurrentAdmin = createParamDecorator((_: unknown, context: ExecutionContext): AdminIdentity => {
  const identity = context.switchToHttp().getRequest<FastifyRequest>().adminIdentity;
  if (!identity) throw new Error('CurrentAdmin used on a route without AdminAuthGuard');
  return identity;
});

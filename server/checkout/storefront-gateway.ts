import { Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { invalidRequest } from '../http/resource-http';
import { AuthenticatedSource, SourcesService } from '../sources/sources.service';

const CUSTOMER_REF = /^[\x21-\x7e]{1,200}$/;

/** A merchant's customer id as it appears in a path: 1–200 visible ASCII characters; 400 naming `customer_id` otherwise. */
export function customerRefParam(value: string): string {
  if (!CUSTOMER_REF.test(value)) throw invalidRequest([{ path: 'customer_id', message: 'must be the merchant\'s customer id: 1–200 visible ASCII characters' }]);
  return value;
}

/**
 * Admits the storefront's back end to the checkout and profile routes: `Authorization: Bearer sk_...`, the
 * source's server key. Write keys are public (they sit in pages), so they never open these routes.
 */
@Injectable()
export class StorefrontGateway {
  constructor(private readonly sources: SourcesService) {}

  async admit(request: FastifyRequest): Promise<AuthenticatedSource> {
    const header = request.headers.authorization?.trim() ?? '';
    const [scheme, key = ''] = header.split(/\s+/, 2);
    if (!/^bearer$/i.test(scheme) || !key) {
      throw new UnauthorizedException({ error: 'unauthorized', message: 'missing server key: send "Authorization: Bearer sk_..." (see `npm run cli -- sources:server-key`)' });
    }
    if (key.startsWith('wk_')) throw new UnauthorizedException({ error: 'unauthorized', message: 'a write key cannot use this route: it needs the source\'s server key (sk_...)' });
    const source = await this.sources.authenticateServerKey(key);
    if (!source) throw new UnauthorizedException({ error: 'unauthorized', message: 'unknown or disabled server key' });
    return source;
  }
}

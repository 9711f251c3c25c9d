import { Controller, Get, Headers, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../../database/project-root';
import { VapidKeys } from './vapid-keys';

/** Unversioned URLs that sit in merchants' pages and service workers: cache briefly. */
const CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=86400';

interface Script {
  body: Buffer;
  etag: string;
}

function script(name: 'push-sw.js' | 'push.js'): Script {
  const body = readFileSync(join(projectRoot(), 'server', 'recovery', 'channels', 'push', name));
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  return !!ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === etag);
}

/**
 * `GET /v1/push/vapid-public-key` (the key browsers subscribe with), `GET /push-sw.js` (the service worker)
 * and `GET /push.js` (the storefront opt-in helper). All public and cacheable, readable from any origin.
 */
@Controller()
export class PushController {
  private readonly serviceWorker = script('push-sw.js');
  private readonly helper = script('push.js');

  constructor(private readonly vapid: VapidKeys) {}

  @Get('v1/push/vapid-public-key')
  publicKey(@Res() reply: FastifyReply): void {
    void reply
      .header('Cache-Control', CACHE_CONTROL)
      .header('Access-Control-Allow-Origin', '*')
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .send({ publicKey: this.vapid.publicKey });
  }

  @Get('push-sw.js')
  serviceWorkerScript(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() reply: FastifyReply): void {
    // Lets a page on this origin register it for scope "/" wherever it is served from.
    void reply.header('Service-Worker-Allowed', '/');
    this.serve(this.serviceWorker, ifNoneMatch, reply);
  }

  @Get('push.js')
  helperScript(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() reply: FastifyReply): void {
    this.serve(this.helper, ifNoneMatch, reply);
  }

  private serve(asset: Script, ifNoneMatch: string | undefined, reply: FastifyReply): void {
    void reply
      .header('Content-Type', 'application/javascript; charset=utf-8')
      .header('Cache-Control', CACHE_CONTROL)
      .header('ETag', asset.etag)
      .header('X-Content-Type-Options', 'nosniff')
      // Loaded from storefronts' origins: <script src>, importScripts() in their service worker, COEP pages.
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .header('Access-Control-Allow-Origin', '*');
    if (notModified(ifNoneMatch, asset.etag)) {
      void reply.status(304).send();
      return;
    }
    void reply.send(asset.body);
  }
}

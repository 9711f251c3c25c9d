import { Controller, Get, Headers, NotFoundException, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { join } from 'node:path';
import { projectRoot } from '../database/project-root';
import { etagMatches } from '../tracker/tracker.controller';
import { type ConsoleAsset, chooseEncoding, consoleContentSecurityPolicy, loadConsoleAssets } from './console-assets';

const CSP = consoleContentSecurityPolicy();

/** Where `npm run build` puts the console (Vite's `build.outDir`). */
export function consoleDir(): string {
  return join(projectRoot(), 'dist', 'admin');
}

/**
 * The react-admin console at /admin: its built files, and index.html for every other path under /admin
 * (client-side routes such as /admin/campaigns/42), except /admin/api/*, which stays the API's (an unknown
 * API path is a JSON 404, never the page).
 */
@Controller('admin')
export class ConsoleController {
  private assets: Map<string, ConsoleAsset> | null = loadConsoleAssets(consoleDir());

  @Get()
  root(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Headers('accept-encoding') encoding?: string, @Headers('if-none-match') ifNoneMatch?: string) {
    return this.serve(request, reply, '', encoding, ifNoneMatch);
  }

  @Get('*')
  any(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Headers('accept-encoding') encoding?: string, @Headers('if-none-match') ifNoneMatch?: string) {
    const path = decodeURIComponent(new URL(request.url, 'http://console').pathname).replace(/^\/admin\/?/, '');
    return this.serve(request, reply, path, encoding, ifNoneMatch);
  }

  private serve(_request: FastifyRequest, reply: FastifyReply, path: string, encoding: string | undefined, ifNoneMatch: string | undefined) {
    if (path === 'api' || path.startsWith('api/')) throw new NotFoundException({ error: 'not_found', message: `no admin API route /admin/${path}` });
    // Built after the server started (a dev rebuilding): look again.
    this.assets ??= loadConsoleAssets(consoleDir());
    if (!this.assets) {
      void reply
        .code(503)
        .header('Content-Type', 'text/plain; charset=utf-8')
        .header('Cache-Control', 'no-store')
        .send('The console is not built. Run `npm run build` (npm start does it), or `npm run dev:admin` for the dev server.\n');
      return;
    }
    let asset = this.assets.get(path);
    if (!asset) {
      // A missing hashed file is a real 404 (an old page asking for a file a new deploy replaced), not the page.
      if (path.startsWith('assets/') || /\.[a-z0-9]+$/i.test(path)) throw new NotFoundException({ error: 'not_found', message: `no console file /admin/${path}` });
      asset = this.assets.get('index.html')!;
    }
    const isPage = asset.path === 'index.html';
    const chosen = chooseEncoding(encoding, asset);
    // One validator per representation.
    const etag = chosen ? `${asset.etag.slice(0, -1)}-${chosen}"` : asset.etag;
    void reply
      .header('Content-Type', asset.type)
      .header('ETag', etag)
      .header('Vary', 'Accept-Encoding')
      .header('X-Content-Type-Options', 'nosniff')
      .header('Cache-Control', asset.immutable ? 'public, max-age=31536000, immutable' : isPage ? 'no-cache' : 'public, max-age=3600');
    if (isPage) {
      void reply
        .header('Content-Security-Policy', CSP)
        .header('X-Frame-Options', 'DENY')
        .header('Referrer-Policy', 'same-origin')
        .header('Cross-Origin-Opener-Policy', 'same-origin');
    }
    if (etagMatches(ifNoneMatch, etag)) {
      void reply.code(304).send();
      return;
    }
    if (chosen) void reply.header('Content-Encoding', chosen);
    void reply.send(chosen === 'br' ? asset.brotli : chosen === 'gzip' ? asset.gzip : asset.body);
  }
}

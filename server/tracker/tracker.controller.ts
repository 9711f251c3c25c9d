import { Controller, Get, Headers, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gzipSync } from 'node:zlib';
import { projectRoot } from '../database/project-root';

/** The tracker loads on every storefront page: past this many bytes gzipped the app refuses to start. */
export const TRACKER_MAX_GZIP_BYTES = 6 * 1024;

/** The URL is unversioned (it sits in merchants' themes), so caches may keep it only briefly. */
const CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=86400';

export interface TrackerAsset {
  plain: Buffer;
  gzipped: Buffer;
  /** Strong validators, one per representation. */
  etag: string;
  gzipEtag: string;
}

/** Compresses the tracker once, and throws if it is over budget. */
export function prepareTracker(source: string | Buffer, maxGzipBytes = TRACKER_MAX_GZIP_BYTES): TrackerAsset {
  const plain = Buffer.isBuffer(source) ? source : Buffer.from(source, 'utf8');
  const gzipped = gzipSync(plain, { level: constants.Z_BEST_COMPRESSION });
  if (gzipped.length > maxGzipBytes) {
    throw new Error(`tracker.js is ${gzipped.length} bytes gzipped, over its budget of ${maxGzipBytes} bytes: make it smaller before shipping it`);
  }
  const hash = createHash('sha256').update(plain).digest('base64url').slice(0, 27);
  return { plain, gzipped, etag: `"${hash}"`, gzipEtag: `"${hash}-gz"` };
}

export function trackerPath(): string {
  return join(projectRoot(), 'server', 'tracker', 'tracker.js');
}

/** Whether an `Accept-Encoding` header admits gzip (explicitly or through `*`) with a non-zero quality. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  const quality = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [coding, ...params] = part.split(';').map((s) => s.trim());
    if (!coding) continue;
    const q = params.find((p) => p.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    quality.set(coding, Number.isFinite(value) ? value : 0);
  }
  const q = quality.get('gzip') ?? quality.get('x-gzip') ?? quality.get('*');
  return q !== undefined && q > 0;
}

/** `If-None-Match` uses weak comparison: `W/` prefixes do not matter. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

/** Serves the browser tracker, gzipped when the client accepts it. */
@Controller()
export class TrackerController {
  private readonly asset = prepareTracker(readFileSync(trackerPath()));

  @Get('tracker.js')
  tracker(
    @Headers('accept-encoding') acceptEncoding: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): void {
    const gzip = acceptsGzip(acceptEncoding);
    const etag = gzip ? this.asset.gzipEtag : this.asset.etag;
    void reply
      .header('Content-Type', 'application/javascript; charset=utf-8')
      .header('Cache-Control', CACHE_CONTROL)
      .header('ETag', etag)
      .header('Vary', 'Accept-Encoding')
      .header('X-Content-Type-Options', 'nosniff')
      // Storefronts embed it cross-origin, some under Cross-Origin-Embedder-Policy or with `crossorigin`.
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .header('Access-Control-Allow-Origin', '*');
    if (etagMatches(ifNoneMatch, etag)) {
      void reply.status(304).send();
      return;
    }
    if (gzip) void reply.header('Content-Encoding', 'gzip');
    void reply.send(gzip ? this.asset.gzipped : this.asset.plain);
  }
}

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.mjs': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Worth compressing: text formats (fonts and images are compressed already). */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt', '.map']);

export interface ConsoleAsset {
  /** URL path under /admin/, e.g. "assets/index-D86xukkW.js". */
  path: string;
  type: string;
  body: Buffer;
  gzip: Buffer | null;
  brotli: Buffer | null;
  etag: string;
  /** Vite puts content-hashed files under assets/: they never change, so caches keep them for good. */
  immutable: boolean;
}

/**
 * The built console (dist/admin), read once and compressed once (gzip and brotli), so each request is a
 * lookup. Null when the console has not been built.
 */
export function loadConsoleAssets(dir: string): Map<string, ConsoleAsset> | null {
  if (!existsSync(join(dir, 'index.html'))) return null;
  const assets = new Map<string, ConsoleAsset>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const full = join(folder, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const path = relative(dir, full).split(sep).join('/');
        const ext = extname(name).toLowerCase();
        const body = readFileSync(full);
        const compress = COMPRESSIBLE.has(ext) && body.length > 512;
        assets.set(path, {
          path,
          type: TYPES[ext] ?? 'application/octet-stream',
          body,
          gzip: compress ? gzipSync(body, { level: 9 }) : null,
          brotli: compress ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }) : null,
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
          immutable: path.startsWith('assets/'),
        });
      }
    }
  };
  walk(dir);
  return assets;
}

/** The best encoding the client accepts among those we hold: br, then gzip, then none. */
export function chooseEncoding(acceptEncoding: string | undefined, asset: ConsoleAsset): 'br' | 'gzip' | null {
  if (!acceptEncoding || !asset.gzip) return null;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [coding, ...params] = part.split(';').map((s) => s.trim());
    if (!coding) continue;
    const q = params.find((p) => p.startsWith('q='));
    accepted.set(coding, q === undefined ? 1 : Number(q.slice(2)) || 0);
  }
  const ok = (coding: string) => (accepted.get(coding) ?? accepted.get('*') ?? 0) > 0;
  if (asset.brotli && ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return null;
}

/**
 * The console pages' Content-Security-Policy: scripts only from this origin (no inline script, no eval),
 * API calls only to this origin, no framing of the console. Styles allow inline because MUI (emotion)
 * writes its styles at run time; email previews render in a sandboxed iframe without scripts.
 */
export function consoleContentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "manifest-src 'self'",
    "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}



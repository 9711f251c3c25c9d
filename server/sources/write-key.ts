import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'wk_';

/** A new write key: 192 random bits, URL-safe, recognisable by its `wk_` prefix. */
export function generateWriteKey(): string {
  return PREFIX + randomBytes(24).toString('base64url');
}

/** Keys are long random tokens, so SHA-256 is enough; it keeps authentication off the hot path. */
export function hashWriteKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function writeKeyPrefix(key: string): string {
  return key.slice(0, 10);
}

/** A storefront's server key: a secret for its back end (the checkout API and profiles), never for a browser. */
export function generateServerKey(): string {
  return 'sk_' + randomBytes(32).toString('base64url');
}

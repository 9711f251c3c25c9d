import { createHmac, timingSafeEqual } from 'node:crypto';

export type LinkAction = 'click' | 'open' | 'unsubscribe' | 'push-click';

export interface LinkClaims {
  action: LinkAction;
  messageId: string;
  /** For clicks: where to send the shopper. */
  target?: string;
  /** For unsubscribes: which channel. */
  channel?: string;
}

/**
 * Tamper-proof tracking links: the claims travel in the URL, base64url JSON, with an HMAC-SHA256 of them
 * under the deployment's secret. Changing any byte of a link makes it invalid.
 */
export class SignedLinks {
  constructor(
    private readonly publicUrl: string,
    private readonly secret: string,
  ) {}

  url(claims: LinkClaims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${this.publicUrl}/r/${claims.action}/${payload}.${this.sign(payload)}`;
  }

  click(messageId: string, target: string): string {
    return this.url({ action: 'click', messageId, target });
  }

  open(messageId: string): string {
    return this.url({ action: 'open', messageId });
  }

  unsubscribe(messageId: string, channel: string): string {
    return this.url({ action: 'unsubscribe', messageId, channel });
  }

  /** The claims of a link's `<payload>.<signature>` part, or null when it was not signed by us. */
  verify(action: LinkAction, token: string): LinkClaims | null {
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return null;
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as LinkClaims;
      return claims.action === action && typeof claims.messageId === 'string' ? claims : null;
    } catch {
      return null;
    }
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url').slice(0, 32);
  }
}

export const SIGNED_LINKS = Symbol('SIGNED_LINKS');

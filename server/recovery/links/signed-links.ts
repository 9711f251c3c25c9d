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

  /**
   * A short tracked link for SMS: `/r/s/<message id, 22 chars>.<signature, 16 chars>`. It carries no target:
   * the click resolves to the message's own resume address, so the link stays one segment's worth of text.
   */
  short(messageId: string): string {
    const id = Buffer.from(messageId.replace(/-/g, ''), 'hex').toString('base64url');
    return `${this.publicUrl}/r/s/${id}.${this.sign(`s:${id}`).slice(0, 16)}`;
  }

  /** The message id of a short link's `<id>.<signature>` part, or null when it was not signed by us. */
  verifyShort(token: string): string | null {
    const [id, signature] = token.split('.');
    if (!id || !signature || id.length !== 22) return null;
    const given = Buffer.from(signature);
    const expected = Buffer.from(this.sign(`s:${id}`).slice(0, 16));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const hex = Buffer.from(id, 'base64url').toString('hex');
    if (hex.length !== 32) return null;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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

  /** The checkout link a reminder carries: `/c/<claims>.<signature>`, signed like every link, with an expiry. */
  landing(claims: LandingClaims): string {
    const payload = Buffer.from(JSON.stringify({ a: 'landing', ...claims })).toString('base64url');
    return `${this.publicUrl}/c/${payload}.${this.sign(payload)}`;
  }

  verifyLanding(token: string, now: Date): LandingVerdict {
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return { ok: false, reason: 'invalid' };
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
    let claims: LandingClaims & { a?: string };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (claims.a !== 'landing' || typeof claims.checkoutId !== 'string' || typeof claims.expiresAt !== 'number') return { ok: false, reason: 'invalid' };
    if (now.getTime() / 1000 > claims.expiresAt) return { ok: false, reason: 'expired' };
    const { a: _action, ...rest } = claims;
    return { ok: true, claims: rest };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url').slice(0, 32);
  }
}

/** What a reminder's checkout link is bound to, and the cart it showed (for spotting changes since). */
export interface LandingClaims {
  checkoutId: string;
  messageId: string;
  /** Our customer id of the recipient; the link opens nothing of anyone else. */
  customerId: string | null;
  /** Unix seconds after which the link is refused as expired. */
  expiresAt: number;
  /** The items the message showed: `[sku, quantity, unit price]`, up to 30. */
  items?: Array<[string, number, number]>;
}

export type LandingVerdict = { ok: true; claims: LandingClaims } | { ok: false; reason: 'invalid' | 'expired' };

export const SIGNED_LINKS = Symbol('SIGNED_LINKS');

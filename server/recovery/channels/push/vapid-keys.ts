import type { FactoryProvider } from '@nestjs/common';
import { createECDH } from 'node:crypto';
import * as webpush from 'web-push';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { SettingsService } from '../../../settings/settings.service';

/** The `settings` row holding the generated pair when VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY are unset. */
export const VAPID_SETTINGS_KEY = 'vapid_keys';

export interface VapidKeyPair {
  /** base64url, the 65-byte uncompressed P-256 point: what browsers take as `applicationServerKey`. */
  publicKey: string;
  /** base64url, the 32-byte P-256 scalar. */
  privateKey: string;
}

/**
 * The deployment's VAPID identity (RFC 8292). Every subscription a browser makes is bound to `publicKey`,
 * so the pair must never change once shoppers subscribed: a new pair makes push services answer 403
 * for every existing subscription.
 *
 * - Keys: VAPID_PUBLIC_KEY + VAPID_PRIVATE_KEY when set; otherwise a pair generated on first start and
 *   stored in `settings` (`vapid_keys`), so every process and every restart signs with the same pair.
 *   Setting the variables later overrides the stored pair (and orphans subscriptions made under it).
 * - Subject: VAPID_SUBJECT when set; otherwise `mailto:webpush@<host of PUBLIC_URL>`. Push services use
 *   it to contact the operator (Apple requires it), so set a real address in production.
 */
export class VapidKeys {
  constructor(
    readonly subject: string,
    readonly publicKey: string,
    readonly privateKey: string,
    /** Where the pair came from, for the start-up log. */
    readonly source: 'config' | 'generated',
  ) {}

  /** The `vapidDetails` option of web-push. */
  get details(): { subject: string; publicKey: string; privateKey: string } {
    return { subject: this.subject, publicKey: this.publicKey, privateKey: this.privateKey };
  }

  /** Never serialize the private key (logs, error reports). */
  toJSON(): Record<string, string> {
    return { subject: this.subject, publicKey: this.publicKey, source: this.source };
  }
}

/** `mailto:webpush@<host>` for the public URL's host (`localhost` when there is no usable host). */
export function defaultVapidSubject(publicUrl: string): string {
  let host = '';
  try {
    host = new URL(publicUrl).hostname;
  } catch {
    // not a URL: fall back below
  }
  if (host.startsWith('[') || /^\d+(\.\d+){3}$/.test(host) || host === '') host = 'localhost';
  return `mailto:webpush@${host}`;
}

/** Throws unless `publicKey` is the P-256 public key of `privateKey`, both base64url as web-push writes them. */
export function assertVapidKeyPair(pair: VapidKeyPair, origin: string): void {
  const problem = vapidKeyPairProblem(pair);
  if (problem) throw new Error(`VAPID keys from ${origin} are unusable: ${problem}`);
}

function vapidKeyPairProblem(pair: Partial<VapidKeyPair> | null | undefined): string | undefined {
  if (!pair || typeof pair.publicKey !== 'string' || typeof pair.privateKey !== 'string') return 'publicKey and privateKey must be strings';
  const base64url = /^[A-Za-z0-9_-]+$/;
  if (!base64url.test(pair.publicKey) || !base64url.test(pair.privateKey)) return 'keys must be base64url without padding';
  const pub = Buffer.from(pair.publicKey, 'base64url');
  const priv = Buffer.from(pair.privateKey, 'base64url');
  if (pub.length !== 65 || pub[0] !== 0x04) return 'the public key must be a 65-byte uncompressed P-256 point';
  if (priv.length !== 32) return 'the private key must be 32 bytes';
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(priv);
    if (!ecdh.getPublicKey().equals(pub)) return 'the public key does not belong to the private key';
  } catch (error) {
    return `the private key is not a valid P-256 key (${(error as Error).message})`;
  }
  return undefined;
}

/** Reads or provisions the deployment's VAPID keys (see `VapidKeys`). */
export async function provisionVapidKeys(config: AppConfig, settings: SettingsService): Promise<VapidKeys> {
  const subject = config.vapid.subject ?? defaultVapidSubject(config.publicUrl);
  const { publicKey, privateKey } = config.vapid;
  if (publicKey && privateKey) {
    assertVapidKeyPair({ publicKey, privateKey }, 'VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY');
    return new VapidKeys(subject, publicKey, privateKey, 'config');
  }
  const stored = await settings.getOrCreate<VapidKeyPair>(VAPID_SETTINGS_KEY, () => {
    const generated = webpush.generateVAPIDKeys();
    return { publicKey: generated.publicKey, privateKey: generated.privateKey };
  });
  assertVapidKeyPair(stored, `the settings row "${VAPID_SETTINGS_KEY}"`);
  return new VapidKeys(subject, stored.publicKey, stored.privateKey, 'generated');
}

export const vapidKeysProvider: FactoryProvider<VapidKeys> = {
  provide: VapidKeys,
  inject: [APP_CONFIG, SettingsService],
  useFactory: provisionVapidKeys,
};

import type { ChannelKind } from '../../../campaigns/types';

/** A message ready for a provider: rendered content and where it goes. */
export interface OutgoingMessage<C extends ChannelKind = ChannelKind> {
  /** The message's idempotency key; passed to providers that accept one. */
  key: string;
  messageId: string;
  channel: C;
  to: C extends 'email' ? { email: string; name?: string } : C extends 'sms' ? { phone: string } : { subscription: PushTarget };
  content: C extends 'email' ? RenderedEmail : C extends 'sms' ? RenderedSms : RenderedPush;
}

export interface PushTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** Extra headers: List-Unsubscribe, List-Unsubscribe-Post, … */
  headers: Record<string, string>;
}

export interface RenderedSms {
  body: string;
}

export interface RenderedPush {
  title: string;
  body: string;
  /** Opened when the notification is clicked (a tracked link). */
  url: string;
  icon?: string;
  /** Reported back by the service worker when clicked. */
  clickUrl: string;
}

export interface SendReceipt {
  /** The provider's id for the message, used to match delivery callbacks. */
  providerMessageId?: string;
}

/** A failure that may pass: retry with backoff (honouring `retryAfterMs` when the provider gave one). */
export class TransientSendError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TransientSendError';
  }
}

/** A failure that will not pass (invalid address, opted-out number, expired subscription): stop and record why. */
export class PermanentSendError extends Error {
  constructor(
    message: string,
    /** Machine-readable reason, e.g. `subscription_gone`, `invalid_recipient`, `opted_out`. */
    readonly reason: string,
  ) {
    super(message);
    this.name = 'PermanentSendError';
  }
}

/** One class per channel behind this interface; the engine never knows which provider it talks to. */
export interface ChannelSender<C extends ChannelKind = ChannelKind> {
  readonly kind: C;
  /** False when the channel's configuration is missing: it is reported at start-up and skipped by fallback. */
  readonly enabled: boolean;
  send(message: OutgoingMessage<C>): Promise<SendReceipt>;
}

export const CHANNEL_SENDERS = Symbol('CHANNEL_SENDERS');

import { Inject, Injectable, Logger } from '@nestjs/common';
import twilio from 'twilio';
import { CLOCK, Clock } from '../../../common/clock';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { OptOutService } from '../../consent/opt-out.service';
import { ChannelSender, OutgoingMessage, PermanentSendError, SendReceipt, TransientSendError } from '../channel';
import { RoutedRequestClient, TwilioCall, withTwilioCall } from './twilio-request-client';

export const SMS_SENDER = Symbol('SMS_SENDER');

/** Where Twilio posts delivery reports for the messages we send (see `TwilioWebhooksController`). */
export const TWILIO_STATUS_PATH = '/v1/webhooks/twilio/status';
export const TWILIO_INBOUND_PATH = '/v1/webhooks/twilio/inbound';

/** Twilio error codes we act on (https://www.twilio.com/docs/api/errors). */
export const TWILIO_ERRORS = {
  /** The recipient replied STOP: Twilio refuses to message them until they reply START. */
  UNSUBSCRIBED: 21610,
  INVALID_TO: 21211,
  NOT_MOBILE: 21614,
} as const;

const REQUEST_TIMEOUT_MS = 10_000;

/** A non-2xx answer from the API: `status` is the HTTP status, `code` Twilio's error code. */
function isRestError(error: unknown): error is twilio.RestException {
  return error instanceof twilio.RestException;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

/** Network failures and timeouts surface as axios errors (the SDK's HTTP client is axios). */
function isNetworkError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if ((error as { isAxiosError?: unknown }).isAxiosError === true) return true;
  return NETWORK_CODES.has(String((error as { code?: unknown }).code));
}

/** `Retry-After` as delta-seconds or an HTTP date, in milliseconds from `now`. */
export function retryAfterMs(value: unknown, now: Date): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const text = String(raw).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/**
 * SMS through Twilio's Messages API with the official SDK.
 *
 * - `from` is a phone number, or a Messaging Service when it starts with `MG` (sent as `messagingServiceSid`).
 * - Every message asks for status callbacks at `${publicUrl}/v1/webhooks/twilio/status`.
 * - Requests go to `config.twilio.apiBase` (default `https://api.twilio.com`), see `RoutedRequestClient`.
 * - Idempotency: the message key rides in `I-Twilio-Idempotency-Token`; Twilio does not document honouring it on
 *   the Messages API, so a retried create after a lost response may still send twice (see the request client).
 * - Errors: network, timeout, 5xx and 429 (with `Retry-After`) are transient; 21610 (recipient replied STOP) is
 *   `opted_out` and withdraws the customer's SMS consent at once; 21211/21614 are `invalid_recipient`; any other
 *   4xx is permanent with reason `twilio_<code>`.
 */
@Injectable()
export class SmsSender implements ChannelSender<'sms'> {
  readonly kind = 'sms' as const;
  readonly enabled: boolean;
  private readonly logger = new Logger('SmsChannel');
  private readonly client?: twilio.Twilio;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly optOut: OptOutService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    const settings = config.twilio;
    this.enabled = settings !== undefined;
    if (settings) {
      this.client = twilio(settings.accountSid, settings.authToken, {
        accountSid: settings.accountSid,
        // Our own retries (with backoff and Retry-After) belong to the engine, not to the SDK.
        autoRetry: false,
        timeout: REQUEST_TIMEOUT_MS,
        httpClient: new RoutedRequestClient(settings.apiBase, { timeout: REQUEST_TIMEOUT_MS, autoRetry: false }),
      });
    }
  }

  get statusCallbackUrl(): string {
    return `${this.config.publicUrl}${TWILIO_STATUS_PATH}`;
  }

  async send(message: OutgoingMessage<'sms'>): Promise<SendReceipt> {
    const settings = this.config.twilio;
    if (!this.client || !settings) throw new PermanentSendError('the SMS channel is not configured (TWILIO_* variables)', 'channel_disabled');
    const sender = settings.from.startsWith('MG') ? { messagingServiceSid: settings.from } : { from: settings.from };
    const call: TwilioCall = { idempotencyKey: message.key };
    try {
      const created = await withTwilioCall(call, () =>
        this.client!.messages.create({ to: message.to.phone, body: message.content.body, statusCallback: this.statusCallbackUrl, ...sender }),
      );
      return { providerMessageId: created.sid };
    } catch (error) {
      throw await this.classify(error, message, call);
    }
  }

  private async classify(error: unknown, message: OutgoingMessage<'sms'>, call: TwilioCall): Promise<Error> {
    if (isRestError(error)) {
      const { status, code } = error;
      const label = `Twilio answered ${status}${code ? ` (error ${code})` : ''}: ${error.message}`;
      if (status === 429) return new TransientSendError(label, retryAfterMs(call.response?.headers?.['retry-after'], this.clock.now()));
      if (status >= 500) return new TransientSendError(label);
      if (code === TWILIO_ERRORS.UNSUBSCRIBED) {
        await this.withdrawConsent(message);
        return new PermanentSendError(label, 'opted_out');
      }
      if (code === TWILIO_ERRORS.INVALID_TO || code === TWILIO_ERRORS.NOT_MOBILE) return new PermanentSendError(label, 'invalid_recipient');
      if (status >= 400) return new PermanentSendError(label, `twilio_${code ?? status}`);
      return new TransientSendError(label);
    }
    if (isNetworkError(error)) {
      const err = error as Error & { code?: string };
      return new TransientSendError(`Twilio could not be reached: ${err.code ? `${err.code} ` : ''}${err.message}`);
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  /** Twilio keeps its own STOP list; ours must say the same so nothing is planned for this number again. */
  private async withdrawConsent(message: OutgoingMessage<'sms'>): Promise<void> {
    try {
      const customers = await this.optOut.optOutPhone(message.to.phone, { channel: 'sms', at: this.clock.now(), by: `twilio:${TWILIO_ERRORS.UNSUBSCRIBED}:${message.messageId}` });
      this.logger.log(`Twilio refused message ${message.messageId}: the recipient unsubscribed (21610); SMS consent withdrawn for ${customers} customer(s)`);
    } catch (error) {
      // The send still fails permanently; the next message to this number meets 21610 again and retries this.
      this.logger.error(`could not record the SMS opt-out reported by Twilio: ${(error as Error).message}`);
    }
  }
}

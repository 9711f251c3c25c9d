import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { NodemailerError } from 'nodemailer/lib/errors';
import type Mail from 'nodemailer/lib/mailer';
import type { AppConfig } from '../../../config/app-config';
import { ChannelSender, OutgoingMessage, PermanentSendError, SendReceipt, TransientSendError } from '../channel';

export const EMAIL_SENDER = Symbol('EMAIL_SENDER');

export interface EmailTransportOptions {
  /** Open SMTP connections at most. Default 5. */
  maxConnections?: number;
  /** Messages per connection before it is replaced. Default 100. */
  maxMessages?: number;
  /** Default 10 s. */
  connectionTimeoutMs?: number;
  /** Wait for the server's greeting. Default 10 s. */
  greetingTimeoutMs?: number;
  /** Inactivity on an open connection. Default 30 s. */
  socketTimeoutMs?: number;
  /** A whole send, queueing in the pool included; the send fails as transient after it. Default 60 s. */
  sendTimeoutMs?: number;
  /** An idle pooled connection is closed after this. Default 30 s. */
  idleTimeoutMs?: number;
}

/** Headers the sender sets itself; the message's `headers` cannot override them. */
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'message-id',
  'date',
  'sender',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

/** Enhanced status codes (RFC 3463) about the recipient's address or mailbox; 5.1.7/5.1.8 are about the sender. */
const RECIPIENT_STATUS = /^5\.(1\.(0|1|2|3|4|6|10)|2\.1)$/;

/**
 * The Message-ID of a message: stable for its idempotency key, so a retry carries the same id (receiving
 * systems and our own bounce matching can recognise it). The key is encoded so that any key gives a valid
 * id-left: characters outside [A-Za-z0-9_-] become `=XX` (UTF-8 bytes in hex), which keeps distinct keys distinct.
 */
export function messageIdFor(key: string, publicUrl: string): string {
  let host = 'localhost';
  try {
    host = new URL(publicUrl).hostname || host;
  } catch {
    // keep localhost
  }
  let left = Array.from(Buffer.from(key, 'utf8'), (byte) => {
    const c = String.fromCharCode(byte);
    return /[A-Za-z0-9_-]/.test(c) ? c : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
  if (left.length === 0 || left.length > 200) left = `h-${createHash('sha256').update(key).digest('hex')}`;
  return `<${left}@${host}>`;
}

function describe(error: NodemailerError): string {
  return error.response ? error.response : error.message;
}

/**
 * What a nodemailer failure means for the message:
 * - no SMTP reply (connection refused or dropped, timeouts, TLS, DNS) → transient;
 * - 4xx, and 503 (bad sequence: a session problem, not the message) → transient;
 * - 5xx to AUTH → transient too: our credentials are wrong, not the message (it can go once they are fixed);
 * - 5xx about the recipient (550/551/553 to RCPT TO, or an enhanced status 5.1.x / 5.2.1) → permanent `invalid_recipient`;
 * - any other 5xx (content refused, policy, relaying denied) → permanent `rejected`;
 * - an envelope nodemailer refuses itself (no or malformed recipient) → permanent `invalid_recipient`.
 */
export function classifySmtpError(error: unknown): TransientSendError | PermanentSendError {
  if (error instanceof TransientSendError || error instanceof PermanentSendError) return error;
  const e = (error instanceof Error ? error : new Error(String(error))) as NodemailerError;
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (reply === undefined) {
    if (e.code === 'EENVELOPE') return new PermanentSendError(`SMTP envelope refused: ${e.message}`, 'invalid_recipient');
    return new TransientSendError(`SMTP ${e.code ?? 'error'}${e.timeoutType ? ` (${e.timeoutType})` : ''}: ${e.message}`);
  }
  const command = (e.command ?? '').toUpperCase();
  const summary = `SMTP ${reply}${command ? ` to ${command}` : ''}: ${describe(e)}`;
  if (reply < 500 || reply >= 600 || reply === 503) return new TransientSendError(summary);
  if (e.code === 'EAUTH' || command.startsWith('AUTH')) return new TransientSendError(`${summary} (check SMTP_URL credentials)`);
  const enhanced = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(describe(e))?.[1];
  const aboutRecipient = enhanced ? RECIPIENT_STATUS.test(enhanced) : command.startsWith('RCPT') && [550, 551, 553].includes(reply);
  return new PermanentSendError(summary, aboutRecipient ? 'invalid_recipient' : 'rejected');
}

/** Drops headers we set ourselves or that are not valid field names; folds CR/LF out of values. */
function extraHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!/^[!-9;-~]+$/.test(name) || RESERVED_HEADERS.has(name.toLowerCase()) || typeof value !== 'string') continue;
    out[name] = value.replace(/[\r\n]+/g, ' ');
  }
  return out;
}

/** Email over SMTP (any provider with an SMTP relay), one pooled nodemailer transport per process. */
export class EmailSender implements ChannelSender<'email'> {
  readonly kind = 'email' as const;
  readonly enabled: boolean;
  private readonly transport?: Mail;
  private readonly from?: string;
  private readonly envelopeFrom?: string;
  private readonly sendTimeoutMs: number;

  constructor(
    private readonly config: Pick<AppConfig, 'smtp' | 'publicUrl'>,
    options: EmailTransportOptions = {},
  ) {
    this.enabled = config.smtp !== undefined;
    this.sendTimeoutMs = options.sendTimeoutMs ?? 60_000;
    if (!config.smtp) return;
    this.from = config.smtp.from;
    this.envelopeFrom = envelopeAddress(config.smtp.from);
    this.transport = createTransport({
      url: config.smtp.url,
      pool: true,
      maxConnections: options.maxConnections ?? 5,
      maxMessages: options.maxMessages ?? 100,
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      greetingTimeout: options.greetingTimeoutMs ?? 10_000,
      socketTimeout: options.socketTimeoutMs ?? 30_000,
      idleTimeout: options.idleTimeoutMs ?? 30_000,
      dnsTimeout: 10_000,
      // Content is ours, never a path or URL to fetch.
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    });
  }

  async send(message: OutgoingMessage<'email'>): Promise<SendReceipt> {
    if (!this.transport) throw new PermanentSendError('email channel disabled: SMTP_URL is not set', 'channel_disabled');
    const address = message.to.email?.trim();
    if (!address || /[\r\n\s<>,;]/.test(address) || !address.includes('@')) {
      throw new PermanentSendError(`not an email address: ${JSON.stringify(message.to.email)}`, 'invalid_recipient');
    }
    const messageId = messageIdFor(message.key, this.config.publicUrl);
    // A controller and a timer cost far less per message than AbortSignal.timeout().
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error(`the send took longer than ${this.sendTimeoutMs} ms`)), this.sendTimeoutMs);
    try {
      // Built whole first, then handed over as one buffer: streamed part by part, the MIME tree reached the
      // socket in dozens of small writes per message, each a system call.
      const raw = await new MailComposer({
        from: this.from,
        to: message.to.name ? { name: message.to.name, address } : address,
        subject: message.content.subject,
        text: message.content.text,
        html: message.content.html,
        headers: extraHeaders(message.content.headers),
        messageId,
        disableFileAccess: true,
        disableUrlAccess: true,
      })
        .compile()
        .build();
      const info = await this.transport.sendMail({ envelope: { from: this.envelopeFrom, to: [address] }, raw, signal: deadline.signal } as Mail.Options);
      if (Array.isArray(info.accepted) && info.accepted.length === 0) {
        throw new PermanentSendError(`SMTP server accepted no recipient: ${info.response ?? ''}`, 'invalid_recipient');
      }
      return { providerMessageId: messageId };
    } catch (error) {
      throw classifySmtpError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes pooled connections; messages still being sent finish first. */
  close(): void {
    this.transport?.close();
  }
}

/** The bare address of `MAIL_FROM` ("Shop <shop@example.com>" → shop@example.com), for the SMTP envelope. */
function envelopeAddress(from: string): string {
  const [first] = addressparser(from, { flatten: true });
  return first && 'address' in first && first.address ? first.address : from;
}

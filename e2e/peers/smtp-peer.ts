import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** One message the peer accepted, parsed with mailparser. */
export interface ReceivedMail {
  /** Envelope sender (MAIL FROM), or '' for a null sender. */
  from: string;
  /** Envelope recipients (RCPT TO). */
  to: string[];
  /** The From header as text, e.g. `"Shop" <shop@example.com>`. */
  fromHeader?: string;
  /** The To header as text. */
  toHeader?: string;
  subject?: string;
  html?: string;
  text?: string;
  /** Raw header values by lowercased name, unfolded; repeated headers keep every value, joined by '\n'. */
  headers: Record<string, string>;
  /** Message-ID header, angle brackets included. */
  messageId?: string;
  /** The whole message as received (CRLF line ends, dot-stuffing removed). */
  raw: string;
  /** The SMTP user the client authenticated as, if it did. */
  user?: string;
  receivedAt: Date;
}

/** Where in the SMTP transaction a scripted failure answers. */
export type SmtpFailureStage = 'connect' | 'mail' | 'rcpt' | 'data';

export interface SmtpFailure {
  /** SMTP reply code, e.g. 421, 450, 550, 553. */
  code: number;
  /** Reply text; a sensible one (with an enhanced status code) is chosen from the code when absent. */
  message?: string;
  /** Default 'rcpt'. A 421 anywhere also closes the connection (smtp-server does so). */
  stage?: SmtpFailureStage;
}

export interface SmtpPeer {
  /** smtp://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Every accepted message, oldest first. */
  messages: ReceivedMail[];
  /** Every transaction the peer refused with a scripted failure, oldest first. */
  refusals: Array<{ stage: SmtpFailureStage; code: number; to: string[] }>;
  /** The first message, already received or arriving within `timeoutMs`, that the predicate accepts. */
  waitFor(predicate?: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Makes the next `count` delivery attempts fail with the given reply. */
  failNext(count: number, failure: SmtpFailure): void;
  /** Forgets received messages, refusals and scripted failures. */
  clear(): void;
  close(): Promise<void>;
}

const DEFAULT_TEXT: Record<number, string> = {
  421: '4.3.2 Service not available, closing transmission channel',
  450: '4.2.1 Mailbox busy, try again later',
  451: '4.3.0 Local error in processing',
  452: '4.3.1 Insufficient system storage',
  550: '5.1.1 Mailbox unavailable',
  551: '5.1.6 User not local',
  552: '5.3.4 Message size exceeds fixed maximum message size',
  553: '5.1.3 Mailbox name not allowed',
  554: '5.7.1 Message rejected',
};

function smtpError(failure: SmtpFailure): Error {
  const error = new Error(failure.message ?? DEFAULT_TEXT[failure.code] ?? `${failure.code >= 500 ? '5' : '4'}.0.0 Scripted failure`) as Error & {
    responseCode: number;
  };
  error.responseCode = failure.code;
  return error;
}

function unfold(value: string): string {
  // RFC 5322 §2.2.3: unfolding removes the CRLF and keeps the whitespace after it.
  return value.replace(/\r?\n(?=[ \t])/g, '').trim();
}

/**
 * A real SMTP server on a free local port that keeps what it receives, for tests of the email channel.
 * Accepts any (or no) authentication over plain TCP; STARTTLS is not offered so clients never try it.
 */
export interface SmtpPeerOptions {
  size?: number;
  /**
   * Runs when a message has been received and before it is acknowledged (250): the moment the sender hands
   * the message over. Tests use it to look at the world at that instant.
   */
  beforeAccept?: (mail: ReceivedMail) => Promise<void>;
}

export async function startSmtpPeer(options: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const messages: ReceivedMail[] = [];
  const refusals: SmtpPeer['refusals'] = [];
  const failures: Array<SmtpFailure & { stage: SmtpFailureStage }> = [];
  const arrivals = new EventEmitter();
  arrivals.setMaxListeners(0);

  const takeFailure = (stage: SmtpFailureStage, session: SMTPServerSession | undefined): Error | undefined => {
    if (failures[0]?.stage !== stage) return undefined;
    const failure = failures.shift()!;
    refusals.push({ stage, code: failure.code, to: session ? session.envelope.rcptTo.map((r) => r.address) : [] });
    return smtpError(failure);
  };

  const server = new SMTPServer({
    logger: false,
    secure: false,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    // Replies carry exactly the text given (ours start with an enhanced status code), nothing added.
    hideENHANCEDSTATUSCODES: true,
    size: options.size,
    closeTimeout: 1000,
    onConnect(_session, callback) {
      callback(takeFailure('connect', undefined) ?? null);
    },
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onMailFrom(_address, session, callback) {
      callback(takeFailure('mail', session) ?? null);
    },
    onRcptTo(_address, session, callback) {
      callback(takeFailure('rcpt', session) ?? null);
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        const failure = takeFailure('data', session);
        if (failure) return callback(failure);
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            const headers: Record<string, string> = {};
            for (const line of parsed.headerLines) {
              const colon = line.line.indexOf(':');
              const value = unfold(line.line.slice(colon + 1));
              headers[line.key] = headers[line.key] === undefined ? value : `${headers[line.key]}\n${value}`;
            }
            const mail: ReceivedMail = {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              fromHeader: parsed.from?.text,
              toHeader: Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : parsed.to?.text,
              subject: parsed.subject,
              html: typeof parsed.html === 'string' ? parsed.html : undefined,
              text: parsed.text,
              headers,
              messageId: parsed.messageId,
              raw: raw.toString('utf8'),
              user: typeof session.user === 'string' ? session.user : undefined,
              receivedAt: new Date(),
            };
            return Promise.resolve(options.beforeAccept?.(mail)).then(() => {
              messages.push(mail);
              arrivals.emit('mail', mail);
              callback(null, `Ok: queued as ${messages.length}`);
            });
          })
          .catch((error: Error) => callback(error));
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Errors of single sessions (a client hanging up) must not crash the test process.
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    refusals,
    waitFor(predicate = () => true, timeoutMs = 5000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<ReceivedMail>((resolve, reject) => {
        const onMail = (mail: ReceivedMail) => {
          if (!predicate(mail)) return;
          clearTimeout(timer);
          arrivals.off('mail', onMail);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          arrivals.off('mail', onMail);
          reject(new Error(`No matching mail within ${timeoutMs} ms; received: ${JSON.stringify(messages.map((m) => ({ to: m.to, subject: m.subject })))}`));
        }, timeoutMs);
        arrivals.on('mail', onMail);
      });
    },
    failNext(count, failure) {
      for (let i = 0; i < count; i++) failures.push({ code: failure.code, message: failure.message, stage: failure.stage ?? 'rcpt' });
    },
    clear() {
      messages.length = 0;
      refusals.length = 0;
      failures.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Secrets that travel in URLs, taken out of every log line: the signed link tokens (a checkout link opens a
 * shopper's pay page; the others record opens, clicks and unsubscribes in their name) and write keys passed as a
 * query parameter. Applied to whole serialized lines, so request URLs, error messages and stack traces alike.
 */
const SIGNED_LINK_TOKEN = /(\/(?:c|r\/open|r\/click|r\/s|r\/unsubscribe|r\/push-click)\/)[A-Za-z0-9_.~%-]+/g;
const WRITE_KEY_PARAMETER = /([?&](?:writeKey|write_key)=)[^&\s"'#]*/g;

export const REDACTED = '[redacted]';

export function redactSecrets(text: string): string {
  return text.replace(SIGNED_LINK_TOKEN, `$1${REDACTED}`).replace(WRITE_KEY_PARAMETER, `$1${REDACTED}`);
}

/** A connection URL fit for a message: its password (if any) replaced by `***`. */
export function urlWithoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(an unparseable URL)';
  }
}

import twilio from 'twilio';

export const SIGNATURE_HEADER = 'x-twilio-signature';

/** Form parameters as Twilio's signature sees them: a repeated name keeps all its values. */
export type TwilioParams = Record<string, string | string[]>;

/** Reads an `application/x-www-form-urlencoded` body (Twilio's webhooks) from the raw bytes the body parser kept. */
export function readForm(rawBody: Buffer | undefined): TwilioParams {
  const params: TwilioParams = {};
  if (!rawBody || rawBody.length === 0) return params;
  for (const [name, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else params[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return params;
}

/** The first value of a parameter, or undefined. */
export function param(params: TwilioParams, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The address Twilio called, which is what it signed: our public URL plus the path and query of the request.
 * Behind a proxy the request's own Host is not Twilio's, so `PUBLIC_URL` must be exactly the public origin
 * configured in Twilio (scheme, host and any port), and the proxy must not rewrite the path.
 */
export function signedUrl(publicUrl: string, requestUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${requestUrl.startsWith('/') ? requestUrl : `/${requestUrl}`}`;
}

/**
 * Whether `X-Twilio-Signature` is the base64 HMAC-SHA1, keyed with the auth token, of the URL followed by every
 * POST parameter sorted by name, each as name + value. Delegates to the SDK's `validateRequest`, which compares
 * with `crypto.timingSafeEqual` (after a length check) and also accepts the URL with or without its default port,
 * as Twilio may sign either.
 */
export function verifyTwilioSignature(authToken: string, header: string | undefined, url: string, params: TwilioParams): boolean {
  if (!authToken || typeof header !== 'string' || header.trim() === '') return false;
  return twilio.validateRequest(authToken, header.trim(), url, params);
}

/** Signs a request the way Twilio does (for our test peer and unit tests). */
export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

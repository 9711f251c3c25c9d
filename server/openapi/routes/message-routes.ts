import { z } from 'zod';
import { type ApiRoute, route } from '../api-route';

const HTML = 'text/html; charset=utf-8';
const JS = 'application/javascript; charset=utf-8';
const token = { token: 'The signed token from the message (a changed or cut token is refused).' };

/** Twilio's form fields we read (Twilio sends many more; all are signed). */
const twilioInbound = z.looseObject({ From: z.string(), To: z.string(), Body: z.string(), MessageSid: z.string().optional(), AccountSid: z.string().optional() });
const twilioStatus = z.looseObject({ MessageSid: z.string(), MessageStatus: z.string(), ErrorCode: z.string().optional(), To: z.string().optional(), AccountSid: z.string().optional() });

/** The landing page's form (plain HTML, so it works without scripts). */
const landingForm = z.looseObject({
  expected_total: z.string().meta({ description: 'The total the page showed; a changed cart answers 409 and charges nothing.' }),
  idempotency_key: z.string().regex(/^[0-9a-f-]{36}$/).meta({ description: 'The UUID the page put in the form; a second click returns the first result.' }),
});

export const EXAMPLE_IDEMPOTENCY_KEY = '6c1f0e2d-4b3a-4c5d-8e7f-9a0b1c2d3e4f';

export const messageRoutes: ApiRoute[] = [
  route('GET /c/{token}', {
    tag: 'Recovery links',
    summary: 'The one-click checkout page a reminder links to',
    description: 'The cart restored, price changes shown, the code applied; with a saved address and card, one click to pay. 410 when the link expired, 404 for another shopper\'s checkout.',
    security: 'signedLink',
    params: token,
    responses: { 200: { description: 'The checkout page.', contentType: HTML } },
    errors: [400, 404, 410],
  }),
  route('POST /c/{token}/complete', {
    tag: 'Recovery links',
    summary: 'Pay from the one-click page',
    security: 'signedLink',
    params: token,
    body: landingForm,
    bodyContentType: 'application/x-www-form-urlencoded',
    responses: { 200: { description: 'The confirmation page.', contentType: HTML }, 202: { description: 'The payment is being confirmed.', contentType: HTML } },
    errors: [400, 404, 409, 410],
    examples: [{ summary: 'The pay button', value: { expected_total: '123.99', idempotency_key: EXAMPLE_IDEMPOTENCY_KEY } }],
  }),
  route('GET /r/open/{token}', { tag: 'Recovery links', summary: 'Open pixel of an email', security: 'signedLink', params: token, responses: { 200: { description: 'A transparent GIF (the open is recorded when the token is valid).', contentType: 'image/gif' } } }),
  route('GET /r/click/{token}', { tag: 'Recovery links', summary: 'A tracked link: records the click, then redirects', security: 'signedLink', params: token, responses: { 302: { description: 'To the link\'s target.' } }, errors: [400] }),
  route('GET /r/s/{token}', { tag: 'Recovery links', summary: 'The short link of a text message', security: 'signedLink', params: token, responses: { 302: { description: 'To the message\'s resume address.' } }, errors: [400] }),
  route('POST /r/push-click/{token}', { tag: 'Recovery links', summary: 'Report a push notification click (from the service worker)', security: 'signedLink', params: token, responses: { 204: { description: 'Recorded.' } }, errors: [404] }),
  route('GET /r/unsubscribe/{token}', { tag: 'Recovery links', summary: 'The unsubscribe confirmation page', description: 'GET never unsubscribes (mail scanners follow links).', security: 'signedLink', params: token, responses: { 200: { description: 'A page with the confirm button.', contentType: HTML } }, errors: [400] }),
  route('POST /r/unsubscribe/{token}', { tag: 'Recovery links', summary: 'Unsubscribe in one click (RFC 8058)', description: 'No cookie or login needed; takes effect at once.', security: 'signedLink', params: token, responses: { 200: { description: 'Confirmation page.', contentType: HTML } }, errors: [400] }),

  route('POST /v1/webhooks/twilio/inbound', {
    tag: 'Webhooks',
    summary: 'Receive an inbound SMS (STOP, START, HELP)',
    description: 'Configure in Twilio as `${PUBLIC_URL}/v1/webhooks/twilio/inbound`. 404 when the SMS channel is not configured; 403 without a valid `X-Twilio-Signature` over PUBLIC_URL + path.',
    security: 'twilioSignature',
    body: twilioInbound,
    bodyContentType: 'application/x-www-form-urlencoded',
    responses: { 200: { description: 'TwiML: the reply to send, if any.', contentType: 'text/xml; charset=utf-8' } },
    examples: [{ summary: 'A shopper texts STOP', value: { From: '+14155552671', To: '+14155550100', Body: 'STOP', MessageSid: 'SM0123456789abcdef0123456789abcdef', AccountSid: 'AC0123456789abcdef0123456789abcdef' } }],
  }),
  route('POST /v1/webhooks/twilio/status', {
    tag: 'Webhooks',
    summary: 'Receive an SMS delivery status callback',
    security: 'twilioSignature',
    body: twilioStatus,
    bodyContentType: 'application/x-www-form-urlencoded',
    responses: { 204: { description: 'Recorded.' } },
    examples: [{ summary: 'Delivered', value: { MessageSid: 'SM0123456789abcdef0123456789abcdef', MessageStatus: 'delivered', To: '+14155552671', AccountSid: 'AC0123456789abcdef0123456789abcdef' } }],
  }),

  route('GET /v1/push/vapid-public-key', { tag: 'Push', summary: 'The VAPID public key browsers subscribe with', security: 'none', responses: { 200: { description: '`{ publicKey }`.', schema: z.strictObject({ publicKey: z.string() }) } } }),
  route('GET /push-sw.js', { tag: 'Push', summary: 'The push service worker', security: 'none', responses: { 200: { description: 'JavaScript (ETag; 304 when unchanged).', contentType: JS } } }),
  route('GET /push.js', { tag: 'Push', summary: 'The storefront\'s push opt-in helper', security: 'none', responses: { 200: { description: 'JavaScript (ETag; 304 when unchanged).', contentType: JS } } }),
  route('GET /tracker.js', { tag: 'Ingestion', summary: 'The browser tracker for storefronts', security: 'none', responses: { 200: { description: 'JavaScript, gzipped when accepted (ETag; 304 when unchanged).', contentType: JS } } }),
];

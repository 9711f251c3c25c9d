import { describe, expect, it } from 'vitest';
import { signTwilioRequest } from '../../../../e2e/peers/twilio-peer';
import { readForm, signedUrl, verifyTwilioSignature } from './twilio-signature';

const TOKEN = 'signature-spec-token-0123456789';

describe('Twilio webhook signatures', () => {
  const url = 'https://recover.example.com/v1/webhooks/twilio/inbound?store=a%20b';
  const params = { MessageSid: 'SM1', From: '+15005550009', Body: 'STOP', To: '+15005550006' };

  it('accepts the HMAC-SHA1 of URL + sorted name/value pairs (computed independently)', () => {
    expect(verifyTwilioSignature(TOKEN, signTwilioRequest(TOKEN, url, params), url, params)).toBe(true);
  });

  it('refuses another token, URL, parameter value, an extra parameter, or no signature', () => {
    const good = signTwilioRequest(TOKEN, url, params);
    expect(verifyTwilioSignature('another-token-0123456789', good, url, params)).toBe(false);
    expect(verifyTwilioSignature(TOKEN, good, url.replace('store=a', 'store=b'), params)).toBe(false);
    expect(verifyTwilioSignature(TOKEN, good, url, { ...params, Body: 'START' })).toBe(false);
    expect(verifyTwilioSignature(TOKEN, good, url, { ...params, Extra: '' })).toBe(false);
    expect(verifyTwilioSignature(TOKEN, undefined, url, params)).toBe(false);
    expect(verifyTwilioSignature(TOKEN, '', url, params)).toBe(false);
    expect(verifyTwilioSignature('', good, url, params)).toBe(false);
    expect(verifyTwilioSignature(TOKEN, good.slice(0, -2), url, params)).toBe(false);
  });

  it('accepts the URL signed with or without the default port', () => {
    const withPort = 'https://recover.example.com:443/v1/webhooks/twilio/inbound';
    expect(verifyTwilioSignature(TOKEN, signTwilioRequest(TOKEN, withPort, params), 'https://recover.example.com/v1/webhooks/twilio/inbound', params)).toBe(true);
  });

  it('builds the signed URL from PUBLIC_URL and the request path and query', () => {
    expect(signedUrl('https://recover.example.com/', '/v1/webhooks/twilio/status?x=1')).toBe('https://recover.example.com/v1/webhooks/twilio/status?x=1');
  });

  it('reads form bodies, keeping repeated names', () => {
    const form = readForm(Buffer.from('Body=Stop+%26+go&MediaUrl0=a&MediaUrl0=b&Empty='));
    expect(form).toEqual({ Body: 'Stop & go', MediaUrl0: ['a', 'b'], Empty: '' });
    expect(readForm(undefined)).toEqual({});
  });
});

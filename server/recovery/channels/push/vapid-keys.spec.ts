import { describe, expect, it, vi } from 'vitest';
import * as webpush from 'web-push';
import { loadConfig } from '../../../config/app-config';
import type { SettingsService } from '../../../settings/settings.service';
import { assertVapidKeyPair, defaultVapidSubject, provisionVapidKeys, VAPID_SETTINGS_KEY, VapidKeys } from './vapid-keys';

function fakeSettings(stored?: unknown) {
  const getOrCreate = vi.fn(async (_key: string, create: () => unknown) => stored ?? create());
  return { settings: { getOrCreate } as unknown as SettingsService, getOrCreate };
}

describe('VAPID keys', () => {
  it('defaults the subject to a mailto: at the public URL host', () => {
    expect(defaultVapidSubject('https://recover.shop.example')).toBe('mailto:webpush@recover.shop.example');
    expect(defaultVapidSubject('http://localhost:3000')).toBe('mailto:webpush@localhost');
    expect(defaultVapidSubject('http://10.0.0.5:3000')).toBe('mailto:webpush@localhost');
  });

  it('generates a pair through settings when none is configured', async () => {
    const { settings, getOrCreate } = fakeSettings();
    const keys = await provisionVapidKeys(loadConfig({ PUBLIC_URL: 'https://recover.shop.example' }), settings);
    expect(getOrCreate).toHaveBeenCalledWith(VAPID_SETTINGS_KEY, expect.any(Function));
    expect(keys.source).toBe('generated');
    expect(keys.subject).toBe('mailto:webpush@recover.shop.example');
    expect(() => assertVapidKeyPair(keys, 'test')).not.toThrow();
  });

  it('uses the stored pair as is', async () => {
    const pair = webpush.generateVAPIDKeys();
    const keys = await provisionVapidKeys(loadConfig({}), fakeSettings(pair).settings);
    expect([keys.publicKey, keys.privateKey]).toEqual([pair.publicKey, pair.privateKey]);
  });

  it('prefers configured keys and subject, without touching settings', async () => {
    const pair = webpush.generateVAPIDKeys();
    const { settings, getOrCreate } = fakeSettings();
    const keys = await provisionVapidKeys(
      loadConfig({ VAPID_PUBLIC_KEY: pair.publicKey, VAPID_PRIVATE_KEY: pair.privateKey, VAPID_SUBJECT: 'mailto:ops@shop.example' }),
      settings,
    );
    expect(keys.details).toEqual({ subject: 'mailto:ops@shop.example', ...pair });
    expect(keys.source).toBe('config');
    expect(getOrCreate).not.toHaveBeenCalled();
  });

  it('refuses to start with keys that are not one P-256 pair', async () => {
    const a = webpush.generateVAPIDKeys();
    const b = webpush.generateVAPIDKeys();
    await expect(provisionVapidKeys(loadConfig({ VAPID_PUBLIC_KEY: a.publicKey, VAPID_PRIVATE_KEY: b.privateKey }), fakeSettings().settings)).rejects.toThrow(
      /VAPID_PUBLIC_KEY.*does not belong/,
    );
    await expect(provisionVapidKeys(loadConfig({}), fakeSettings({ publicKey: a.publicKey }).settings)).rejects.toThrow(/settings row "vapid_keys"/);
    expect(() => assertVapidKeyPair({ publicKey: a.publicKey.slice(2), privateKey: a.privateKey }, 'x')).toThrow(/65-byte/);
  });

  it('never serializes the private key', () => {
    const pair = webpush.generateVAPIDKeys();
    const text = JSON.stringify({ keys: new VapidKeys('mailto:a@b.c', pair.publicKey, pair.privateKey, 'generated') });
    expect(text).toContain(pair.publicKey);
    expect(text).not.toContain(pair.privateKey);
  });
});

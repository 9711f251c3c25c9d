import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';

type Handler = (event: any) => void;

/** Runs push-sw.js in a bare context standing in for a service worker's global scope. */
function loadWorker() {
  const handlers = new Map<string, Handler>();
  const showNotification = vi.fn(async () => undefined);
  const openWindow = vi.fn(async () => null);
  const fetch = vi.fn(async () => ({ ok: true }));
  const self = {
    addEventListener: (type: string, handler: Handler) => handlers.set(type, handler),
    registration: { showNotification },
    clients: { openWindow },
  };
  runInNewContext(readFileSync(join(__dirname, 'push-sw.js'), 'utf8'), { self, fetch, Promise });
  const dispatch = async (type: string, event: Record<string, unknown>) => {
    const waited: Promise<unknown>[] = [];
    handlers.get(type)!({ ...event, waitUntil: (p: Promise<unknown>) => waited.push(p) });
    await Promise.all(waited);
    return waited.length;
  };
  return { handlers, showNotification, openWindow, fetch, dispatch };
}

const payload = { title: 'Your cart', body: 'Still there', url: 'https://shop.example/cart', icon: 'https://shop.example/i.png', clickUrl: 'https://recover.example/r/push-click/x.y', messageId: 'm-1' };
const pushEvent = (data: unknown) => ({ data: data === undefined ? null : { json: () => (typeof data === 'string' ? JSON.parse(data) : data) } });

describe('push-sw.js', () => {
  it('listens for push and notificationclick only (no lifecycle takeover when imported into a site worker)', () => {
    expect([...loadWorker().handlers.keys()]).toEqual(['push', 'notificationclick']);
  });

  it('shows our push as a notification carrying where to go and where to report the click', async () => {
    const sw = loadWorker();
    expect(await sw.dispatch('push', pushEvent(payload))).toBe(1);
    expect(sw.showNotification).toHaveBeenCalledWith('Your cart', {
      body: 'Still there',
      icon: 'https://shop.example/i.png',
      tag: 'm-1',
      data: { url: payload.url, clickUrl: payload.clickUrl, messageId: 'm-1' },
    });
  });

  it('leaves pushes that are not ours (other shape, not JSON, empty) to the site', async () => {
    const sw = loadWorker();
    expect(await sw.dispatch('push', pushEvent({ title: 'someone else' }))).toBe(0);
    expect(await sw.dispatch('push', pushEvent('{not json'))).toBe(0);
    expect(await sw.dispatch('push', pushEvent(undefined))).toBe(0);
    expect(sw.showNotification).not.toHaveBeenCalled();
  });

  it('on click: closes the notification, opens the url and POSTs the click report with keepalive', async () => {
    const sw = loadWorker();
    const close = vi.fn();
    expect(await sw.dispatch('notificationclick', { notification: { data: { url: payload.url, clickUrl: payload.clickUrl, messageId: 'm-1' }, close } })).toBe(1);
    expect(close).toHaveBeenCalled();
    expect(sw.openWindow).toHaveBeenCalledWith(payload.url);
    expect(sw.fetch).toHaveBeenCalledWith(payload.clickUrl, expect.objectContaining({ method: 'POST', keepalive: true }));
  });

  it('a failed click report or window never rejects the event', async () => {
    const sw = loadWorker();
    sw.fetch.mockRejectedValueOnce(new TypeError('offline'));
    sw.openWindow.mockRejectedValueOnce(new TypeError('not allowed'));
    await expect(sw.dispatch('notificationclick', { notification: { data: { url: payload.url, clickUrl: payload.clickUrl, messageId: 'm-1' }, close: vi.fn() } })).resolves.toBe(1);
  });

  it('ignores clicks on notifications that are not ours', async () => {
    const sw = loadWorker();
    const close = vi.fn();
    expect(await sw.dispatch('notificationclick', { notification: { data: { url: '/x' }, close } })).toBe(0);
    expect(close).not.toHaveBeenCalled();
    expect(sw.fetch).not.toHaveBeenCalled();
  });
});

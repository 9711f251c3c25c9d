/*
 * Checkout recovery service worker: shows our push reminders and reports their clicks. Served as is from
 * /push-sw.js (plain ES2017, no dependencies). A service worker must come from the page's own origin, so a
 * storefront either serves this file at its root, or adds one line to its own service worker:
 *
 *   importScripts('https://recover.example.com/push-sw.js');
 *
 * Payload (JSON): { title, body, url, icon?, clickUrl, messageId }. Pushes of any other shape are left to
 * the site's own handlers, so this file can share a service worker with them.
 */
(function () {
  'use strict';

  function ours(data) {
    return !!data && typeof data === 'object' && typeof data.clickUrl === 'string' && typeof data.messageId === 'string';
  }

  self.addEventListener('push', function (event) {
    var data = null;
    try {
      data = event.data ? event.data.json() : null;
    } catch (e) {
      return; // not JSON: not ours
    }
    if (!ours(data)) return;
    event.waitUntil(
      self.registration.showNotification(String(data.title || ''), {
        body: String(data.body || ''),
        icon: data.icon || undefined,
        tag: data.messageId, // a redelivered push replaces its notification instead of doubling it
        data: { url: data.url, clickUrl: data.clickUrl, messageId: data.messageId },
      }),
    );
  });

  self.addEventListener('notificationclick', function (event) {
    var data = event.notification && event.notification.data;
    if (!ours(data)) return;
    event.notification.close();
    // Open first, while the click still counts as a user gesture; report the click in parallel.
    var open = data.url && self.clients && self.clients.openWindow ? self.clients.openWindow(data.url) : Promise.resolve();
    var report = fetch(data.clickUrl, { method: 'POST', keepalive: true, mode: 'no-cors', credentials: 'omit' });
    event.waitUntil(
      Promise.all([
        Promise.resolve(open).catch(function () {}),
        report.catch(function () {}),
      ]),
    );
  });
})();

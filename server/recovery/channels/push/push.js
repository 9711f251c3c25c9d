/*
 * Checkout recovery push opt-in for storefronts. Served as is from /push.js (plain ES2017, no dependencies),
 * next to /tracker.js, which carries the subscription to the server:
 *
 *   <script src="https://recover.example.com/push.js" defer></script>
 *   button.onclick = () => checkoutPush.subscribe().catch(showWhy);   // from a click: browsers want a gesture
 *
 * subscribe(options) asks for notification permission, registers the service worker (options.serviceWorker,
 * default '/push-sw.js' on the page's origin: serve our /push-sw.js there, or importScripts it from your own),
 * subscribes with our VAPID public key (GET <endpoint>/v1/push/vapid-public-key; options.endpoint defaults to
 * this script's origin) and sends a push_subscribed event through window.checkoutTracker. It resolves with
 * PushSubscription.toJSON() and rejects with an Error saying why (unsupported, denied, ...).
 */
(function () {
  'use strict';
  var w = window;
  if (w.checkoutPush && w.checkoutPush.loaded) return;
  var origin = '';
  try {
    origin = new URL(document.currentScript.src).origin;
  } catch (e) {
    // inline copy: subscribe({ endpoint }) must say where the server is
  }

  function supported() {
    return 'serviceWorker' in navigator && 'PushManager' in w && 'Notification' in w;
  }

  function bytes(base64url) {
    var s = atob(base64url.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((base64url.length + 3) % 4));
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  function sameKey(subscription, key) {
    var current = subscription.options && subscription.options.applicationServerKey;
    if (!current) return false;
    current = new Uint8Array(current);
    if (current.length !== key.length) return false;
    for (var i = 0; i < key.length; i++) if (current[i] !== key[i]) return false;
    return true;
  }

  function subscribe(options) {
    options = options || {};
    var endpoint = String(options.endpoint || origin).replace(/\/+$/, '');
    if (!supported()) return Promise.reject(new Error('push notifications are not supported in this browser'));
    if (!endpoint) return Promise.reject(new Error('no endpoint: pass subscribe({ endpoint })'));
    var registration, key;
    return Promise.resolve(Notification.permission === 'granted' ? 'granted' : Notification.requestPermission())
      .then(function (permission) {
        if (permission !== 'granted') throw new Error('notification permission ' + permission);
        return navigator.serviceWorker.register(options.serviceWorker || '/push-sw.js', { scope: options.scope || '/' });
      })
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function (ready) {
        registration = ready;
        return fetch(endpoint + '/v1/push/vapid-public-key', { credentials: 'omit' });
      })
      .then(function (response) {
        if (!response.ok) throw new Error('cannot fetch the VAPID public key (' + response.status + ')');
        return response.json();
      })
      .then(function (body) {
        key = bytes(body.publicKey);
        return registration.pushManager.getSubscription();
      })
      .then(function (existing) {
        if (existing && sameKey(existing, key)) return existing;
        // Made under another key (ours changed): subscribe() would refuse while it exists.
        return Promise.resolve(existing && existing.unsubscribe()).then(function () {
          return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
        });
      })
      .then(function (subscription) {
        var json = subscription.toJSON();
        var tracker = (w.checkoutTracker = w.checkoutTracker || []);
        tracker.push(['track', 'push_subscribed', { subscription: json }]);
        if (typeof tracker.flush === 'function') tracker.flush();
        return json;
      });
  }

  w.checkoutPush = { loaded: true, supported: supported, subscribe: subscribe };
})();

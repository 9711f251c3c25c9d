/*
 * Checkout recovery tracker. Served as is from /tracker.js: plain ES2017, no dependencies, no build step.
 *
 *   <script src="https://recover.example.com/tracker.js" data-write-key="wk_..." defer></script>
 *   (optional: data-endpoint="https://..." where events go, else the script's origin; data-debug for warnings)
 *
 * or, to call it before it has loaded:
 *
 *   window.checkoutTracker = window.checkoutTracker || [];
 *   checkoutTracker.push(['init', { writeKey: 'wk_...', endpoint: 'https://recover.example.com' }]);
 *   checkoutTracker.push(['track', 'checkout_started', { checkout_id: 'c_1' }]);
 *
 * Once loaded: checkoutTracker.init(options), .track(type, props), .identify(customer), .flush().
 * Rule one: it never throws into the host page. Every entry point and callback is guarded.
 */
(function () {
  'use strict';
  const w = window;
  const previous = w.checkoutTracker;
  if (previous && previous.loaded) return; // included twice: the first copy stays in charge

  const BATCH_SIZE = 20; // flush as soon as this many events wait...
  const FLUSH_MS = 1000; // ...or after this long
  const MAX_PER_REQUEST = 500; // the server's limit
  const MAX_BODY_BYTES = 60000; // keepalive fetch and sendBeacon refuse bodies over 64 KiB
  const MAX_EVENT_BYTES = 32000; // the server refuses bigger events, so never queue one
  const MAX_STORED = 200; // unsent events kept for the next page load
  const MAX_ATTEMPTS = 5;
  const KEYS = { anonymousId: 'ct_aid', user: 'ct_user', queue: 'ct_queue', utm: 'ct_utm' };
  const EVENT_FIELDS = ['checkout_id', 'cart_id', 'order_id', 'revenue', 'cart', 'customer', 'properties', 'context'];
  const CUSTOMER_FIELDS = ['id', 'anonymous_id', 'email', 'phone', 'timezone', 'locale'];
  const UTM_FIELDS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'];

  const noop = () => {};
  const config = { writeKey: '', endpoint: '', debug: false };
  let queue = []; // built, not yet handed to the network
  let timer = null;
  let sending = Promise.resolve(); // the tail of the chain of normal sends (post never rejects)
  let user = {}; // what identify() told us; later events carry it
  let anonymousId = '';

  function warn() {
    try {
      if (config.debug) console.warn.apply(console, ['[checkoutTracker]'].concat([].slice.call(arguments)));
    } catch (e) {
      // no console: nothing to say
    }
  }

  // Wraps every public function and callback: a tracker bug must never break the shop.
  function guard(fn, fallback) {
    return function () {
      try {
        return fn.apply(this, arguments);
      } catch (e) {
        warn(e);
        return fallback;
      }
    };
  }

  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const present = (v) => v !== undefined && v !== null && v !== '';
  const cut = (s, max) => (s ? String(s).slice(0, max) : undefined);

  // --- storage: may be missing, disabled, full, or throw on mere access (private modes, sandboxed iframes)

  function storage(name) {
    try {
      const s = w[name];
      s.setItem('ct_probe', '1');
      s.removeItem('ct_probe');
      return s;
    } catch (e) {
      return null;
    }
  }
  const local = storage('localStorage');
  const session = storage('sessionStorage');

  function read(store, key) {
    try {
      const v = store && store.getItem(key);
      return v ? JSON.parse(v) : null;
    } catch (e) {
      return null;
    }
  }

  function write(store, key, value) {
    try {
      if (store) store.setItem(key, JSON.stringify(value));
    } catch (e) {
      // full: carry on in memory
    }
  }

  function cookie(name, value) {
    try {
      if (value === undefined) {
        const m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
        return m ? decodeURIComponent(m[1]) : null;
      }
      document.cookie = name + '=' + encodeURIComponent(value) + '; max-age=31536000; path=/; SameSite=Lax';
    } catch (e) {
      return null;
    }
  }

  // --- identifiers

  // RFC 4122 v4. randomUUID only exists in secure contexts and recent browsers, hence the fallback.
  function uuid() {
    const c = w.crypto;
    try {
      if (c && c.randomUUID) return c.randomUUID();
    } catch (e) {
      // fall through
    }
    const b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (let i = 0; i < 16; i++) b[i] = (Math.random() * 256) | 0;
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex = '';
    for (let i = 0; i < 16; i++) hex += (b[i] + 0x100).toString(16).slice(1);
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' + hex.slice(16, 20) + '-' + hex.slice(20);
  }

  // One id per browser, so a shopper's visits join up before we learn who they are.
  function loadAnonymousId() {
    let id = read(local, KEYS.anonymousId) || cookie(KEYS.anonymousId);
    if (typeof id !== 'string' || !id) id = uuid();
    if (local) write(local, KEYS.anonymousId, id);
    else cookie(KEYS.anonymousId, id);
    return id;
  }

  // --- what the browser knows about the visit

  function timezone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
    } catch (e) {
      return undefined;
    }
  }

  // The server refuses the whole batch over one bad field, so only send a tag Intl accepts.
  function locale() {
    try {
      const tag = navigator.language;
      return tag && Intl.getCanonicalLocales(tag).length === 1 ? tag : undefined;
    } catch (e) {
      return undefined;
    }
  }

  function page() {
    const p = { path: cut(location.pathname, 4096), title: cut(document.title, 1000), referrer: cut(document.referrer, 4096) };
    if (/^https?:$/.test(location.protocol)) p.url = cut(location.href, 4096); // file: and the like would be refused
    return p;
  }

  // Campaign parameters usually show up on the landing page only: remember them for the rest of the visit.
  function utm() {
    const found = {};
    try {
      const params = new URLSearchParams(location.search);
      UTM_FIELDS.forEach((k) => {
        const v = params.get(k);
        if (v) found[k] = v.slice(0, 500);
      });
    } catch (e) {
      // no URLSearchParams: no campaign data
    }
    if (Object.keys(found).length) {
      write(session, KEYS.utm, found);
      return found;
    }
    const saved = read(session, KEYS.utm);
    return isObject(saved) ? saved : {};
  }

  // --- events

  function customerOf(given) {
    const c = { anonymous_id: anonymousId, timezone: timezone(), locale: locale() };
    [user, isObject(given) ? given : {}].forEach((from) =>
      CUSTOMER_FIELDS.forEach((k) => {
        if (present(from[k])) c[k] = String(from[k]);
      }),
    );
    return c;
  }

  function build(type, props) {
    props = isObject(props) ? props : {};
    const event = { event_id: uuid(), type: String(type), occurred_at: new Date().toISOString() };
    const extra = {};
    Object.keys(props).forEach((k) => {
      if (props[k] === undefined || props[k] === null) return;
      if (EVENT_FIELDS.indexOf(k) >= 0) event[k] = props[k];
      else extra[k] = props[k];
    });
    ['checkout_id', 'cart_id', 'order_id'].forEach((k) => {
      if (k in event) event[k] = String(event[k]);
    });
    // The server's event format is strict about top-level fields: anything else rides in properties.
    if (Object.keys(extra).length) event.properties = Object.assign(extra, isObject(event.properties) ? event.properties : {});
    event.customer = customerOf(event.customer);
    event.context = Object.assign(
      { user_agent: cut(navigator.userAgent, 2000), page: page() },
      utm(),
      isObject(event.context) ? event.context : {},
    );
    return event;
  }

  const encoder = w.TextEncoder ? new TextEncoder() : null;
  const bytes = (s) => (encoder ? encoder.encode(s).length : s.length * 3);

  // --- unsent events survive reloads and crashes; a stable event_id makes resending them harmless.
  // Read-modify-write on each change, so tabs sharing localStorage do not erase each other's events.

  function stored() {
    const list = read(local, KEYS.queue);
    return Array.isArray(list) ? list.filter((e) => isObject(e) && typeof e.event_id === 'string') : [];
  }

  function remember(events) {
    if (local) write(local, KEYS.queue, stored().concat(events).slice(-MAX_STORED));
  }

  function forget(events) {
    if (!local) return;
    const ids = events.map((e) => e.event_id);
    write(local, KEYS.queue, stored().filter((e) => ids.indexOf(e.event_id) < 0));
  }

  function enqueue(event) {
    if (bytes(JSON.stringify(event)) > MAX_EVENT_BYTES) return warn('event too large, dropped:', event.type);
    if (queue.push(event) > MAX_STORED) queue.shift(); // bounded, even if init() never comes
    remember([event]);
    schedule();
  }

  function schedule() {
    if (queue.length >= BATCH_SIZE) flush(false);
    else if (!timer) timer = setTimeout(guard(() => flush(false)), FLUSH_MS);
  }

  // --- sending

  // Each request stays under the keepalive/beacon body limit and the server's per-request count.
  function chunks(events) {
    const out = [];
    let current = [];
    let size = 0;
    events.forEach((e) => {
      const n = bytes(JSON.stringify(e)) + 1;
      if (current.length && (current.length >= MAX_PER_REQUEST || size + n > MAX_BODY_BYTES)) {
        out.push(current);
        current = [];
        size = 0;
      }
      current.push(e);
      size += n;
    });
    if (current.length) out.push(current);
    return out;
  }

  // leaving: the page is going away, so only sendBeacon (or keepalive) requests will make it out.
  function flush(leaving) {
    clearTimeout(timer);
    timer = null;
    if (!config.writeKey || !config.endpoint || !queue.length) return sending;
    const parts = chunks(queue);
    queue = [];
    if (leaving) return Promise.all(parts.map(beacon)).then(noop, noop);
    parts.forEach((c) => send(c, 0));
    return sending;
  }

  // One request at a time: browsers cap the bodies of all keepalive requests in flight at 64 KiB.
  function send(events, attempt) {
    sending = sending.then(guard(() => post(events, attempt)));
  }

  function post(events, attempt) {
    if (!w.fetch) return Promise.resolve(); // nothing to send with: the events stay stored for a later page
    return fetch(config.endpoint + '/v1/events', {
      method: 'POST',
      keepalive: true, // lets a send started just before navigation finish
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + config.writeKey },
      body: JSON.stringify({ events }),
    })
      .then(
        guard((res) => {
          if (res.ok) forget(events);
          else if (res.status === 429 || res.status >= 500) retry(events, attempt, res.headers.get('Retry-After'));
          else return res.json().then(null, noop).then(guard((answer) => refused(events, res.status, answer)));
          return res.text(); // a keepalive request holds its share of the 64 KiB quota until its response is read
        }),
        // Network error, or a CORS refusal the browser will not let us read: both look the same here.
        guard(() => retry(events, attempt)),
      )
      .then(noop, noop);
  }

  function retry(events, attempt, retryAfter) {
    if (attempt + 1 >= MAX_ATTEMPTS) return warn('server unreachable; events kept for the next page load');
    // Exponential backoff with jitter, so many shoppers' tabs do not hit a recovering server in step.
    let delay = 1000 * Math.pow(2, attempt) * (0.75 + Math.random() / 2);
    const seconds = Number(retryAfter);
    if (seconds > 0) delay = Math.max(delay, Math.min(seconds, 60) * 1000);
    setTimeout(guard(() => send(events, attempt + 1)), delay);
  }

  // A 4xx other than 429 will not get better by retrying. When the server names the faulty events
  // (it refuses a batch as a whole), the others are sent again without them.
  function refused(events, status, answer) {
    warn('events refused (HTTP ' + status + '):', (answer && answer.message) || '');
    const bad = [];
    const problems = answer && Array.isArray(answer.problems) ? answer.problems : [];
    problems.forEach((p) => bad.push(isObject(p) && typeof p.index === 'number' ? p.index : null));
    const good = events.filter((e, i) => bad.indexOf(i) < 0);
    if (!bad.length || bad.indexOf(null) >= 0 || !good.length || good.length === events.length) return forget(events);
    forget(events.filter((e, i) => bad.indexOf(i) >= 0));
    return post(good, 0); // not send(): this already runs inside the chain
  }

  // sendBeacon survives unload but cannot set headers: the key goes in the URL, the body as text/plain
  // (which also spares a CORS preflight). A queued beacon counts as delivered; if the browser will not
  // queue it, keepalive fetch is the next best thing.
  function beacon(events) {
    let queued = false;
    try {
      const url = config.endpoint + '/v1/events?writeKey=' + encodeURIComponent(config.writeKey);
      const blob = new Blob([JSON.stringify({ events })], { type: 'text/plain' });
      queued = !!(navigator.sendBeacon && navigator.sendBeacon(url, blob));
    } catch (e) {
      // no sendBeacon or Blob
    }
    if (!queued) return post(events, 0);
    forget(events);
    return Promise.resolve();
  }

  // --- public API

  function init(options) {
    options = isObject(options) ? options : {};
    if (present(options.writeKey)) config.writeKey = String(options.writeKey);
    if (present(options.endpoint)) config.endpoint = String(options.endpoint).replace(/\/+$/, '');
    if ('debug' in options) config.debug = !!options.debug;
    if (!config.endpoint) warn('no endpoint: pass init({ endpoint })');
    if (queue.length) schedule();
  }

  function track(type, props) {
    if (!present(type)) return warn('track() needs an event type');
    enqueue(build(type, props));
  }

  function identify(traits) {
    if (!isObject(traits)) return warn('identify() needs { id, email, phone }');
    ['id', 'email', 'phone'].forEach((k) => {
      if (present(traits[k])) user[k] = String(traits[k]);
    });
    write(local, KEYS.user, user);
    enqueue(build('identify', { customer: traits }));
  }

  // Calls queued by the snippet before load look like ['track', type, props].
  function call(args) {
    const list = [].slice.call(args || []);
    const fn = api[list[0]];
    if (typeof fn === 'function' && list[0] !== 'push') fn.apply(api, list.slice(1));
  }

  const api = {
    loaded: true,
    init: guard(init),
    track: guard(track),
    identify: guard(identify),
    // Resolves once the requests so far have been answered (or scheduled for a retry); never rejects.
    flush: guard(() => flush(false), Promise.resolve()),
    push: guard(call),
  };

  guard(() => {
    const script = document.currentScript || document.querySelector('script[data-write-key]');
    try {
      config.endpoint = new URL(script.src).origin; // by default, events go back where the script came from
    } catch (e) {
      // inline or missing script: init({ endpoint }) must say where
    }
    anonymousId = loadAnonymousId();
    const saved = read(local, KEYS.user);
    if (isObject(saved)) user = saved;
    queue = stored(); // events an earlier page could not deliver
    w.checkoutTracker = api;
    if (script && script.getAttribute('data-write-key')) {
      api.init({ writeKey: script.getAttribute('data-write-key'), endpoint: script.getAttribute('data-endpoint'), debug: script.hasAttribute('data-debug') });
    }
    if (Array.isArray(previous)) previous.forEach(api.push);
    const leave = guard(() => flush(true));
    w.addEventListener('pagehide', leave);
    // Mobile browsers often skip pagehide when a backgrounded tab is killed; going hidden is the last sure moment.
    document.addEventListener('visibilitychange', guard(() => document.visibilityState === 'hidden' && leave()));
  })();
})();

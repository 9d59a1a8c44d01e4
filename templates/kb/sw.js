// Offline after the first visit (docs/offline.md). Served from /sw.js so its scope is the
// whole site. Rendered by kb.views.service_worker: the release id and the list of files to
// keep come from the server, so a deploy or a content edit installs a new worker.
"use strict";
var VERSION = {{ version_json|safe }};
var CACHE = "carfaults-" + VERSION;  // the shell and the pages the owner opened
var AHEAD = CACHE + "-ahead";  // steps fetched ahead of the owner's answers (pages)
var STEPS = CACHE + "-steps";  // the same steps as htmx fragments: what a tap is answered with
var PRECACHE = {{ precache_json|safe }};  // site shell, hashed static files, emergency procedures
// Per language, longest prefix first: {prefix: "/ru/", url: "/ru/offline/", text: "…"}.
var OFFLINE_PAGES = {{ offline_pages_json|safe }};
var MAX_PAGES = 200;  // pages kept besides the precached ones; the oldest go first
var MAX_AHEAD = 100;
var MAX_STEPS = 100;
var NETWORK_WAIT_MS = 6000;  // a slow network falls back to a kept copy after this long

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      // One by one: a missing file must not keep the rest from being kept.
      return Promise.all(PRECACHE.map(function (url) {
        return fetch(url, { credentials: "omit" }).then(function (response) {
          if (response.ok) return cache.put(url, response);
        }).catch(function () {});
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  // Caches of other releases go: their pages and files may not match this release.
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("carfaults-") === 0 && [CACHE, AHEAD, STEPS].indexOf(name) === -1;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isHtmx(request) { return request.headers.get("HX-Request") === "true"; }
// htmx's history restore asks for the whole page (historyCacheSize 0): never a kept fragment.
function isRestore(request) { return request.headers.get("HX-History-Restore-Request") === "true"; }

function keepable(request, url) {
  return request.method === "GET" && url.origin === self.location.origin &&
    url.pathname.indexOf("/admin/") !== 0 && url.pathname.indexOf("/api/") !== 0 &&
    url.pathname !== "/sw.js";
}

function trim(cache, limit) {
  return cache.keys().then(function (keys) {
    var pages = keys.filter(function (request) {
      return PRECACHE.indexOf(new URL(request.url).pathname) === -1 &&
        new URL(request.url).pathname.indexOf("/static/") !== 0;
    });
    var extra = pages.length - (limit || MAX_PAGES);
    return Promise.all(pages.slice(0, Math.max(0, extra)).map(function (request) {
      return cache.delete(request);
    }));
  });
}

function store(key, response) {
  if (!response || response.status !== 200 || response.type !== "basic") return Promise.resolve();
  var copy = response.clone();
  return caches.open(CACHE).then(function (cache) {
    return cache.delete(key).then(function () {  // re-inserted: the newest comes last
      return cache.put(key, copy);
    }).then(function () { return trim(cache); });
  });
}

function fromCache(key) {
  return caches.open(CACHE).then(function (cache) { return cache.match(key); })
    .then(function (kept) {
      return kept || caches.open(AHEAD).then(function (cache) { return cache.match(key); });
    });
}

// An htmx request brings a fragment, not a page: what is kept for the step is its whole page
// (moved over from the steps fetched ahead, or fetched once in the background).
function keepWholePage(url) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(url).then(function (kept) {
      if (kept) return null;
      return caches.open(AHEAD).then(function (ahead) { return ahead.match(url); })
        .then(function (early) {
          return early || fetch(url, { credentials: "omit" });
        }).then(function (response) { return store(url, response); });
    });
  }).catch(function () {});
}

// The offline page in the language of the URL: "/ru/..." gets the Russian one.
function offlinePageFor(url) {
  var path = new URL(url).pathname;
  for (var i = 0; i < OFFLINE_PAGES.length; i++) {
    if (path.indexOf(OFFLINE_PAGES[i].prefix) === 0) return OFFLINE_PAGES[i];
  }
  return OFFLINE_PAGES[OFFLINE_PAGES.length - 1];
}

// Offline and not kept. htmx is told to load the page as a whole (the worker then answers
// with the kept page or with the offline page); a page load gets the offline page.
function fallback(request) {
  if (isHtmx(request)) {
    return Promise.resolve(new Response("", { status: 200, headers: { "HX-Redirect": request.url } }));
  }
  var offline = offlinePageFor(request.url);
  return fromCache(offline.url).then(function (page) {
    return page || new Response(offline.text, {
      status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  });
}

// HTML: network first, so an owner online never sees a stale page; the copy is kept for
// later. Offline (or after NETWORK_WAIT_MS with a kept copy), the kept copy.
function networkFirst(event) {
  var request = event.request;
  var htmx = isHtmx(request);
  var network = fetch(request).then(function (response) {
    if (htmx) {
      if (response.status === 200) event.waitUntil(keepWholePage(request.url));
    } else {
      event.waitUntil(store(request.url, response));
    }
    return response;
  });
  return (htmx ? Promise.resolve(null) : fromCache(request.url)).then(function (kept) {
    var timeout = new Promise(function (resolve) {
      if (kept) setTimeout(function () { resolve(kept); }, NETWORK_WAIT_MS);
    });
    return Promise.race([network, timeout]).catch(function () {
      if (kept) return kept;
      // Offline, a tap on a step fetched ahead: its fragment, however old (docs/offline.md).
      var step = htmx && !isRestore(request) ? keptStep(request.url, false) : Promise.resolve(null);
      return step.then(function (found) { return found || fallback(request); });
    });
  });
}

// Hashed static files never change under their name: the kept copy is always right.
function cacheFirst(event) {
  var request = event.request;
  return fromCache(request.url).then(function (kept) {
    return kept || fetch(request).then(function (response) {
      event.waitUntil(store(request.url, response));
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (!keepable(request, url)) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(cacheFirst(event));
  } else if (isHtmx(request) && !isRestore(request)) {
    event.respondWith(answerTap(event));
  } else if (request.mode === "navigate" || isHtmx(request) ||
             (request.headers.get("Accept") || "").indexOf("text/html") !== -1) {
    event.respondWith(networkFirst(event));
  }
});

// Instant answers (docs/offline.md). The page sends the answer links of the step on screen
// once the worker controls it: each step's htmx fragment (what a tap swaps in) and its page
// are fetched and kept, then the fragments of the steps after those (the next two
// questions). A tap on a kept step of this release, younger than its own max-age, is answered
// from the phone at once; any other tap goes to the network as before.
var ANSWER_LINK = /<a class="button button-answer[^"]*" href="([^"]+)"/g;
var PREFETCH_HEADERS = { "HX-Request": "true", "HX-Boosted": "true", "HX-Target": "step",
  "Purpose": "prefetch" };
var early = {};  // url -> the fragment a touch started fetching (a tap joins it)
var pending = {};  // url -> a fragment being fetched ahead (a tap does not wait for it)

function unescapeHtml(text) {
  return text.replace(/&amp;/g, "&").replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"');
}

function answerLinks(html) {
  var next = [];
  var match;
  ANSWER_LINK.lastIndex = 0;
  while ((match = ANSWER_LINK.exec(html)) !== null) next.push(unescapeHtml(match[1]));
  return next;
}

// Fresh as HTTP would keep it: a public response younger than its max-age. Staff (private,
// no-cache) and drafts are never answered from the phone while online.
function freshUntil(headers) {  // ms since the epoch; 0: never fresh
  var control = headers.get("Cache-Control") || "";
  var age = /max-age=(\d+)/.exec(control);
  if (!age || control.indexOf("public") === -1 || /no-cache|no-store|private/.test(control)) {
    return 0;
  }
  return (Number(headers.get("X-Kept-At")) || 0) + Number(age[1]) * 1000;
}

function fresh(response) { return Date.now() < freshUntil(response.headers); }

// The fragments this worker fetched, also in memory while it runs: a tap is answered without
// reading the cache from disk (the cache holds them for a restarted worker, and offline).
var memory = new Map();  // url -> { html, headers }

function remember(url, html, headers) {
  memory.delete(url);  // re-inserted: the newest comes last
  memory.set(url, { html: html, headers: Array.from(headers.entries()) });
  while (memory.size > MAX_STEPS) memory.delete(memory.keys().next().value);
}

function fromMemory(url) {
  var kept = memory.get(url);
  return kept ? new Response(kept.html, { status: 200, headers: kept.headers }) : null;
}

// The kept fragment of a step: fresh only (online), or any (offline). A copy each time.
function keptStep(url, freshOnly) {
  var inMemory = fromMemory(url);
  return (inMemory ? Promise.resolve(inMemory) : caches.open(STEPS).then(function (cache) {
    return cache.match(url, { ignoreVary: true });
  })).then(function (kept) {
    if (!kept || (freshOnly && !fresh(kept))) return null;
    return kept;
  }).catch(function () { return null; });
}

// Fetches a step's fragment as htmx would ask for it and keeps it, stamped with the time.
// Resolves to its HTML ("" when it could not be kept).
function keepStep(url) {
  if (pending[url]) return pending[url];
  // With the owner's cookies, as htmx asks: a staff member's step comes back private, so it
  // is never answered from the phone online and staff keep seeing their own edits at once.
  var done = fetch(url, { credentials: "same-origin", headers: PREFETCH_HEADERS }).then(function (response) {
    if (response.status !== 200 || response.redirected || response.type !== "basic") return "";
    return response.text().then(function (html) {
      var headers = new Headers(response.headers);
      headers.set("X-Kept-At", String(Date.now()));
      var copy = new Response(html, { status: 200, statusText: response.statusText, headers: headers });
      remember(url, html, headers);
      return caches.open(STEPS).then(function (cache) {
        return cache.delete(url).then(function () { return cache.put(url, copy); });
      }).then(function () { return html; });
    });
  }).catch(function () { return ""; }).then(function (html) {
    delete pending[url];
    return html;
  });
  pending[url] = done;
  return done;
}

// A step's fragment, from the phone when kept and fresh, else fetched (and kept).
function stepHtml(url) {
  return keptStep(url, true).then(function (kept) {
    return kept ? kept.text() : keepStep(url);
  });
}

function keepPage(url) {
  return fromCache(url).then(function (kept) {
    if (kept) return null;
    return fetch(url, { credentials: "omit", headers: { "Purpose": "prefetch" } }).then(function (response) {
      if (response.status !== 200 || response.redirected) return null;
      return caches.open(AHEAD).then(function (cache) { return cache.put(url, response); });
    });
  }).catch(function () {});
}

// A tap answered from the phone still reaches the server, after the owner has the step: the
// server counts a step shown only then (usage/middleware.py leaves fetches ahead out, since
// most are never tapped). Not with Save-Data: the owner asked for fewer bytes. X-Shown-From
// says the step was already on screen from the phone: bench/tap.py tells these from taps that
// had to wait for the network (the server counts them alike).
var TAP_HEADERS = { "HX-Request": "true", "HX-Boosted": "true", "HX-Target": "step",
  "X-Shown-From": "phone" };

// A second after the tap: the server's answer to it (a render, bytes to read) would otherwise
// compete on the phone with the frame that shows the step. The step's page is kept at once
// (offline may come within that second).
var TELL_AFTER_MS = 1000;

function tell(url, saveData) {
  if (saveData) return Promise.resolve();
  return new Promise(function (resolve) { setTimeout(resolve, TELL_AFTER_MS); }).then(function () {
    return fetch(url, { credentials: "same-origin", headers: TAP_HEADERS });
  }).catch(function () {});
}

// A tap answered from the phone (here, or by the page from a step handed over): told to the
// server later, and its whole page kept (offline reloads).
function told(url, saveData) {
  return Promise.all([keepWholePage(url), tell(url, saveData)]);
}

// A tap (an htmx request for a step): the kept fragment when fresh; the fragment a touch
// started fetching, when there is one; else the network (networkFirst, offline fallbacks).
function answerTap(event) {
  var url = event.request.url;
  var saveData = event.request.headers.get("Save-Data") === "on";
  return keptStep(url, true).then(function (kept) {
    if (kept) {
      event.waitUntil(told(url, saveData));
      return kept;
    }
    var joined = early[url];
    if (!joined) return networkFirst(event);
    return joined.then(function () { return keptStep(url, false); }).then(function (found) {
      if (!found) return networkFirst(event);
      event.waitUntil(told(url, saveData));
      return found;
    });
  });
}

function sameOrigin(urls) {
  return urls.map(function (href) { return new URL(href, self.location.origin); })
    .filter(function (url) { return url.origin === self.location.origin; })
    .map(function (url) { return url.href; });
}

function trimAll() {
  return Promise.all([
    caches.open(AHEAD).then(function (cache) { return trim(cache, MAX_AHEAD); }),
    caches.open(STEPS).then(function (cache) { return trim(cache, MAX_STEPS); }),
  ]);
}

// The next question's steps, handed to the page that asked (instant.js): it keeps them parsed
// while the owner reads, and a tap on one is swapped in there and then, without a request to
// this worker (which the browser may have stopped meanwhile). Fresh ones only, with the time
// they stop being fresh, from this worker's memory (the cache answers the others' taps).
function handOver(client, urls) {
  var steps = [];
  urls.forEach(function (url) {
    var kept = memory.get(url);
    var until = kept ? freshUntil(new Headers(kept.headers)) : 0;
    if (until > Date.now()) steps.push({ url: url, html: kept.html, freshUntil: until });
  });
  if (client && steps.length) client.postMessage({ type: "steps", steps: steps });
}

// The next question's steps first (what the next tap needs), then their pages (offline
// reloads, the offline page's list), then the fragments of the question after.
function prefetch(urls, depth, client) {
  urls = sameOrigin(urls);
  return Promise.all(urls.map(stepHtml)).then(function (pages) {
    handOver(client, urls);
    var next = [];
    if (depth > 1) {
      pages.forEach(function (html) { next = next.concat(answerLinks(html || "")); });
    }
    return Promise.all(urls.map(keepPage)).then(function () {
      return Promise.all(sameOrigin(next).map(stepHtml));
    });
  }).then(trimAll).catch(function () {});
}

// Save-Data or a 2G connection: nothing is fetched ahead in the background; a touch on an
// answer starts fetching its step, and the tap that follows joins that request.
function prefetchOnTouch(urls) {
  return Promise.all(sameOrigin(urls).map(function (url) {
    if (early[url]) return early[url];
    early[url] = stepHtml(url).then(function (html) {
      setTimeout(function () { delete early[url]; }, 10000);
      return html;
    });
    return early[url];
  })).then(trimAll).catch(function () {});
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "prefetch" && Array.isArray(data.urls)) {
    var urls = data.urls.slice(0, 10);
    event.waitUntil(data.touch ? prefetchOnTouch(urls)
      : prefetch(urls, Math.min(data.depth || 1, 2), event.source));
  } else if (data.type === "handover" && Array.isArray(data.urls)) {
    // instant.js, just loaded: what this worker keeps of the steps on screen's next steps.
    handOver(event.source, sameOrigin(data.urls.slice(0, 10)));
  } else if (data.type === "shown" && typeof data.url === "string") {
    // A tap the page answered from a step handed over, told and kept as one answered here.
    var url = sameOrigin([data.url])[0];
    if (url) event.waitUntil(told(url, !!data.saveData));
  }
});

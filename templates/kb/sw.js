// Offline after the first visit (docs/offline.md). Served from /sw.js so its scope is the
// whole site. Rendered by kb.views.service_worker: the release id and the list of files to
// keep come from the server, so a deploy or a content edit installs a new worker.
"use strict";
var VERSION = {{ version_json|safe }};
var CACHE = "carfaults-" + VERSION;  // the shell and the pages the owner opened
var AHEAD = CACHE + "-ahead";  // steps fetched ahead of the owner's answers
var PRECACHE = {{ precache_json|safe }};  // site shell, hashed static files, emergency procedures
// Per language, longest prefix first: {prefix: "/ru/", url: "/ru/offline/", text: "…"}.
var OFFLINE_PAGES = {{ offline_pages_json|safe }};
var MAX_PAGES = 200;  // pages kept besides the precached ones; the oldest go first
var MAX_AHEAD = 100;
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
        return name.indexOf("carfaults-") === 0 && name !== CACHE && name !== AHEAD;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isHtmx(request) { return request.headers.get("HX-Request") === "true"; }

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
      return kept || fallback(request);
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
  } else if (request.mode === "navigate" || isHtmx(request) ||
             (request.headers.get("Accept") || "").indexOf("text/html") !== -1) {
    event.respondWith(networkFirst(event));
  }
});

// The page sends the wizard's answer links once a generation is chosen: those steps and the
// ones after them (the next two questions) are fetched and kept in the background.
var ANSWER_LINK = /<a class="button button-answer[^"]*" href="([^"]+)"/g;

function unescapeHtml(text) {
  return text.replace(/&amp;/g, "&").replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"');
}

function prefetch(urls, depth) {
  return caches.open(AHEAD).then(function (cache) {
    return Promise.all(urls.map(function (href) {
      var url = new URL(href, self.location.origin);
      if (url.origin !== self.location.origin) return null;
      return fromCache(url.href).then(function (kept) {
        var page = kept || fetch(url.href, { credentials: "omit" }).then(function (response) {
          if (response.status !== 200) return null;
          return cache.put(url.href, response.clone()).then(function () { return response; });
        });
        if (depth <= 1) return page;
        return Promise.resolve(page).then(function (response) {
          return response ? response.text() : "";
        }).then(function (html) {
          var next = [];
          var match;
          ANSWER_LINK.lastIndex = 0;
          while ((match = ANSWER_LINK.exec(html)) !== null) next.push(unescapeHtml(match[1]));
          return prefetch(next, depth - 1);
        });
      }).catch(function () {});
    }));
  }).then(function () {
    return caches.open(AHEAD).then(function (cache) { return trim(cache, MAX_AHEAD); });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "prefetch" && Array.isArray(data.urls)) {
    event.waitUntil(prefetch(data.urls.slice(0, 10), Math.min(data.depth || 1, 2)));
  }
});

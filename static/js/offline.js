// Offline after the first visit (docs/offline.md): registers the service worker at /sw.js;
// on a wizard step asks it to keep the next steps; on the offline page lists the pages in its
// language that this phone kept.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  // After the load: the worker's first downloads never compete with the page's.
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  });

  // Instant answers (docs/offline.md): the worker keeps the next two questions' steps, once it
  // controls the page. Save-Data or 2G: only the step of an answer touched.
  var connection = navigator.connection || {};
  var sparing = !!connection.saveData || /^(slow-)?2g$/.test(connection.effectiveType || "");
  function tell(message) {
    var worker = navigator.serviceWorker.controller;
    if (worker) worker.postMessage(message);
  }
  function prefetchNextSteps() {
    if (sparing) return;
    var links = document.querySelectorAll("#step a.button-answer");
    if (!links.length) return;
    var urls = Array.prototype.map.call(links, function (link) { return link.href; });
    tell({ type: "prefetch", urls: urls, depth: 2 });
  }
  function prefetchTouched(event) {
    var link = event.target.closest && event.target.closest("#step a.button-answer");
    if (link) tell({ type: "prefetch", urls: [link.href], touch: true });
  }
  if (sparing) {
    document.addEventListener("pointerdown", prefetchTouched, { passive: true });
  } else {
    window.addEventListener("load", prefetchNextSteps);
    // A new step on screen (wizard.js says so once it is painted): the steps after it.
    document.addEventListener("step:shown", prefetchNextSteps);
  }

  var list = document.getElementById("kept-pages");
  if (!list || !window.caches) return;
  var TITLE = /<title>([^<]*)<\/title>/;
  var OFFLINE_PATH = /^\/(?:[a-z]{2}\/)?offline\/$/;  // the offline page in any language
  var LANG = /<html lang="([^"]*)"/;
  var language = document.documentElement.lang;
  var QUESTION = /<h2 id="question-heading"[^>]*>([^<]*)<\/h2>/;
  // "Question 3" in any language: the progress line up to its first "·".
  var PROGRESS = /<p class="progress">([^<\u00b7]*\d)\s*\u00b7/;
  var decoder = document.createElement("textarea");
  function text(html) {
    decoder.innerHTML = html;  // decodes &amp; and the like; never inserted in the page
    return decoder.value.trim();
  }
  // A wizard step is named by its question ("Question 3: Is it freezing?"), other pages
  // by their title; the owner's emergency and repair cards come first.
  function describe(url, html) {
    var question = QUESTION.exec(html);
    if (question && url.search.indexOf("generation=") !== -1) {
      var progress = PROGRESS.exec(html);
      return { rank: 2, title: (progress ? progress[1] + ": " : "") + text(question[1]) };
    }
    var title = text((TITLE.exec(html) || [])[1] || url.pathname);
    return { rank: url.pathname.indexOf("/procedures/") !== -1 ? 0 : 1, title: title };
  }
  function pages(cache) {
    return cache.keys().then(function (requests) {
      var wanted = requests.filter(function (request) {
        var url = new URL(request.url);
        return url.origin === location.origin && url.pathname.indexOf("/static/") !== 0 &&
          !OFFLINE_PATH.test(url.pathname) && url.href !== location.href;
      });
      return Promise.all(wanted.map(function (request) {
        return cache.match(request).then(function (response) {
          return response.text();
        }).then(function (html) {
          // Only the pages in this offline page's language: a Russian owner's list in Russian.
          if ((LANG.exec(html) || [])[1] !== language) return null;
          var page = describe(new URL(request.url), html);
          page.url = request.url;
          return page;
        });
      }));
    });
  }
  caches.keys().then(function (names) {
    // The pages the owner opened; the steps fetched ahead are reached from them.
    var mine = names.filter(function (name) {
      return name.indexOf("carfaults-") === 0 && !/-ahead$/.test(name);
    });
    return Promise.all(mine.map(function (name) { return caches.open(name).then(pages); }));
  }).then(function (groups) {
    var found = [].concat.apply([], groups).filter(Boolean);
    found.sort(function (a, b) { return a.rank - b.rank || a.title.localeCompare(b.title); });
    found.forEach(function (page) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = page.url;
      link.textContent = page.title;
      item.appendChild(link);
      list.appendChild(item);
    });
    var section = document.getElementById("kept");
    if (section && found.length) section.hidden = false;
  }).catch(function () {});
})();

// Instant answers (docs/offline.md, "A tap answered in the page"), loaded by wizard.js once a
// service worker controls the page: the worker hands over the next question's steps it keeps;
// they are parsed while the owner reads, and a tap on one is swapped in at once, without a
// request. Any other tap goes to htmx as before. Uses wizard.js's push() and afterPaint().
(function () {
  "use strict";
  var worker = navigator.serviceWorker;
  var ready = new Map();  // url -> { html, freshUntil, content: a parsed fragment, used once }
  var unprocessed = null;  // a step swapped in here whose links htmx has not taken over yet

  function handOverToHtmx() {
    if (unprocessed) htmx.process(unprocessed);
    unprocessed = null;
  }

  function stepLinks() {
    var links = document.querySelectorAll("#step [data-hx-boost] a[href]");
    return Array.prototype.map.call(links, function (link) { return link.href; });
  }

  // A result's cards below its first screen are laid out only once they come near the
  // viewport: the frame that shows a kept result lays out its top, not all of it (the focus
  // on its heading forced a layout of 50-70 ms on a slowed phone). Not in the page's CSS: on
  // a page loaded whole, axe (Lighthouse) measures the cards skipped at their placeholder size.
  var BELOW_THE_FOLD = ["fix", "share", "report", "answered"];

  function parse(entry) {
    if (!entry.content) {
      var template = document.createElement("template");
      template.innerHTML = entry.html;
      entry.content = template.content;
      // A stylesheet the step brings (a result's report form) is applied now, while the owner
      // reads, and left out of the swap: arriving with it, it was fetched during the tap and
      // restyled and laid out the whole page again in the frame that shows the step.
      Array.prototype.forEach.call(entry.content.querySelectorAll("link[rel=stylesheet]"), function (link) {
        var href = link.getAttribute("href");
        if (!document.querySelector("link[rel=stylesheet][href=\"" + CSS.escape(href) + "\"]")) {
          document.head.appendChild(link.cloneNode());
        }
        link.remove();
      });
      Array.prototype.forEach.call(entry.content.children, function (card) {
        if (!BELOW_THE_FOLD.some(function (name) { return card.classList.contains(name); })) return;
        card.style.contentVisibility = "hidden";  // "auto" once the step is painted (show)
        card.style.containIntrinsicSize = "auto 20rem";
      });
    }
    return entry.content;
  }
  // Printed whole.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("#step > .card"), function (card) {
      card.style.contentVisibility = "";
    });
  });

  function whenIdle(work) {
    if (window.requestIdleCallback) requestIdleCallback(work, { timeout: 1000 });
    else setTimeout(work, 50);
  }

  // Only the steps the question on screen links to: the fetches ahead of an earlier step can
  // finish, and be handed over, after the owner has moved on.
  worker.addEventListener("message", function (e) {
    var data = e.data || {};
    if (data.type !== "steps" || !Array.isArray(data.steps)) return;
    var linked = stepLinks();
    data.steps.forEach(function (step) {
      if (linked.indexOf(step.url) !== -1) ready.set(step.url, step);
    });
    whenIdle(function () { ready.forEach(parse); });
  });
  // A step htmx swapped in links to other steps: what was ready is for the one before.
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.target.id === "step") ready.clear();
  });

  function show(url, entry) {
    var step = document.getElementById("step");
    var content = parse(entry);
    ready.clear();
    // The language switch, swapped out of band as htmx would: it links to this step.
    var other = content.querySelector("[data-hx-swap-oob]");
    var current = other && document.getElementById(other.id);
    if (other) other.remove();
    if (current) {
      other.removeAttribute("data-hx-swap-oob");
      current.replaceWith(other);
    }
    step.replaceChildren(content);
    unprocessed = step;
    // Focus first: its style change then goes into the one layout the scroll forces.
    var heading = document.getElementById("question-heading");
    if (heading) heading.focus({ preventScroll: true });
    step.scrollIntoView({ block: "start", behavior: "instant" });  // data-hx-swap's show:top
    // After the frame that shows it: its URL pushed (a pushState cost a slow phone up to
    // 27 ms: docs/offline.md), htmx takes the new links over, the worker tells the server of
    // the tap (counted as a step shown) and the steps after it are fetched.
    afterPaint(function () {
      // Now the cards near the viewport: with "auto" from the start, they were laid out in
      // the frame that shows the step (17 ms of its 35 on a slowed phone, traced).
      Array.prototype.forEach.call(step.children, function (card) {
        if (card.style.contentVisibility === "hidden") card.style.contentVisibility = "auto";
      });
      push(url);
      handOverToHtmx();
      var connection = navigator.connection || {};
      if (worker.controller) {
        worker.controller.postMessage({ type: "shown", url: url, saveData: !!connection.saveData });
      }
      step.dispatchEvent(new Event("step:shown", { bubbles: true }));
    });
  }

  // Before htmx sees the click (capture, on the document): a plain left click on a step link
  // whose step is ready and fresh is shown here. Any other click goes on to htmx, which takes
  // the links over first if they came in that way moments ago (a listener added to the link
  // now still hears this click).
  document.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.button || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var link = e.target.closest && e.target.closest("#step [data-hx-boost] a[href]");
    var entry = link && ready.get(link.href);
    if (!entry || entry.freshUntil <= Date.now()) return handOverToHtmx();
    e.preventDefault();
    e.stopPropagation();
    show(link.href, entry);
  }, true);
  document.addEventListener("submit", handOverToHtmx, true);  // a boosted form, likewise

  // Loaded after the worker may already have handed this step's next steps over (to no one):
  // what it keeps of them, again.
  if (worker.controller) worker.controller.postMessage({ type: "handover", urls: stepLinks() });
})();

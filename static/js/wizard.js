// The wizard's swaps (docs/offline.md, "What a tap does before the question is painted").
// Before: the old step goes in one piece (htmx would fire cleanup events per element).
document.addEventListener("htmx:beforeSwap", function (e) {
  var step = e.detail.target;
  if (e.detail.shouldSwap && step && step.id === "step" && e.target === step) step.replaceChildren();
});
// After: focus on the new heading, for keyboard and screen-reader users.
document.addEventListener("htmx:afterSwap", function (e) {
  var heading = e.target.id === "step" && document.getElementById("question-heading");
  if (heading) heading.focus({ preventScroll: true });
});
// Settled (on screen): the step's URL pushed, as htmx would before the swap; after the frame,
// "step:shown" (offline.js then fetches the steps after it).
document.addEventListener("htmx:afterSettle", function (e) {
  var info = e.detail.pathInfo, config = e.detail.requestConfig;
  if (e.target.id !== "step" || !info || (config && config.verb !== "get")) return;
  push(new URL(info.responsePath || info.finalRequestPath, location.href).href);
  afterPaint(function () { e.target.dispatchEvent(new Event("step:shown", { bubbles: true })); });
});

// After the next frame is painted, and a little later: work that must not hold up the step
// on screen, nor the frame's own tasks.
function afterPaint(work) {
  requestAnimationFrame(function () { setTimeout(work, 50); });
}

function push(url) {
  if (url === location.href) return;
  if (!(history.state && history.state.htmx)) history.replaceState({ htmx: true }, "", location.href);
  history.pushState({ htmx: true }, "", url);
}

// Instant answers (docs/offline.md, "A tap answered in the page"): the service worker hands
// over the next question's steps it keeps; they are parsed while the owner reads, and a tap on
// one is swapped in at once, without a request. Any other tap goes to htmx as before.
(function () {
  var worker = navigator.serviceWorker;
  if (!worker || !window.htmx) return;
  var ready = new Map();  // url -> { html, freshUntil, content: a parsed fragment, used once }
  var unprocessed = null;  // a step swapped in here whose links htmx has not taken over yet

  function handOverToHtmx() {
    if (unprocessed) htmx.process(unprocessed);
    unprocessed = null;
  }

  function parse(entry) {
    if (!entry.content) {
      var template = document.createElement("template");
      template.innerHTML = entry.html;
      entry.content = template.content;
    }
    return entry.content;
  }
  function whenIdle(work) {
    if (window.requestIdleCallback) requestIdleCallback(work, { timeout: 1000 });
    else setTimeout(work, 50);
  }
  worker.addEventListener("message", function (e) {
    var data = e.data || {};
    if (data.type !== "steps" || !Array.isArray(data.steps)) return;
    ready.clear();  // only the steps after the one on screen
    data.steps.forEach(function (step) { ready.set(step.url, step); });
    whenIdle(function () { ready.forEach(parse); });
  });

  function show(url, entry) {
    var step = document.getElementById("step");
    var content = parse(entry);
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
      push(url);
      handOverToHtmx();
      var connection = navigator.connection || {};
      if (worker.controller) worker.controller.postMessage({ type: "shown", url: url, saveData: !!connection.saveData });
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
    ready.clear();
    show(link.href, entry);
  }, true);
  document.addEventListener("submit", handOverToHtmx, true);  // a boosted form, likewise
})();

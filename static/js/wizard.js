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
// On screen: its URL pushed; after the frame, "step:shown" (offline.js fetches ahead).
document.addEventListener("htmx:afterSettle", function (e) {
  var info = e.detail.pathInfo, config = e.detail.requestConfig;
  if (e.target.id !== "step" || !info || (config && config.verb !== "get")) return;
  push(new URL(info.responsePath || info.finalRequestPath, location.href).href);
  afterPaint(function () { e.target.dispatchEvent(new Event("step:shown", { bubbles: true })); });
});

// Work that must not hold up the frame showing a step.
function afterPaint(work) {
  requestAnimationFrame(function () { setTimeout(work, 50); });
}

function push(url) {
  if (url === location.href) return;
  if (!(history.state && history.state.htmx)) history.replaceState({ htmx: true }, "", location.href);
  history.pushState({ htmx: true }, "", url);
}

// instant.js once a service worker controls the page: a first view has none to hand it steps.
(function () {
  var worker = navigator.serviceWorker, me = document.currentScript;
  var src = me && me.getAttribute("data-instant");
  if (!worker || !src || !window.htmx) return;
  function load() {
    worker.removeEventListener("controllerchange", load);
    var script = document.createElement("script");
    script.src = src;
    document.head.appendChild(script);
  }
  if (worker.controller) load();
  else worker.addEventListener("controllerchange", load);
})();

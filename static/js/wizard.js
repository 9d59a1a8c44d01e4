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
// Settled (on screen): the step's URL pushed, as htmx would before the swap.
document.addEventListener("htmx:afterSettle", function (e) {
  var info = e.detail.pathInfo, config = e.detail.requestConfig;
  if (e.target.id !== "step" || !info || (config && config.verb !== "get")) return;
  var url = new URL(info.responsePath || info.finalRequestPath, location.href).href;
  if (url === location.href) return;
  if (!(history.state && history.state.htmx)) history.replaceState({ htmx: true }, "", location.href);
  history.pushState({ htmx: true }, "", url);
});

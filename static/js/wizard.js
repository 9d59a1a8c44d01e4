// The step being left goes in one piece, just before htmx swaps the next one in: htmx would
// remove it child by child and fire a cleanup event on each of its elements (two events and a
// walk up the ancestors for extensions, per element: a tenth of a slow phone's tap). Nothing
// here listens to those events, and what htmx keeps on an element (its listeners and data)
// goes with the element.
document.addEventListener("htmx:beforeSwap", function (event) {
  var detail = event.detail || {};
  if (detail.shouldSwap && detail.target && detail.target.id === "step" &&
      event.target === detail.target) {
    detail.target.replaceChildren();
  }
});

// After htmx swaps a step in, move focus to its heading so keyboard and screen-reader
// users land on the new question instead of at the top of the page. htmx fires afterSwap on
// each element it swapped (the step, and the header's language switch out of band): once.
document.addEventListener("htmx:afterSwap", function (event) {
  if (!event.target || event.target.id !== "step") return;
  var heading = document.getElementById("question-heading");
  if (heading) heading.focus({ preventScroll: true });
});

// The step's URL in the address bar, pushed once the step has settled (after it is on screen).
// #step tells htmx not to (data-hx-push-url="false"): htmx would replace the entry being left
// and push the new one before the swap, tens of milliseconds of a slow phone's time before the
// next question is painted. The entries are marked as htmx's own, as htmx marks them, so back
// and forward restore the steps as before (htmx asks for the whole page).
document.addEventListener("htmx:afterSettle", function (event) {
  var detail = event.detail || {};
  if (!event.target || event.target.id !== "step" || !detail.pathInfo) return;
  if (detail.requestConfig && detail.requestConfig.verb !== "get") return;
  var path = detail.pathInfo.responsePath || detail.pathInfo.finalRequestPath;
  if (!path) return;
  var url = new URL(path, location.href).href;
  if (url === location.href) return;
  if (!(history.state && history.state.htmx)) {
    history.replaceState({ htmx: true }, "", location.href);
  }
  history.pushState({ htmx: true }, "", url);
});

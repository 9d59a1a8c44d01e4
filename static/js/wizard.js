// After htmx swaps a step in, move focus to its heading so keyboard and screen-reader
// users land on the new question instead of at the top of the page.
document.addEventListener("htmx:afterSwap", function (event) {
  var target = (event.detail && event.detail.target) || event.target;
  if (!target || target.id !== "step") return;
  var heading = document.getElementById("question-heading");
  if (heading) heading.focus({ preventScroll: true });
});

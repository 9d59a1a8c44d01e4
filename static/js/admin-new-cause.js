// "Show its type's shares" on the add page of a fault: reload the page with the form's own
// fields in the address (the admin fills a new object's form from it), so the page can list
// the problem's faults of the chosen type. Inline rows and the CSRF token stay out of it.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-show-shares]");
  if (!button) return;
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(button.form)) {
    if (name !== "csrfmiddlewaretoken" && !name.includes("-") && typeof value === "string" && value) {
      params.append(name, value);
    }
  }
  window.location.search = params.toString();
});

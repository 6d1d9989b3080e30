// Filters on /stories/ apply as soon as a choice changes (or a typed skill is committed); without JavaScript the
// "Show stories" button does it.
// On a phone the filter panel starts folded so that the stories come first; it is open without JavaScript.
for (const panel of document.querySelectorAll("details[data-collapse-below]")) {
  if (window.matchMedia(`(max-width: ${panel.dataset.collapseBelow})`).matches) panel.open = false;
}
for (const form of document.querySelectorAll("form[data-autosubmit]")) {
  form.addEventListener("change", (event) => {
    if (event.target.matches("select, input[list]")) form.requestSubmit();
  });
}

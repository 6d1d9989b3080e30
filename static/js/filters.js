// Filters on /stories/ apply as soon as a choice changes (or a typed skill is committed); without JavaScript the
// "Show stories" button does it.
for (const form of document.querySelectorAll("form[data-autosubmit]")) {
  form.addEventListener("change", (event) => {
    if (event.target.matches("select, input[list]")) form.requestSubmit();
  });
}

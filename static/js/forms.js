// The GOV.UK error pattern and save confirmations: focus goes to what the server answered, so a keyboard or screen
// reader user lands on it. The error summary first; else the status message after a save (unless the address
// points somewhere on the page). A link in the summary moves focus to its field and shows the field's label too.
const summary = document.querySelector("[data-error-summary]");
const status = document.querySelector("[data-status]");
if (summary) {
  summary.focus();
} else if (status && !document.querySelector(":target")) {
  status.focus();
}
summary?.addEventListener("click", (event) => {
  const link = event.target.closest("a[href^='#']");
  const field = link && document.getElementById(link.hash.slice(1));
  if (!field) return;
  event.preventDefault();
  field.focus();
  (field.closest("fieldset") || field.closest(".field") || field).scrollIntoView();
});

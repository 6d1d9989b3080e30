// The GOV.UK error pattern and save confirmations: focus goes to what the server answered, so a keyboard or screen
// reader user lands on it: the error summary first; else the status message after a save; else, when the address
// points to an action just ticked, its checkbox. A link in the summary moves focus to its field.
const summary = document.querySelector("[data-error-summary]");
const status = document.querySelector("[data-status]");
const target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
if (summary) {
  summary.focus();
} else if (target?.matches("[data-status]")) {
  target.focus();
} else if (status && !target) {
  status.focus();
} else if (target?.matches(".action")) {
  // After the browser has scrolled to the fragment, which takes focus away from anything but its target.
  addEventListener("load", () => target.querySelector(".tick-button")?.focus());
}
summary?.addEventListener("click", (event) => {
  const link = event.target.closest("a[href^='#']");
  const field = link && document.getElementById(link.hash.slice(1));
  if (!field) return;
  event.preventDefault();
  field.focus();
  (field.closest("fieldset") || field.closest(".field") || field).scrollIntoView();
});

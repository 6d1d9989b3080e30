// "Save for later" without a page load; without JavaScript the form posts and the page reloads.
for (const form of document.querySelectorAll("form[data-save-toggle]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) return form.submit();
    const { saved } = await response.json();
    form.elements.saved.value = saved ? "0" : "1";
    button.setAttribute("aria-pressed", String(saved));
    button.textContent = saved ? "Saved ✓" : "Save for later";
  });
}

// Remember how far into a video or podcast the employee got, when they pause, finish or leave the page.
const progress = document.querySelector("[data-progress-url]");
const media = document.querySelector(".player__media");
if (progress && media) {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  let sent = 0; // a player left at its start has nothing to remember
  const send = () => {
    const seconds = Math.floor(media.currentTime);
    if (seconds <= sent) return;
    sent = seconds;
    const body = new FormData();
    body.append("seconds", seconds);
    body.append("csrfmiddlewaretoken", token);
    navigator.sendBeacon(progress.dataset.progressUrl, body);
  };
  media.addEventListener("pause", send);
  media.addEventListener("ended", send);
  document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && send());
}

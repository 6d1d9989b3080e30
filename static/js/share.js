// The share control: copy the story's link, or the link to the moment the player is at (?t=SECONDS). Without the
// clipboard API (or JavaScript) the link stays in a field to select and copy by hand.
for (const panel of document.querySelectorAll(".share__panel")) {
  const input = panel.querySelector("[data-share-input]");
  const buttons = panel.querySelector("[data-share-buttons]");
  if (!input || !buttons) continue;
  const status = panel.querySelector("[data-share-status]");
  const base = input.value;
  buttons.hidden = false;
  status.textContent = "";

  const copy = async (url, what) => {
    input.value = url;
    try {
      await navigator.clipboard.writeText(url);
      status.textContent = `Copied the link to ${what}.`;
    } catch {
      input.focus();
      input.select();
      status.textContent = "Copying is not allowed here: the link is selected, press Ctrl+C (or ⌘C) to copy it.";
    }
  };
  panel.querySelector("[data-copy]").addEventListener("click", () => copy(base, "this story"));
  const moment = panel.querySelector("[data-copy-moment]");
  if (moment) {
    moment.addEventListener("click", () => {
      const seconds = Math.floor(document.querySelector(".player__media")?.currentTime || 0);
      const url = new URL(base);
      url.searchParams.set("t", seconds);
      copy(url.toString(), `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`);
    });
  }
}

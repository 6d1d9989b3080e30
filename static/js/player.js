// Starts the player at a shared moment (?t=SECONDS) in browsers that ignore the #t media fragment.
for (const media of document.querySelectorAll("video[data-start], audio[data-start]")) {
  const start = Number(media.dataset.start);
  const seek = () => {
    if (Number.isFinite(start) && Math.abs(media.currentTime - start) > 0.5) media.currentTime = start;
  };
  if (media.readyState >= HTMLMediaElement.HAVE_METADATA) seek();
  else media.addEventListener("loadedmetadata", seek, { once: true });
}

// Transcript times seek the player in place (without JavaScript they reload the page at that moment).
const player = document.querySelector(".player__media");
for (const link of document.querySelectorAll("a[data-seek]")) {
  link.addEventListener("click", (event) => {
    if (!player) return;
    event.preventDefault();
    player.currentTime = Number(link.dataset.seek);
    player.play().catch(() => {});
    player.focus();
  });
}

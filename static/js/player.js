// The story's player: a shared moment (?t=SECONDS), a poster as wide as the player shows it, and a transcript that
// follows playback. Without JavaScript the player still plays, and transcript times reload the page at that moment.
const player = document.querySelector(".player__media");

if (player) {
  // The browser's own controls draw a faint focus ring that no page style reaches: while the keyboard is in them, the
  // whole player wears the page's ring. Clicks on those controls reach no page script, so a mark set by a key stays
  // until focus leaves the player or the picture is clicked.
  for (const type of ["keydown", "keyup"]) player.addEventListener(type, () => player.toggleAttribute("data-keys", true));
  for (const type of ["focusout", "pointerdown"]) player.addEventListener(type, () => player.removeAttribute("data-keys"));

  // The poster rendition as wide as the player shows the video (a poster attribute has no srcset of its own): chosen
  // once the video's own size is known, which the player never grows past.
  if (player.dataset.posterSrcset) {
    const posters = player.dataset.posterSrcset.split(", ").map((entry) => {
      const [url, width] = entry.split(" ");
      return { url, width: parseInt(width, 10) };
    });
    const choose = () => {
      // While it shows a poster, the browser sizes the player by the poster: hold it to the video's own width.
      if (player.videoWidth) player.style.maxWidth = `min(100%, ${player.videoWidth}px)`;
      const shown = Math.min(player.parentElement.clientWidth, player.videoWidth || Infinity);
      const wanted = shown * (window.devicePixelRatio || 1);
      player.poster = (posters.find((poster) => poster.width >= wanted) || posters[posters.length - 1]).url;
    };
    if (player.readyState >= HTMLMediaElement.HAVE_METADATA) choose();
    else player.addEventListener("loadedmetadata", choose, { once: true });
  }

  // Start at the shared moment in browsers that ignore the #t media fragment, and show the player.
  if (player.dataset.start !== undefined) {
    const start = Number(player.dataset.start);
    const seek = () => {
      if (Number.isFinite(start) && Math.abs(player.currentTime - start) > 0.5) player.currentTime = start;
    };
    if (player.readyState >= HTMLMediaElement.HAVE_METADATA) seek();
    else player.addEventListener("loadedmetadata", seek, { once: true });
    const box = player.closest(".player").getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) player.closest(".player").scrollIntoView({ block: "start" });
  }
}

const cues = document.querySelector("[data-transcript]");
if (player && cues) {
  const lines = [...cues.querySelectorAll("li[data-from]")];
  const starts = lines.map((line) => Number(line.dataset.from));
  let current = null;

  // The panel follows playback unless the reader is in it: pointing at it, focused inside it, or scrolling it.
  let busyUntil = 0;
  let pointing = false;
  const busy = () => pointing || cues.contains(document.activeElement) || Date.now() < busyUntil;
  const reading = () => {
    busyUntil = Date.now() + 4000;
  };
  cues.addEventListener("pointerenter", () => (pointing = true));
  cues.addEventListener("pointerleave", () => (pointing = false));
  for (const type of ["wheel", "touchstart", "touchmove", "keydown"]) cues.addEventListener(type, reading, { passive: true });

  const follow = (line) => {
    if (busy()) return;
    // Scroll the panel, never the page: the line a third of the way down the panel.
    const offset = line.getBoundingClientRect().top - cues.getBoundingClientRect().top;
    const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    cues.scrollTo({ top: cues.scrollTop + offset - cues.clientHeight / 3, behavior: smooth ? "smooth" : "auto" });
  };

  // Exactly one line is current: the last one that has started (the first before any has).
  const update = () => {
    const time = player.currentTime;
    let index = 0;
    while (index + 1 < starts.length && starts[index + 1] <= time) index += 1;
    const line = lines[index];
    if (line === current) return;
    if (current) current.removeAttribute("aria-current");
    line.setAttribute("aria-current", "true");
    current = line;
    follow(line);
  };
  for (const type of ["timeupdate", "seeked", "loadedmetadata"]) player.addEventListener(type, update);
  for (const track of player.textTracks) track.addEventListener("cuechange", update);

  // A time seeks the player where it is: the page does not move and focus stays on the line.
  cues.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-seek]");
    if (!link) return;
    event.preventDefault();
    player.currentTime = Number(link.dataset.seek);
    player.play().catch(() => {});
  });
}

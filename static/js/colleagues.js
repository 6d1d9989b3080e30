// A colleague picker: as one types a name, the browser's own list (a <datalist>) offers the colleagues it matches.
// Without JavaScript the field takes a name, username or email, and a name several people share asks which one.
for (const input of document.querySelectorAll("input[data-colleagues-url]")) {
  const list = document.createElement("datalist");
  list.id = `${input.id}-suggestions`;
  input.after(list);
  input.setAttribute("list", list.id);
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (query.length < 2) return;
    timer = setTimeout(async () => {
      const url = `${input.dataset.colleaguesUrl}?q=${encodeURIComponent(query)}`;
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      const { colleagues } = await response.json();
      list.replaceChildren(
        ...colleagues.map(({ value, label }) => Object.assign(document.createElement("option"), { value, label })),
      );
    }, 200);
  });
}

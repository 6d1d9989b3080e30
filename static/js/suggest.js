// Skill names (and the alternative label that matched) offered as you type in a search or filter box; without
// JavaScript the box is a plain form field, and the filter form still reads names and alternative labels.
for (const input of document.querySelectorAll("input[data-skill-suggest]")) {
  const list = document.getElementById(input.getAttribute("list"));
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2 || !list) return;
    timer = setTimeout(async () => {
      const response = await fetch(`${input.dataset.skillSuggest}?q=${encodeURIComponent(q)}`, {
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const { skills } = await response.json();
      list.replaceChildren(
        ...skills.map(({ name, also }) =>
          Object.assign(document.createElement("option"), { value: name, label: also ? `also called ${also}` : name }),
        ),
      );
    }, 150);
  });
}

// Skill names (and alternative labels) offered as you type in a search box; without JavaScript the box is a
// plain search form.
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
      list.replaceChildren(...skills.map((name) => Object.assign(document.createElement("option"), { value: name })));
    }, 150);
  });
}

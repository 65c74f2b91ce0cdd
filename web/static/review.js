// The review queue's keyboard: j/k move between pairs, c/r/u decide the current one, n types
// its note, x ticks it, ? shows the help. Keys typed into a field are left to the field.
(function () {
  "use strict";
  let current = 0;

  const rows = () => Array.from(document.querySelectorAll("table.queue tbody tr.pair"));
  const currentRow = () => rows()[current];

  function select(index) {
    const all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, at) => row.classList.toggle("current", at === current));
    all[current].scrollIntoView({ block: "nearest" });
  }

  function decide(decision) {
    const row = currentRow();
    const button = row && row.querySelector(`button[name="decision"][value="${decision}"]`);
    if (button) button.click();
  }

  function within(selector) {
    const row = currentRow();
    return row && row.querySelector(selector);
  }

  const actions = {
    j: () => select(current + 1),
    k: () => select(current - 1),
    c: () => decide("confirm"),
    r: () => decide("reject"),
    u: () => decide("unsure"),
    n: () => { const note = within("input.note-field"); if (note) note.focus(); },
    x: () => { const box = within("input[type=checkbox]"); if (box) box.checked = !box.checked; },
    "?": () => { const help = document.getElementById("keys-help"); help.hidden = !help.hidden; },
  };

  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select")) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const action = actions[event.key];
    if (!action || event.ctrlKey || event.metaKey || event.altKey) return;
    event.preventDefault();
    action();
  });

  // a decided row leaves the table: the pair now in its place becomes the current one, and a
  // page decided to the end fetches the next pairs
  function watch() {
    const body = document.querySelector("table.queue tbody");
    if (!body) return;
    new MutationObserver(() => {
      if (rows().length) select(current);
      else window.location.reload();
    }).observe(body, { childList: true });
    select(0);
  }

  document.addEventListener("htmx:responseError", (event) => {
    const shown = document.getElementById("queue-error");
    const status = event.detail.xhr ? event.detail.xhr.status : "";
    shown.textContent = `The decision was not taken (${status}): reload the page and try again.`;
    shown.hidden = false;
  });

  document.addEventListener("DOMContentLoaded", watch);
})();

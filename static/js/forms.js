// Small, optional help for forms; everything works without it.
// 1. A form is sent once: its submit buttons are disabled after the first submit
//    (the server also stores a resent post only once, by its submission key).
// 2. Choosing a piece template fills the post's text at once, without reloading the page.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form")) {
    form.addEventListener("submit", () => {
      // After the browser has gathered the form data, so the submitter still counts.
      setTimeout(() => {
        for (const button of form.querySelectorAll("button[type=submit], button:not([type])")) {
          button.disabled = true;
          button.dataset.wasDisabledBySubmit = "1";
        }
      }, 0);
    });
  }
  // Coming back with the Back button: let people send again.
  window.addEventListener("pageshow", () => {
    for (const button of document.querySelectorAll("button[data-was-disabled-by-submit]")) {
      button.disabled = false;
      delete button.dataset.wasDisabledBySubmit;
    }
  });

  for (const picker of document.querySelectorAll("form[data-piece-picker]")) {
    const select = picker.querySelector("select");
    const body = document.getElementById(select.dataset.fills);
    const record = document.getElementById(select.dataset.records);
    if (!body || !record) continue;
    const templates = new Set(Array.from(select.options, (o) => (o.dataset.body || "").trim()));
    picker.querySelector("button[type=submit]").hidden = true;
    select.addEventListener("change", () => {
      const option = select.selectedOptions[0];
      const current = body.value.trim();
      // Only replace text that is empty or still an untouched template.
      if (current && !templates.has(current)) {
        if (!window.confirm("Replace what you have written with this template?")) return;
      }
      body.value = option.dataset.body || "";
      record.value = option.value;
      const note = document.getElementById("piece-note");
      if (note) note.textContent = option.value ? `Starting from the “${option.value}” template.` : "";
      body.focus();
    });
  }
});

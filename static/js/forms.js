// Small, optional help for forms; everything works without it.
// 1. A form is sent once: its submit buttons are disabled after the first submit
//    (the server also stores a resent post only once, by its submission key).
// 2. "Use this template" and "Undo" change the text in place, without reloading the page.
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

  // Template lists (templates/_macros/template_picker.html): "Use this template" fills the
  // box in place and "Undo" puts back what was there, without a reload. The list itself
  // changes nothing, so moving through it with the arrow keys is safe.
  for (const picker of document.querySelectorAll("[data-template-picker]")) {
    const select = picker.querySelector("select");
    const box = document.getElementById(picker.dataset.fills);
    const record = document.getElementById(picker.dataset.records);
    const use = picker.querySelector("[data-use]");
    const undo = picker.querySelector("[data-undo]");
    const note = picker.querySelector("[data-note]");
    if (!select || !box || !record || !use || !undo) continue;
    let before = null;  // what the box held before the template, while "Undo" can bring it back
    use.addEventListener("click", (event) => {
      const option = select.selectedOptions[0];
      if (!option || !option.value) return;  // nothing chosen: the server says so beside the list
      event.preventDefault();
      before = { text: box.value, record: record.value };
      box.value = option.dataset.body || "";
      record.value = option.value;
      undo.hidden = false;
      // The same words as the page says without scripts (discussions/views.py: _choose_template).
      note.textContent = `The “${option.textContent.trim()}” template is in your post now.`;
    });
    undo.addEventListener("click", (event) => {
      if (before === null) return;  // an Undo the server offered: let the form ask it
      event.preventDefault();
      box.value = before.text;
      record.value = before.record;
      before = null;
      undo.hidden = true;
      note.textContent = "Your post is back as you had written it.";
      use.focus();  // "Undo" is gone: focus stays beside it
    });
  }
});

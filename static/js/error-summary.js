// The error summary (GOV.UK's pattern), made a little kinder; it shows and its links work
// without this script.
// 1. Focus moves to the summary when the page opens, so a screen reader reads it first.
// 2. A link in it focuses its field and scrolls the field's label (or its fieldset's legend)
//    into view, where a plain "#id" link would only scroll, with the label out of sight.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const input = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!input) return;
    event.preventDefault();
    const label = document.querySelector(`label[for="${CSS.escape(input.id)}"]`)
      || input.closest("fieldset")?.querySelector("legend");
    (label || input).scrollIntoView();
    input.focus({ preventScroll: true });
  });
});

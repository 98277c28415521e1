// Show every <time> in the reader's own time zone and language; the server writes UTC.
document.addEventListener("DOMContentLoaded", () => {
  const exact = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  for (const el of document.querySelectorAll("time[datetime]")) {
    const when = new Date(el.getAttribute("datetime"));
    if (Number.isNaN(when.getTime())) continue;
    el.title = exact.format(when);
    if (el.dataset.kind === "absolute") el.textContent = exact.format(when);
  }
});

// What the last action did (its flashed message, drawn at the top of the page by
// templates/_macros/flashes.html) shows where the page opens. A view that returns to a
// place down the page names it as the address's #fragment (the reply just posted, the card
// just moved, the panel whose key changed); the message moves into that place, after its
// heading, so it is in view and read next. Without this script it stays at the top.
document.addEventListener("DOMContentLoaded", () => {
  const messages = document.querySelector("main > .flashes");
  let id = "";
  try { id = decodeURIComponent(location.hash.slice(1)); } catch { return; }  // "#%E0" …
  const place = id && document.getElementById(id);
  if (!messages || !place || place.id === "main" || !place.closest("main")) return;
  const heading = /^H[1-6]$/;
  if (heading.test(place.tagName)) {
    place.after(messages);
  } else if (place.matches("section, article, li, div, fieldset")) {
    const first = place.firstElementChild;
    if (first && (heading.test(first.tagName) || first.tagName === "HEADER")) first.after(messages);
    else place.prepend(messages);
  } else {
    return;  // a table's row, say: the message stays at the top
  }
  place.scrollIntoView();  // the page above it is shorter now by the message
});

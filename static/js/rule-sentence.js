// The completion rule's sentence beside its three numbers, kept up to date as they change.
// The server renders the same sentence (design.storyboard.rule_words); this only refreshes it.
(function () {
  "use strict";
  var out = document.getElementById("rule-sentence");
  if (!out) { return; }
  var boxes = ["observe", "interact", "initiate"].map(function (id) { return document.getElementById(id); });
  function count(box) {
    var value = box ? box.value.trim() : "";
    return /^\d{1,5}$/.test(value) ? parseInt(value, 10) : 0;
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  function sentence() {
    var o = count(boxes[0]), i = count(boxes[1]), s = count(boxes[2]), parts = [];
    if (o) { parts.push("read " + plural(o, "peer\u2019s post", "peers\u2019 posts")); }
    if (i) { parts.push("reply to " + plural(i, "peer", "different peers")); }
    if (s) { parts.push("start " + plural(s, "conversation", "conversations")); }
    var words = parts.join(", ");
    return words ? words.charAt(0).toUpperCase() + words.slice(1) : "Done when opened (no posts needed)";
  }
  boxes.forEach(function (box) {
    if (box) { box.addEventListener("input", function () { out.textContent = sentence(); }); }
  });
}());

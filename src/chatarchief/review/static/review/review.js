// Keyboard shortcuts on the review queue (progressive enhancement: the page works without them).
// j / k: next / previous item; x: select the item; z, p, a: label business, private, party.
(function () {
  "use strict";
  var form = document.querySelector("[data-review-form]");
  if (!form) { return; }
  var items = Array.prototype.slice.call(form.querySelectorAll("[data-review-item]"));
  var current = -1;
  items.forEach(function (item) { item.setAttribute("tabindex", "-1"); });
  function focus(index) {
    if (!items.length) { return; }
    current = Math.max(0, Math.min(items.length - 1, index));
    items[current].focus();
  }
  var labels = { z: "business", p: "private", a: "party" };
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (event.ctrlKey || event.metaKey || event.altKey || tag === "input" && event.target.type === "text" || tag === "textarea" || tag === "select") { return; }
    if (event.key === "j") { focus(current + 1); event.preventDefault(); }
    else if (event.key === "k") { focus(current - 1); event.preventDefault(); }
    else if (event.key === "x" && current >= 0) {
      var box = items[current].querySelector("[data-review-select]");
      if (box) { box.checked = !box.checked; }
      event.preventDefault();
    } else if (labels[event.key]) {
      var radio = form.querySelector('[data-review-label="' + labels[event.key] + '"]');
      if (radio) { radio.checked = true; radio.focus(); }
      event.preventDefault();
    }
  });
}());

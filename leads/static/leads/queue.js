// Keyboard for the queue: j / ArrowDown and k / ArrowUp move between leads, Enter opens the focused one.
(function () {
  "use strict";
  function links() { return Array.prototype.slice.call(document.querySelectorAll(".queue-row .lead-link")); }
  function move(step) {
    var all = links();
    if (!all.length) { return; }
    var at = all.indexOf(document.activeElement);
    var next = at < 0 ? 0 : Math.min(Math.max(at + step, 0), all.length - 1);
    all[next].focus();
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) { return; }
    if (event.key === "j" || event.key === "ArrowDown") { move(1); event.preventDefault(); }
    else if (event.key === "k" || event.key === "ArrowUp") { move(-1); event.preventDefault(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var first = links()[0];
    if (first) { first.focus(); }
  });
}());

/* Keyboard use of the queue and the flag page; loaded from this server (no inline script). */
(function () {
  "use strict";

  function typing(event) {
    var t = event.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" ||
                 t.isContentEditable);
  }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.queue-row")); }

  function select(index) {
    var all = rows();
    if (!all.length) { return; }
    index = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (r) { r.classList.remove("selected"); });
    all[index].classList.add("selected");
    var link = all[index].querySelector("a.open");
    if (link) { link.focus(); }
  }

  function current() {
    var all = rows();
    for (var i = 0; i < all.length; i++) {
      if (all[i].classList.contains("selected") || all[i].contains(document.activeElement)) { return i; }
    }
    return -1;
  }

  function follow(id) {
    var link = document.getElementById(id);
    if (link) { link.click(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event)) { return; }
    switch (event.key) {
      case "j": select(current() + 1); event.preventDefault(); break;
      case "k": select(current() - 1); event.preventDefault(); break;
      case "/":
        var filter = document.getElementById("filter-kind");
        if (filter) { filter.focus(); event.preventDefault(); }
        break;
      case "[": follow("page-prev"); break;
      case "]": follow("page-next"); break;
      case "b": follow("back-link"); break;
      case "x":
        var row = rows()[current()];
        var pick = row && row.querySelector("input.pick");
        if (pick) { pick.checked = !pick.checked; event.preventDefault(); }
        break;
      case "r":
        var reason = document.getElementById("reason");
        if (reason) { reason.focus(); event.preventDefault(); }
        break;
    }
  });

  document.addEventListener("change", function (event) {
    if (!event.target || event.target.id !== "select-all") { return; }
    document.querySelectorAll("tr.queue-row input.pick").forEach(function (box) {
      box.checked = event.target.checked;
    });
  });

  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest("tr.queue-row");
    if (!row) { return; }
    rows().forEach(function (r) { r.classList.toggle("selected", r === row); });
  });
})();

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
  /* The duty page: the waiting count in the tab's title and a short tone (WebAudio, no sound
     file) when the live list brings an alert newer than any seen on this page. Browsers let a
     page sound only after a click on it: the "Turn the sound on" button is that click. */
  var newestSeen = null;
  var audio = null;

  function tone() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    audio = audio || new Context();
    if (audio.state === "suspended") { audio.resume(); }
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.type = "square";
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.35);
    oscillator.connect(gain);
    gain.connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.35);
  }

  function dutyState() {
    var state = document.getElementById("duty-state");
    if (!state) { return; }
    var newest = Number(state.dataset.newest || 0);
    document.title = state.dataset.title + " · Tracker";
    if (newestSeen !== null && newest > newestSeen) {
      document.body.dataset.tones = String(Number(document.body.dataset.tones || 0) + 1);
      try { tone(); } catch (e) { /* no sound here: the title and the list still change */ }
    }
    newestSeen = Math.max(newest, newestSeen || 0);
  }

  document.addEventListener("DOMContentLoaded", dutyState);
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "duty-live") { dutyState(); }
  });
  document.addEventListener("click", function (event) {
    if (!event.target || event.target.id !== "duty-sound") { return; }
    try { tone(); event.target.textContent = "Sound is on"; } catch (e) {
      event.target.textContent = "This browser cannot play the tone";
    }
  });
})();

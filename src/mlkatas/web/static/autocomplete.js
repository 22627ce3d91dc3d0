// The search box as a combobox (WAI-ARIA 1.2): htmx fills #suggestions as you type; this file adds
// the keyboard (arrows move, Enter opens, Escape closes) and keeps the ARIA state in step.
(function () {
  "use strict";
  function setup() {
    var input = document.getElementById("q");
    var list = document.getElementById("suggestions");
    var status = document.getElementById("suggest-status");
    if (!input || !list) return;
    var active = -1;

    function options() { return Array.prototype.slice.call(list.querySelectorAll('[role="option"]')); }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var all = options();
      all.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", all[index].id);
        all[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    // new suggestions arrived: show them (or close when there are none) and say how many
    list.addEventListener("htmx:afterSwap", function () {
      var n = options().length;
      active = -1;
      if (n && input.value.trim() && document.activeElement === input) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
      if (status) status.textContent = n ? n + (n === 1 ? " suggestion" : " suggestions") : "";
    });

    input.addEventListener("keydown", function (e) {
      var all = options();
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!all.length) return;
        e.preventDefault();
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        var step = e.key === "ArrowDown" ? 1 : -1;
        var start = step === 1 ? -1 : 0;  // the first press goes to the first (or, up, the last) option
        highlight(((active === -1 ? start : active) + step + all.length) % all.length);
      } else if (e.key === "Enter" && active >= 0 && !list.hidden) {
        e.preventDefault();  // open the suggestion rather than search for the typed text
        window.location.href = all[active].querySelector("a").href;
      } else if (e.key === "Escape" && !list.hidden) {
        e.preventDefault();
        close();
      }
    });
    // leaving the box closes the list; a click on a suggestion lands first (mousedown keeps focus)
    list.addEventListener("mousedown", function (e) { e.preventDefault(); });
    input.addEventListener("blur", close);
    close();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();

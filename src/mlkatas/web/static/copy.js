// Copy buttons: one on every code block of a description, and "Copy as JSON" on a kata page.
(function () {
  function copyText(text, button) {
    const done = () => { const label = button.textContent; button.textContent = "Copied"; setTimeout(() => { button.textContent = label; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {  // plain http on a LAN: the old way still works
      const area = document.createElement("textarea");
      area.value = text; document.body.appendChild(area); area.select();
      document.execCommand("copy"); area.remove(); done();
    }
  }
  document.querySelectorAll(".description pre").forEach(function (pre) {
    const button = document.createElement("button");
    button.type = "button"; button.className = "copy"; button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy code");
    button.addEventListener("click", function () { copyText(pre.querySelector("code").innerText, button); });
    pre.appendChild(button);
  });
  const json = document.querySelector("[data-copy-json]");
  if (json) {
    json.hidden = false;
    json.addEventListener("click", function () {
      fetch(json.dataset.copyJson, {credentials: "same-origin"}).then((r) => r.text())
        .then((text) => copyText(JSON.stringify(JSON.parse(text), null, 2), json));
    });
  }
})();

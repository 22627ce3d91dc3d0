// How the practice section talks to htmx: the textarea holds the editor's text before any
// request leaves, and error answers (413, 422, 429, 503: a panel with the message) are shown
// where the answer was going instead of being dropped.

export function swapErrorAnswers(htmx) {
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[2345]..", swap: true },
  ];
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const xhr = event.detail.xhr;
    // a whole page (a 403 or 500 from the site's error page) does not belong in a panel
    if (xhr.status >= 400 && /^\s*<!doctype/i.test(xhr.responseText)) {
      event.detail.serverResponse = errorPanel(xhr);
    }
  });
  document.body.addEventListener("htmx:sendError", (event) => {
    const target = event.detail.target;
    if (target) target.replaceChildren(messagePanel("The server could not be reached. Check your connection and try again."));
  });
}

/** Once the solution shows (given up, or swapped in by a passed verdict), "Give up" has no use. */
export function hideGiveUpOnceUnlocked() {
  document.body.addEventListener("htmx:afterSettle", () => {
    const solution = document.getElementById("solution");
    const giveUp = document.getElementById("give-up");
    if (solution && giveUp && !solution.classList.contains("locked")) giveUp.form.hidden = true;
  });
}

function errorPanel(xhr) {
  const page = new DOMParser().parseFromString(xhr.responseText, "text/html");
  const said = page.querySelector("main p") || page.querySelector("main");
  const text = (said && said.textContent.trim()) || `The server answered ${xhr.status}.`;
  return messagePanel(text).outerHTML;
}

// shaped like templates/practice/_verdict.html's error panel
function messagePanel(text) {
  const panel = document.createElement("div");
  panel.className = "verdict-panel";
  const said = panel.appendChild(document.createElement("p"));
  said.className = "verdict-error";
  said.setAttribute("role", "alert");
  said.textContent = text;
  return panel;
}

/** Before htmx gathers a request's values (and before a plain form posts), copy the editor in. */
export function syncBeforeRequests(form, textarea, currentText) {
  const sync = () => { textarea.value = currentText(); };
  document.body.addEventListener("htmx:confirm", sync);
  form.addEventListener("submit", sync);
  // whoever builds the form's values (htmx, a plain post) gets the editor's text
  form.addEventListener("formdata", (event) => event.formData.set(textarea.name, currentText()));
}

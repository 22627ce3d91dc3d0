// The practice section's script: turns #editor's textarea into a code editor. Without this script
// the textarea and its forms still work; with it, the textarea stays hidden and in step.
import { draftSaver, initialSource } from "./drafts.js";
import { loadSubmissionsOnClick } from "./history.js";
import { hideGiveUpOnceUnlocked, swapErrorAnswers, syncBeforeRequests } from "./htmx.js";
import { EditorView, createState, followSystemTheme } from "./setup.js";

function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
  } catch (_) {
    return "";
  }
}

function press(id) {
  const button = document.getElementById(id);
  if (button && !button.disabled) button.click();
}

function mount(host) {
  const textarea = host.querySelector("textarea");
  const form = textarea.form || host;
  const slug = host.dataset.slug;
  const serverSource = textarea.value;
  const drafts = draftSaver(slug, serverSource, {
    signedIn: host.hasAttribute("data-signed-in"), csrfToken: csrfToken(),
  });
  const shortcuts = [
    { key: "Mod-Shift-Enter", run: () => press("submit") },
    { key: "Mod-Enter", run: () => press("run") },
  ];
  const label = (textarea.labels && textarea.labels[0] && textarea.labels[0].textContent.trim()) || "Code";
  const { state, theme } = createState(initialSource(slug, serverSource), { shortcuts, onChange: drafts.save, label });
  const view = new EditorView({ state });
  textarea.after(view.dom);
  textarea.hidden = true;
  textarea.value = state.doc.toString();
  followSystemTheme(view, theme);

  const text = () => view.state.doc.toString();
  syncBeforeRequests(form, textarea, text);
  window.addEventListener("pagehide", drafts.flush);
  const status = host.querySelector("[data-editor-status]");
  loadSubmissionsOnClick((source) => {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: source } });
    view.focus();
  }, (message) => { if (status) status.textContent = message; });
  if (window.htmx) swapErrorAnswers(window.htmx);
  hideGiveUpOnceUnlocked();
  // the keys work from anywhere on the page, not only inside the editor
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || view.hasFocus) return;
    if (event.target.closest && event.target.closest("form") && event.target.closest("form") !== form) return;
    event.preventDefault();
    press(event.shiftKey ? "submit" : "run");
  });
  host.dataset.editorReady = "true";
  // when the editor became usable, on the page's clock (devtools/bench_editor.py reads it)
  if (window.performance && performance.mark) performance.mark("mlkatas:editor-ready");
  return view;
}

function start() {
  const host = document.getElementById("editor");
  if (host && host.querySelector("textarea")) window.mlkatasEditor = mount(host);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();

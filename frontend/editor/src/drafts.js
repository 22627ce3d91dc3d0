// Drafts: every edit is kept in this browser (localStorage, `mlkatas:draft:{slug}`) and, for a
// signed-in learner, on the server (PUT /api/katas/{slug}/draft, at most about once a second).
//
// The browser keeps {source, base}: base is the text the server gave the page when the draft was
// written. When the server's text is still that base, the browser's draft is the newer one; when
// it differs (the learner worked on another device), the server's text wins.

const SAVE_DELAY_MS = 1000;

export function draftKey(slug) {
  return `mlkatas:draft:${slug}`;
}

function readLocal(key) {
  try {
    const stored = JSON.parse(window.localStorage.getItem(key) || "null");
    return stored && typeof stored.source === "string" ? stored : null;
  } catch (_) {
    return null;  // storage blocked (private mode) or a value we did not write
  }
}

/** The text to open with: this browser's draft, unless the server's text moved on since. */
export function initialSource(slug, serverSource) {
  const stored = readLocal(draftKey(slug));
  return stored !== null && stored.base === serverSource ? stored.source : serverSource;
}

/**
 * A saver for `slug`: `save(text)` stores it locally at once and schedules the server copy;
 * `flush()` sends a pending server copy now (on leaving the page).
 */
export function draftSaver(slug, serverSource, { signedIn, csrfToken }) {
  const key = draftKey(slug);
  let pending = null;
  let timer = null;

  function send(keepalive) {
    if (pending === null) return;
    const body = JSON.stringify({ source: pending });
    pending = null;
    fetch(`/api/katas/${encodeURIComponent(slug)}/draft`, {
      method: "PUT", credentials: "same-origin", keepalive,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
      body,
    }).catch(() => {});  // offline: the browser's copy still holds the text
  }

  return {
    save(text) {
      try {
        window.localStorage.setItem(key, JSON.stringify({ source: text, base: serverSource }));
      } catch (_) { /* storage full or blocked: the server copy still goes */ }
      if (!signedIn) return;
      pending = text;
      clearTimeout(timer);
      timer = setTimeout(() => send(false), SAVE_DELAY_MS);
    },
    flush() {
      clearTimeout(timer);
      send(true);
    },
  };
}

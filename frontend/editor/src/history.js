// "Load" buttons of the submission history: fetch that submission and put its source in the editor.
// The history list is replaced by htmx, so one listener on the document serves every row.

export function loadSubmissionsOnClick(load, announce) {
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-load-submission]");
    if (!button) return;
    event.preventDefault();
    const id = button.dataset.loadSubmission;
    try {
      const answer = await fetch(`/api/submissions/${encodeURIComponent(id)}`, { credentials: "same-origin" });
      if (!answer.ok) throw new Error(`the server answered ${answer.status}`);
      const submission = await answer.json();
      load(submission.source);
      announce("Loaded the submission into the editor.");
    } catch (error) {
      announce(`Could not load that submission: ${error.message}.`);
    }
  });
}

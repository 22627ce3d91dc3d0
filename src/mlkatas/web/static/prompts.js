// The prompt builder: insert a placeholder at the cursor, copy a compiled prompt.
document.addEventListener("click", async (event) => {
  const insert = event.target.closest("[data-insert]");
  if (insert) {
    const field = document.getElementById("template");
    const [start, end] = [field.selectionStart, field.selectionEnd];
    field.setRangeText(insert.dataset.insert, start, end, "end");
    field.focus();
    return;
  }
  const copy = event.target.closest("[data-copy]");
  if (copy) {
    const source = document.getElementById(copy.dataset.copy);
    const status = copy.parentElement.querySelector(".copied");
    try {
      await navigator.clipboard.writeText(source.value);
    } catch {
      source.select(); // no clipboard API (plain http on another host): the older way
      document.execCommand("copy");
    }
    status.textContent = "Copied";
  }
});

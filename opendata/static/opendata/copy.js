// The dataset page's « copy the code » button (opendata/dataset_page.html): shown only when
// this script runs; it copies the embed code and says so in a status line. Without it, the
// code stays selectable in its read-only text box.
for (const button of document.querySelectorAll("[data-copy]")) {
  const source = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector("[role=status]");
  if (!source) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    let copied = false;
    try {
      await navigator.clipboard.writeText(source.value);
      copied = true;
    } catch {
      source.focus();
      source.select();
      copied = document.execCommand && document.execCommand("copy");
    }
    if (status) {
      status.textContent = copied ? button.dataset.copied : button.dataset.copyFailed;
    }
  });
}

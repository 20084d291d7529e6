// The progress page of a background job: asks for the job's status every two seconds and
// puts the new progress section in place, without loading the whole page again. A short
// sentence in the live region tells screen reader users when the step or the status changes.
const POLL_MS = 2000;

export function start(root) {
  const announce = document.getElementById("job-announce");
  let status = root.dataset.status;
  let said = "";

  async function poll() {
    let state;
    try {
      const response = await fetch(root.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      state = await response.json();
    } catch {
      // Busy or offline for a moment: try again (the "Check progress" button still works).
      window.setTimeout(poll, POLL_MS * 2);
      return;
    }
    root.innerHTML = state.html;
    const onPage = root.querySelector("#job-message, .govuk-error-summary");
    const sentence = state.finished ? onPage?.textContent.trim() : state.message;
    if (sentence && sentence !== said) {
      announce.textContent = sentence;
      said = sentence;
    }
    if (state.status !== status) {
      status = state.status;
      root.dataset.status = status;
      if (state.finished) {
        const title = document.title.replace(/^Error: /, "");
        document.title = (status === "failed" ? "Error: " : "") + title;
        root.querySelector("#job-heading")?.focus();
      }
    }
    if (!state.finished) window.setTimeout(poll, POLL_MS);
  }

  if (status === "waiting" || status === "running") window.setTimeout(poll, POLL_MS);
}

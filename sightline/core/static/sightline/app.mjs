import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

const jobProgress = document.querySelector('[data-module="sightline-job-progress"]');
if (jobProgress) {
  import("./job-progress.mjs").then(({ start }) => start(jobProgress));
}

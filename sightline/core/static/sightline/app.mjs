import { initAll } from "../govuk/govuk-frontend.min.js";
import { initCaseRoute } from "./case-route.mjs";

initAll();

const jobProgress = document.querySelector('[data-module="sightline-job-progress"]');
if (jobProgress) {
  import("./job-progress.mjs").then(({ start }) => start(jobProgress));
}

for (const form of document.querySelectorAll('[data-sightline-module="case-route"]')) {
  initCaseRoute(form);
}

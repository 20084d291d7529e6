import { initAll } from "../govuk/govuk-frontend.min.js";
import { initCaseRoute } from "./case-route.mjs";

initAll();
for (const form of document.querySelectorAll('[data-sightline-module="case-route"]')) {
  initCaseRoute(form);
}

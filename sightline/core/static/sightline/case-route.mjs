// The case form asks the route first. Every route's questions are on the page; this shows
// the chosen route's and hides the rest as the route changes, so no second step is needed.
// Without it the server does the same in two steps (see reviews.views.CaseFormView).
export function initCaseRoute(form) {
  const shown = form.querySelector("[data-shown-route]");
  const questions = form.querySelector("[data-route-questions]");
  const proceed = form.querySelector("[data-route-continue]");
  const sections = form.querySelectorAll("[data-route-fields]");
  if (proceed) proceed.hidden = true;

  const show = (route) => {
    for (const section of sections) section.hidden = section.dataset.routeFields !== route;
    if (questions) questions.hidden = false;
    shown.value = route;
  };
  for (const radio of form.querySelectorAll('input[type="radio"][name="route"]')) {
    radio.addEventListener("change", () => {
      if (radio.checked) show(radio.value);
    });
  }
  // A route chosen before the script ran (the browser's back button keeps it): show its questions.
  const checked = form.querySelector('input[type="radio"][name="route"]:checked');
  if (checked && checked.value !== shown.value) show(checked.value);
}

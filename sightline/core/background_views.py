"""Pages about background work: the worker's health, the schedules, and emails not sent."""

import hmac

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from . import selectors
from .forms import ScheduleSettingForm
from .outbox import outbox_resend
from .schedules import schedule_named
from .services import schedule_setting_save
from .views import PolicyView


class BackgroundWorkView(PolicyView):
    """For administrators: is the worker keeping up, when do schedules run, which emails
    could not be sent."""

    permission = "core.manage_background_work"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page()

    def render_page(
        self, *, form: ScheduleSettingForm | None = None, editing: str = "", status: int = 200
    ) -> HttpResponse:
        schedules = selectors.schedule_overview()
        forms = {
            row.name: (
                form
                if form is not None and row.name == editing
                else ScheduleSettingForm(
                    initial={"run_at": row.run_at.strftime("%H:%M"), "is_enabled": row.is_enabled},
                    prefix=row.name.replace(".", "-"),
                )
            )
            for row in schedules
        }
        return render(
            self.request,
            "core/background.html",
            {
                "health": selectors.background_health(),
                "schedules": schedules,
                "forms": forms,
                "attention": selectors.outbox_needing_attention(),
                "jobs": selectors.job_list(),
            },
            status=status,
        )


class ScheduleSettingView(BackgroundWorkView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, schedule: str) -> HttpResponse:
        name = schedule
        found = schedule_named(name)
        if found is None:
            raise Http404("No such schedule")
        form = ScheduleSettingForm(request.POST, prefix=name.replace(".", "-"))
        if not form.is_valid():
            return self.render_page(form=form, editing=name, status=400)
        schedule_setting_save(actor=request.user, schedule=name, **form.cleaned_data)
        state = (
            f"runs at {form.cleaned_data['run_at']:%H:%M}"
            if form.cleaned_data["is_enabled"]
            else "is turned off"
        )
        messages.success(request, f"{found.label} {state}.")
        return redirect("core:background_work")


class OutboxResendView(PolicyView):
    permission = "core.manage_background_work"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = selectors.outbox_message_get(pk=pk)
        try:
            outbox_resend(actor=request.user, message=message)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"The email to {message.recipient} will be sent again.")
        return redirect("core:background_work")


@login_not_required
@never_cache
def queue_health(request: HttpRequest) -> JsonResponse:
    """For monitoring: the queue's depth and ages, with the token set in
    SIGHTLINE_MONITORING_TOKEN (as ``Authorization: Bearer <token>``)."""
    expected = settings.SIGHTLINE_MONITORING_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return JsonResponse({"error": "A valid monitoring token is needed."}, status=403)
    return JsonResponse(selectors.background_health().as_dict())

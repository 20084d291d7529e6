"""The shared kernel's pages: error pages, the audit trail and the access log."""

from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from . import selectors, uploads
from .exceptions import NotVisibleError
from .exports import csv_text
from .forms import AuditFilterForm, ClosureDayForm, SpreadsheetUploadForm
from .models import AccessLogEntry, AuditEvent
from .pagination import paginate
from .services import access_log_record, audit_record, closure_day_add, closure_day_remove
from .tabular import FileProblem, ImportRejected


class PolicyView(View):
    """A view guarded by one permission from an app's policies, checked on every request.

    ``get_permission_object`` returns the object the permission is about (fetched through a
    selector that raises ``NotVisibleError`` when the user may not know it exists).
    """

    permission: ClassVar[str]

    def get_permission_object(self) -> Any:
        return None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.object = self.get_permission_object()
        if not request.user.has_perm(self.permission, self.object):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def next_url(request: HttpRequest, default: str) -> str:
    """Where the ``next`` field or parameter asks to go, if it is on this site; else
    ``default``. Never an address elsewhere: that would make the page an open redirect."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def apply_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field, or above the form."""
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                form.add_error(field if field in form.fields else None, item.messages[0])
    else:
        for message in error.messages:
            form.add_error(None, message)


def _audit_refusal(request: HttpRequest, *, kind: str, detail: str) -> None:
    user = getattr(request, "user", None)
    audit_record(actor=user, kind=kind, detail=f"{request.method} {request.path}: {detail}")


def bad_request(
    request: HttpRequest, *, title: str, then: str, problems: Form | None = None
) -> HttpResponse:
    """A 400 page for a request whose query string was refused (a download's or a report's
    dates): the refusing form's messages, if any, then what to do (``then``)."""
    messages_text = " ".join(
        str(message)
        for errors in (problems.errors if problems else {}).values()
        for message in errors
    )
    error = {"title": title, "body": f"{messages_text}. {then}" if messages_text else then}
    return render(request, "core/error.html", {"error": error, "status": 400}, status=400)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", _error_context(400), status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    _audit_refusal(request, kind=AuditEvent.Kind.ACCESS_DENIED, detail="permission refused")
    return render(request, "core/error.html", _error_context(403), status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, NotVisibleError):
        _audit_refusal(
            request, kind=AuditEvent.Kind.ACCESS_DENIED, detail="record outside the user's scope"
        )
    return render(request, "core/error.html", _error_context(404), status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: nothing here may touch the database, which may be the fault.
    html = render_to_string("core/error.html", _error_context(500))
    return HttpResponse(html, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    _audit_refusal(request, kind=AuditEvent.Kind.CSRF_FAILURE, detail=reason)
    return render(request, "core/error.html", _error_context("csrf"), status=403)


ERRORS: dict[int | str, dict[str, str]] = {
    400: {
        "title": "There is a problem with your request",
        "body": "The request could not be understood. Go back and try again.",
    },
    403: {
        "title": "You do not have permission to see this page",
        "body": "Your role does not give you access to this page. If you think it should, "
        "ask your partnership administrator.",
    },
    404: {
        "title": "Page not found",
        "body": "If you typed the web address, check it is correct. If you pasted the web "
        "address, check you copied the entire address.",
    },
    500: {
        "title": "Sorry, there is a problem with the service",
        "body": "Try again later. Nothing you entered has been half-saved: if you were "
        "changing something, check whether the change was made.",
    },
    "csrf": {
        "title": "This form could not be sent",
        "body": "The form had expired or did not come from Sightline, so nothing was saved. "
        "Go back, reload the page and try again.",
    },
}


def _error_context(code: int | str) -> dict[str, Any]:
    return {
        "error": ERRORS[code],
        "status": 403 if code == "csrf" else code,
        "partnership_name": settings.SIGHTLINE_PARTNERSHIP_NAME,
    }


@login_not_required
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: the application answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "time": timezone.now().isoformat()})


def _object_types() -> list[tuple[str, str]]:
    return sorted(
        (model._meta.label_lower, str(model._meta.verbose_name).capitalize())
        for model in apps.get_models()
        if model._meta.app_label not in {"contenttypes", "sessions", "auth"}
    )


def _audit_filters(request: HttpRequest) -> tuple[AuditFilterForm, selectors.AuditFilters]:
    form = AuditFilterForm(request.GET or None, object_types=_object_types())
    if form.is_bound and form.is_valid():
        return form, selectors.AuditFilters(**form.cleaned_data)
    return form, selectors.AuditFilters()


class AuditTrailView(PolicyView):
    permission = "core.view_audit_trail"

    def get(self, request: HttpRequest) -> HttpResponse:
        form, filters = _audit_filters(request)
        events = selectors.audit_event_list(filters=filters)
        results = paginate(request, events)
        return render(
            request,
            "core/audit_trail.html",
            {
                "form": form,
                "events": results.items,
                "page": results.page,
                "pagination": results.pagination,
                "export_query": request.GET.urlencode(),
            },
        )


class AuditTrailExportView(PolicyView):
    permission = "core.export_audit_trail"

    def get(self, request: HttpRequest) -> HttpResponse:
        _, filters = _audit_filters(request)
        events = selectors.audit_event_list(filters=filters)
        access_log_record(
            user=request.user,
            action=AccessLogEntry.Action.EXPORT,
            object_type="core.auditevent",
            object_repr="Audit trail (CSV)",
            detail=request.GET.urlencode(),
        )
        body = csv_text(
            [
                "when",
                "person",
                "what happened",
                "record type",
                "record",
                "record name",
                "changes",
                "detail",
                "address",
            ],
            (
                [
                    timezone.localtime(event.occurred_at).isoformat(),
                    event.actor_email,
                    event.get_kind_display(),
                    event.object_type,
                    event.object_id,
                    event.object_repr,
                    event.changes and str(event.changes),
                    event.detail,
                    event.ip_address,
                ]
                for event in events.iterator(chunk_size=2000)
            ),
        )
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="sightline-audit-trail.csv"'
        return response


class AccessLogView(PolicyView):
    permission = "core.view_access_log"

    def get(self, request: HttpRequest) -> HttpResponse:
        results = paginate(request, selectors.access_log_list())
        return render(
            request,
            "core/access_log.html",
            {"entries": results.items, "page": results.page, "pagination": results.pagination},
        )


class ClosureDayListView(PolicyView):
    """Days the partnership is closed beyond the bank holidays: they are not working days."""

    permission = "core.manage_closure_days"

    def _render(self, form: ClosureDayForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "core/closure_days.html",
            {"form": form, "days": list(selectors.closure_day_list())},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(ClosureDayForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ClosureDayForm(request.POST)
        if form.is_valid():
            try:
                day = closure_day_add(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, f"{day.date:%d %B %Y} is now a closure day; deadlines were recounted."
                )
                return redirect("core:closure_days")
        return self._render(form, status=400)


@dataclass(frozen=True)
class Confirmation:
    """What a confirmation page shows before a destructive action: the question, the facts
    that identify what is acted on, what will happen, and the two buttons' words."""

    heading: str
    button: str
    keep: str
    happens: list[str]
    caption: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)


class ConfirmActionView(PolicyView):
    """A destructive action (remove, cancel) asks first: the page (GET) says what will happen,
    with a warning button that acts (POST) beside a way to keep things as they are. Works
    without a script. Subclasses give ``confirmation``, ``act`` (returning the success
    message) and ``done_url`` (also where "keep" leads, unless ``keep_url`` says otherwise)."""

    def confirmation(self) -> Confirmation:
        raise NotImplementedError

    def act(self) -> str:
        raise NotImplementedError

    def done_url(self) -> str:
        raise NotImplementedError

    def keep_url(self) -> str:
        return self.done_url()

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return render(
            request,
            "core/confirm.html",
            {"confirm": self.confirmation(), "keep_url": self.keep_url()},
        )

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            message = self.act()
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(self.keep_url())
        messages.success(request, message)
        return redirect(self.done_url())


class ClosureDayRemoveView(ConfirmActionView):
    permission = "core.manage_closure_days"

    @property
    def day(self) -> Any:
        return selectors.closure_day_get(pk=self.kwargs["pk"])

    def confirmation(self) -> Confirmation:
        day = self.day
        return Confirmation(
            caption="Working days",
            heading=f"Are you sure {day.date.day} {day.date:%B %Y} is a working day?",
            facts=[("Date", f"{day.date.day} {day.date:%B %Y}"), ("Closed for", day.description)],
            happens=[
                "Sightline will count it as a working day again, and every deadline is "
                "recounted: some cases' milestones may fall due a day earlier.",
            ],
            button="Make it a working day",
            keep="Keep it as a closure day",
        )

    def act(self) -> str:
        day = self.day
        closure_day_remove(actor=self.request.user, day=day)
        return f"{day.date.day} {day.date:%B %Y} is a working day again."

    def done_url(self) -> str:
        return reverse("core:closure_days")


class ObjectFormView(PolicyView):
    """A small form about one object (a decision on a case, evidence on an action...), shown
    on the shared form page and saved through one service; back to the object on success.

    Subclasses fetch the object in ``get_permission_object`` and give ``make_form``, ``save``,
    ``heading``, ``success``, and the page's ``caption`` and ``object_url``.
    """

    heading = ""
    success = ""
    button = "Save"

    def make_form(self, data: Any = None) -> Form:
        raise NotImplementedError

    def save(self, form: Any) -> None:
        raise NotImplementedError

    def caption(self) -> str:
        return str(self.object)

    def object_url(self) -> str:
        return str(self.object.get_absolute_url())

    def _render(self, form: Form, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "core/form_page.html",
            {
                "form": form,
                "heading": self.heading,
                "caption": self.caption(),
                "cancel_url": self.object_url(),
                "button": self.button,
            },
            status=status,
        )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self._render(self.make_form())

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                self.save(form)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, self.success)
                return redirect(self.object_url())
        return self._render(form, status=400)


class PreviewedImportView(PolicyView):
    """Upload a spreadsheet, see what it would create and change, then import it.

    The first post runs the import as a dry run and holds the file; the second, carrying the
    file's token, runs it for real. Every problem in the file is listed and nothing is saved.
    Subclasses give the templates, the form, where to go when done, and ``run``.
    """

    template_name: ClassVar[str]
    preview_template: ClassVar[str]
    form_class: ClassVar[type[SpreadsheetUploadForm]]
    done_url: ClassVar[str]
    carried_options: ClassVar[tuple[str, ...]] = ()  # checkboxes kept from upload to import

    def run(self, *, name: str, content: bytes, dry_run: bool, **options: bool) -> Any:
        raise NotImplementedError

    def _options(self) -> dict[str, bool]:
        return {name: self.request.POST.get(name) == "on" for name in self.carried_options}

    def _refused(self, error: Exception) -> HttpResponse:
        problems = getattr(error, "problems", [str(error)])
        context = {"form": self.form_class(), "problems": problems}
        return render(self.request, self.template_name, context, status=400)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": self.form_class()})

    def post(self, request: HttpRequest) -> HttpResponse:
        user_id = int(request.user.pk or 0)
        token = request.POST.get("token", "")
        if token:
            name = request.session.pop(f"import-{token}", None)
            content = uploads.take(user_id=user_id, token=token)
            if name is None or content is None:
                messages.error(request, "That upload has expired. Upload the file again.")
                return redirect(request.path)
            try:
                result = self.run(name=name, content=content, dry_run=False, **self._options())
            except (FileProblem, ImportRejected) as error:
                return self._refused(error)
            messages.success(request, f"Import finished: {result.summary()}")
            return redirect(self.done_url)
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            result = self.run(name=upload.name, content=content, dry_run=True, **self._options())
        except (FileProblem, ImportRejected) as error:
            return self._refused(error)
        token = uploads.hold(user_id=user_id, content=content)
        request.session[f"import-{token}"] = upload.name
        context = {"result": result, "token": token, "options": self._options()}
        return render(request, self.preview_template, context)

"""The shared kernel's pages: error pages, the audit trail and the access log."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from . import selectors, uploads
from .downloads import logged_export
from .exceptions import NotVisibleError
from .exports import csv_text
from .forms import AccessLogFilterForm, AuditFilterForm, ClosureDayForm, SpreadsheetUploadForm
from .help import GUIDE_FILES, guide_for, role_for_slug
from .history import event_changes, history_entries
from .job_models import BackgroundJob
from .jobs import (
    JobFailed,
    JobOutcome,
    background_job_get_for,
    job_create,
    job_create_next,
    job_finish,
    register_job_kind,
)
from .models import AuditEvent
from .navigation import settings_pages_for
from .once import submit_once, unique_save
from .pagination import paginate
from .progress import NO_PROGRESS, Progress
from .services import audit_record, closure_day_add, closure_day_remove
from .tabular import FileProblem, ImportRejected, check_bounds


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
    return target if is_safe_redirect(request, target) else default


def is_safe_redirect(request: HttpRequest, target: str) -> bool:
    """Whether ``target`` is a page of this site to send someone to: a path beginning with
    one slash (never "abc", which Django would try as a URL name, nor "//elsewhere"), with
    no control characters (no header injection), on this host, and a page that exists."""
    if (
        not target
        or len(target) > MAX_REDIRECT_LENGTH
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or any(ord(char) < 32 or ord(char) == 127 for char in target)
    ):
        return False
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return False
    try:
        resolve(urlsplit(target).path)
    except (Resolver404, ValueError):
        return False
    return True


# Longer than any address Sightline makes; a longer "next" is refused rather than echoed.
MAX_REDIRECT_LENGTH = 2000


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
    # What the layout reads, for the 500 page rendered without a request (and so without
    # the layout's context processor); a request's own values replace these.
    return {
        "error": ERRORS[code],
        "status": 403 if code == "csrf" else code,
        "partnership_name": settings.SIGHTLINE_PARTNERSHIP_NAME,
        "request": None,
        "navigation": [],
        "signed_in_user": None,
    }


@login_not_required
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: the application and the database answer (or this
    fails), and the worker keeps up ("ok") or not ("degraded"). Nothing more, as it is
    public: the details are for administrators and for monitoring with its token."""
    return JsonResponse({"status": selectors.background_health().status})


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
                "events": history_entries(results.items),
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
        # Restricted values never reach the file: the trail holds none (``redact_changes``,
        # and the migration that took out earlier ones), and a restricted field's change is
        # written as that it changed, whatever an event holds.
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
                "kind (machine name)",
                "fields changed (machine names)",
            ],
            (
                [
                    timezone.localtime(event.occurred_at).isoformat(),
                    event.actor_email,
                    event.get_kind_display(),
                    event.object_type,
                    event.object_id,
                    event.object_repr,
                    "; ".join(row.text for row in event_changes(event, limit=None)),
                    event.detail,
                    event.ip_address,
                    event.kind,
                    " ".join(event.changes),
                ]
                for event in events.iterator(chunk_size=2000)
            ),
            bom=True,
        )
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="sightline-audit-trail.csv"'
        return logged_export(
            request,
            response,
            object_type="core.auditevent",
            object_repr="Audit trail (CSV)",
            detail=request.GET.urlencode(),
        )


class AccessLogView(PolicyView):
    """Who viewed a restricted record or exported data, narrowed by person, record, what was
    done and when. Filters that cannot be read are explained on the page, and the whole log
    is shown until they are put right."""

    permission = "core.view_access_log"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = AccessLogFilterForm(request.GET or None, object_types=_object_types())
        filters = selectors.AccessLogFilters()
        if form.is_bound and form.is_valid():
            filters = selectors.AccessLogFilters(**form.cleaned_data)
        results = paginate(request, selectors.access_log_list(filters=filters))
        return render(
            request,
            "core/access_log.html",
            {
                "form": form,
                "filtered": filters != selectors.AccessLogFilters(),
                "entries": results.items,
                "page": results.page,
                "pagination": results.pagination,
            },
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

    @submit_once
    def post(self, request: HttpRequest) -> HttpResponse:
        form = ClosureDayForm(request.POST)
        if form.is_valid():
            date = form.cleaned_data["date"]
            try:
                day = unique_save(
                    form,
                    lambda: closure_day_add(actor=request.user, **form.cleaned_data),
                    f"{date:%d %B %Y} is already a closure day",
                    "date",
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                if day is None:
                    return self._render(form, status=400)
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


class SettingsView(PolicyView):
    """The settings-like pages, gathered so the service navigation stays on one row."""

    permission = "core.view_settings"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "core/settings.html", {"pages": settings_pages_for(request.user)})


class HelpView(PolicyView):
    """Every role's guide, the signed-in user's own roles first."""

    permission = "core.view_help"

    def get(self, request: HttpRequest) -> HttpResponse:
        own = request.user.role_set  # type: ignore[union-attr]
        guides = [guide_for(role) for role in GUIDE_FILES]
        return render(
            request,
            "core/help.html",
            {
                "own_guides": [guide for guide in guides if guide.role in own],
                "other_guides": [guide for guide in guides if guide.role not in own],
            },
        )


class HelpRoleView(PolicyView):
    """One role's guide, from ``docs/roles/``."""

    permission = "core.view_help"

    def get(self, request: HttpRequest, role: str) -> HttpResponse:
        found = role_for_slug(role)
        if found is None:
            raise Http404
        return render(request, "core/help_role.html", {"guide": guide_for(found)})


class ObjectFormView(PolicyView):
    """A small form about one object (a decision on a case, evidence on an action...), shown
    on the shared form page and saved through one service; back to the object on success.

    Subclasses fetch the object in ``get_permission_object`` and give ``make_form``, ``save``,
    ``heading``, ``success``, and the page's ``caption`` and ``object_url``.
    """

    heading = ""
    success = ""
    button = "Save"
    template_name = "core/form_page.html"  # one that extends it may fill its ``intro`` block
    # Said on the form when saving broke a unique constraint: someone saved the same thing a
    # moment before (both passed the service's checks); never a 500.
    clash = (
        "Something with these details was saved a moment ago, so yours was not: check what "
        "is there now, then change what you entered"
    )

    def extra_context(self) -> dict[str, Any]:
        """What a template extending the form page shows besides the form."""
        return {}

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
            self.template_name,
            {
                "form": form,
                "heading": self.heading,
                "caption": self.caption(),
                "cancel_url": self.object_url(),
                "button": self.button,
                **self.extra_context(),
            },
            status=status,
        )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self._render(self.make_form())

    @submit_once
    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = self.make_form(request.POST)

        def save() -> bool:
            self.save(form)
            return True

        if form.is_valid():
            try:
                saved = unique_save(form, save, self.clash)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                if saved:
                    messages.success(request, self.success)
                    return redirect(self.object_url())
        return self._render(form, status=400)


# A file larger than this, or with more lines, is checked and imported by a background job,
# with a progress page, rather than in the request (about 2,000 cases).
BACKGROUND_IMPORT_BYTES = 200 * 1024
BACKGROUND_IMPORT_LINES = 2_000


def runs_in_background(content: bytes) -> bool:
    return len(content) > BACKGROUND_IMPORT_BYTES or content.count(b"\n") > BACKGROUND_IMPORT_LINES


class PreviewedImportView(PolicyView):
    """Upload a spreadsheet, see what it would create and change, then import it.

    The first post runs the import as a dry run and holds the file; the second, carrying the
    file's token, runs it for real. Every problem in the file is listed and nothing is saved.
    Subclasses give the templates, the form, where to go when done, ``do_import`` and
    ``preview_data`` (what the preview page shows, as JSON).

    With a ``job_kind`` (registered by ``register_import_jobs``), a large file is checked and
    then imported by background jobs: the person is sent to the progress page, which leads
    to the preview (this page with ``?checked=<job>``), and from its button to the import's
    own progress page.
    """

    template_name: ClassVar[str]
    preview_template: ClassVar[str]
    form_class: ClassVar[type[SpreadsheetUploadForm]]
    done_url: ClassVar[str]
    done_label: ClassVar[str] = "Continue"
    carried_options: ClassVar[tuple[str, ...]] = ()  # checkboxes kept from upload to import
    job_kind: ClassVar[str] = ""  # "" keeps every file in the request
    what: ClassVar[str] = "file"  # "case file": in the jobs' labels

    @staticmethod
    def do_import(
        *,
        actor: Any,
        name: str,
        content: bytes,
        dry_run: bool,
        progress: Progress = NO_PROGRESS,
        on_write: Callable[[Any], None] | None = None,
        **options: bool,
    ) -> Any:
        """Run the import. ``on_write``, if given, is called with the result inside the
        import's write transaction, after its writes."""
        raise NotImplementedError

    @staticmethod
    def preview_data(result: Any) -> dict[str, Any]:
        return {"file_name": result.file_name, "summary": result.summary()}

    def run(self, *, name: str, content: bytes, dry_run: bool, **options: Any) -> Any:
        return self.do_import(
            actor=self.request.user, name=name, content=content, dry_run=dry_run, **options
        )

    def _options(self) -> dict[str, bool]:
        return {name: self.request.POST.get(name) == "on" for name in self.carried_options}

    def _refused(self, error: Exception) -> HttpResponse:
        problems = getattr(error, "problems", [str(error)])
        context = {"form": self.form_class(), "problems": problems}
        return render(self.request, self.template_name, context, status=400)

    def _checked_job(self, pk: str) -> BackgroundJob | None:
        """The background check of a file this person uploaded, done; None if not (or gone)."""
        try:
            job = background_job_get_for(user=self.request.user, pk=uuid.UUID(pk))
        except (ValueError, Http404):
            return None
        usable = (
            job.user_id == self.request.user.pk
            and job.kind == f"{self.job_kind}.check"
            and job.status == BackgroundJob.Status.DONE
            and "preview" in (job.result_data or {})
        )
        return job if usable else None

    def _expired(self) -> HttpResponse:
        messages.error(self.request, "That upload has expired. Upload the file again.")
        return redirect(self.request.path)

    def get(self, request: HttpRequest) -> HttpResponse:
        checked = request.GET.get("checked", "")
        if checked and self.job_kind:
            job = self._checked_job(checked)
            if job is None:
                return self._expired()
            context = {
                "preview": job.result_data["preview"],
                "token": None,
                "checked": job.pk,
                "options": job.params.get("options", {}),
            }
            return render(request, self.preview_template, context)
        return render(request, self.template_name, {"form": self.form_class(), "problems": None})

    def post(self, request: HttpRequest) -> HttpResponse:
        user_id = int(request.user.pk or 0)
        checked = request.POST.get("checked", "")
        if checked and self.job_kind:
            job = self._checked_job(checked)
            if job is None:
                return self._expired()
            run = job_create_next(
                previous=job,
                kind=f"{self.job_kind}.run",
                label=f"Import {job.params['name']}",
                params=job.params,
            )
            return redirect(run.get_absolute_url())
        token = request.POST.get("token", "")
        if token:
            name = request.session.pop(f"import-{token}", None)
            content = uploads.take(user_id=user_id, token=token)
            if name is None or content is None:
                return self._expired()
            try:
                result = self.run(name=name, content=content, dry_run=False, **self._options())
            except (FileProblem, ImportRejected) as error:
                return self._refused(error)
            messages.success(request, f"Import finished: {result.summary()}")
            return redirect(self.done_url)
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            # Over the size limit: 413 (Content Too Large), the page saying the limit.
            status = 413 if getattr(form, "too_large", False) else 400
            page = {"form": form, "problems": None}
            return render(request, self.template_name, page, status=status)
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            check_bounds(upload.name, content)
        except FileProblem as error:
            return self._refused(error)
        if self.job_kind and runs_in_background(content):
            token = uploads.hold(user_id=user_id, content=content)
            job = job_create(
                user=request.user,
                kind=f"{self.job_kind}.check",
                label=f"Check the {self.what} {upload.name}",
                params={
                    "token": token,
                    "name": upload.name,
                    "options": self._options(),
                    "back_url": request.path,
                    "back_label": f"Upload a {self.what}",
                },
            )
            return redirect(job.get_absolute_url())
        try:
            result = self.run(name=upload.name, content=content, dry_run=True, **self._options())
        except (FileProblem, ImportRejected) as error:
            return self._refused(error)
        token = uploads.hold(user_id=user_id, content=content)
        request.session[f"import-{token}"] = upload.name
        context = {
            "result": result,
            "preview": self.preview_data(result),
            "token": token,
            "checked": None,
            "options": self._options(),
        }
        return render(request, self.preview_template, context)


def register_import_jobs(view: type[PreviewedImportView]) -> None:
    """Register the two background jobs of ``view``'s import: the check, whose outcome is
    the preview, and the import itself (all or nothing, with its outcome in the same
    transaction). Called from the app's ``ready``."""

    def _content(job: BackgroundJob) -> bytes:
        content = uploads.peek(user_id=job.user_id, token=job.params["token"])
        if content is None:
            raise JobFailed("The uploaded file is no longer kept. Upload it again.")
        return content

    def _do(
        job: BackgroundJob,
        progress: Progress,
        *,
        dry_run: bool,
        on_write: Callable[[Any], None] | None = None,
    ) -> Any:
        try:
            return view.do_import(
                actor=job.user,
                name=job.params["name"],
                content=_content(job),
                dry_run=dry_run,
                progress=progress,
                on_write=on_write,
                **job.params.get("options", {}),
            )
        except FileProblem as error:
            raise JobFailed(str(error)) from error
        except ImportRejected as error:
            raise JobFailed(
                "The file was not imported and nothing was saved. Correct these problems in "
                "the file and upload it again.",
                error.problems,
            ) from error

    @register_job_kind(f"{view.job_kind}.check")
    def check(job: BackgroundJob, progress: Progress) -> JobOutcome:
        result = _do(job, progress, dry_run=True)
        summary = result.summary()
        if "nothing saved" not in summary.lower():
            summary += " Nothing has been saved yet."
        return JobOutcome(
            message=f"The file has no problems. {summary}",
            url=f"{job.params['back_url']}?checked={job.pk}",
            data={"preview": view.preview_data(result), "url_label": "Check what will change"},
        )

    # Not atomic as a whole: the import reads and checks the file outside any transaction
    # (on SQLite the database's one write lock is not held meanwhile, and the progress page
    # can show how far it has got), then writes in one short transaction, in which the job
    # records its outcome: the work and its record are committed together or not at all, so
    # a job started again after its worker died never imports twice.
    @register_job_kind(f"{view.job_kind}.run")
    def run(job: BackgroundJob, progress: Progress) -> JobOutcome:
        def record(result: Any) -> None:
            job_finish(
                job=job,
                outcome=JobOutcome(
                    message=f"Import finished: {result.summary()}",
                    url=reverse(view.done_url),
                    data={"url_label": view.done_label},
                ),
            )
            transaction.on_commit(
                lambda: uploads.discard(user_id=job.user_id, token=job.params["token"])
            )

        result = _do(job, progress, dry_run=False, on_write=record)
        return JobOutcome(message=f"Import finished: {result.summary()}", recorded=True)

"""The yearly report's drafting pages: the years, a year's report, each chapter (write,
approve, history, owner), the statutory contents checklist and its exceptions, marking
ready, publishing, the national panel, circulation and the settings. Thin: forms in,
services and selectors out."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from sightline.core.once import submit_once
from sightline.core.views import (
    ConfirmActionView,
    Confirmation,
    PolicyView,
    apply_errors,
)

from .. import services
from ..forms.drafting import (
    ApproveForm,
    ChapterTextForm,
    CirculationForm,
    ContentExceptionForm,
    OwnerForm,
    PanelSentForm,
    PublishForm,
    ReportSettingsForm,
    YearStartForm,
)
from ..models import ContentException, Recipient, YearlyReport
from ..selectors import drafts as selectors
from ..yearly import contents
from ..yearly.years import FinancialYear


def _year_url(name: str, report: YearlyReport, **kwargs: Any) -> str:
    return reverse(f"reports:{name}", kwargs={"year": report.year.label, **kwargs})


class YearlyReportMixin:
    """Views about one year's report, named in the address: 404 when it is not a financial
    year or its report has not been started."""

    kwargs: dict[str, Any]

    @property
    def year(self) -> FinancialYear:
        return selectors.parse_year(self.kwargs["year"])

    def get_permission_object(self) -> Any:
        self.report = selectors.yearly_report_get(year=self.year)
        return self.report


class ChapterMixin:
    kwargs: dict[str, Any]

    def get_permission_object(self) -> Any:
        self.chapter = selectors.report_chapter_get(
            year=selectors.parse_year(self.kwargs["year"]), chapter_id=self.kwargs["chapter"]
        )
        self.report = self.chapter.report
        return self.chapter

    @property
    def chapter_url(self) -> str:
        return _year_url("yearly_chapter", self.report, chapter=self.chapter.chapter)


class YearlyListView(PolicyView):
    permission = "reports.view_yearly_list"

    def get(self, request: HttpRequest) -> HttpResponse:
        sees_drafts = request.user.has_perm("reports.view_yearly_drafts")
        return render(
            request,
            "reports/drafting/list.html",
            {
                "years": selectors.yearly_report_list_for(user=request.user) if sees_drafts else [],
                "owned": selectors.chapters_owned_by(user=request.user),
                "chapter_titles": {chapter.id: chapter.title for chapter in contents.CHAPTERS},
                "sees_drafts": sees_drafts,
                "can_manage": request.user.has_perm("reports.manage_yearly"),
                "can_settings": request.user.has_perm("reports.manage_settings"),
            },
        )


class YearlyStartView(PolicyView):
    permission = "reports.manage_yearly"
    http_method_names = ["post"]

    @submit_once
    def post(self, request: HttpRequest) -> HttpResponse:
        form = YearStartForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose the year to start the report for")
            return redirect("reports:yearly_list")
        try:
            year = FinancialYear.parse(form.cleaned_data["year"])
            report = services.report_start(actor=request.user, year=year)
        except ValueError as error:
            messages.error(request, str(error))
            return redirect("reports:yearly_list")
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("reports:yearly_list")
        messages.success(request, f"The yearly report for {year.label} has been started.")
        return redirect(report.get_absolute_url())


class YearlyOverviewView(YearlyReportMixin, PolicyView):
    permission = "reports.view_yearly_drafts"

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        user = request.user
        return render(
            request,
            "reports/drafting/overview.html",
            {
                "report": self.report,
                "overview": selectors.report_overview(report=self.report),
                "can_manage": user.has_perm("reports.manage_yearly"),
                "can_publish": user.has_perm("reports.publish_yearly"),
                "can_circulate": user.has_perm("reports.record_circulation"),
            },
        )


class ChapterView(ChapterMixin, PolicyView):
    """The chapter's prompt, its text to write, its generated figures beside it, and its
    approval."""

    permission = "reports.view_chapter"

    def _render(self, form: Form, status: int = 200, current: Any = None) -> HttpResponse:
        user, chapter = self.request.user, self.chapter
        latest = chapter.latest_version  # type: ignore[attr-defined]
        return render(
            self.request,
            "reports/drafting/chapter.html",
            {
                "report": self.report,
                "chapter": chapter,
                "definition": contents.chapter(chapter.chapter),
                "latest": latest,
                "form": form,
                "sections": selectors.chapter_sections(chapter=chapter),
                "can_write": user.has_perm("reports.write_chapter", chapter)
                and not self.report.is_published,
                "can_approve": user.has_perm("reports.approve_chapter", chapter)
                and latest is not None
                and not self.report.is_published,
                "can_withdraw": user.has_perm("reports.withdraw_approval", chapter)
                and chapter.approved_version_id is not None
                and not self.report.is_published,
                "can_manage": user.has_perm("reports.manage_yearly")
                and not self.report.is_published,
                "sees_drafts": user.has_perm("reports.view_yearly_drafts"),
                "wrote_latest": latest is not None and latest.written_by_id == user.pk,
                "approves": user.has_perm("reports.withdraw_approval"),
                "conflict": current,
            },
            status=status,
        )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        latest = self.chapter.latest_version  # type: ignore[attr-defined]
        return self._render(
            ChapterTextForm(
                initial={
                    "text": latest.text if latest else "",
                    "version": latest.number if latest else 0,
                }
            )
        )

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("reports.write_chapter", self.chapter):
            raise PermissionDenied
        form = ChapterTextForm(request.POST)
        if form.is_valid():
            try:
                version = services.chapter_write(
                    actor=request.user,
                    chapter=self.chapter,
                    text=form.cleaned_data["text"],
                    based_on=form.cleaned_data["version"],
                )
            except services.StaleChapterError as error:
                # Their text stays in the form; sending it again now replaces the latest.
                data = request.POST.copy()
                data["version"] = str(error.current.number if error.current else 0)
                form = ChapterTextForm(data)
                form.is_valid()
                form.add_error(None, error.messages[0])
                self.chapter.latest_version = error.current  # type: ignore[attr-defined]
                return self._render(form, status=409, current=error.current)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Version {version.number} of the chapter has been saved."
                    if version is not None
                    else "The text had not changed: nothing new was saved.",
                )
                return redirect(self.chapter_url)
        return self._render(form, status=400)


class ChapterApproveView(ChapterMixin, PolicyView):
    permission = "reports.approve_chapter"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = ApproveForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Reload the page and approve the text again")
            return redirect(self.chapter_url)
        try:
            services.chapter_approve(
                actor=request.user, chapter=self.chapter, version=form.cleaned_data["version"]
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request, f"Version {form.cleaned_data['version']} of the chapter is approved."
            )
        return redirect(self.chapter_url)


class ChapterApprovalWithdrawView(ChapterMixin, ConfirmActionView):
    permission = "reports.withdraw_approval"

    def confirmation(self) -> Confirmation:
        chapter = self.chapter
        version = chapter.approved_version
        return Confirmation(
            caption=f"Yearly report {self.report.year.label}",
            heading=f"Withdraw the approval of {chapter.get_chapter_display()}?",
            facts=[
                ("Approved version", str(version.number) if version else "None"),
                ("Approved by", chapter.approved_by.full_name if chapter.approved_by else ""),
            ],
            happens=[
                "The chapter will need approving again before the report can be published.",
                "If the report is marked ready to publish, it will return to draft.",
            ],
            button="Withdraw the approval",
            keep="Keep it approved",
        )

    def act(self) -> str:
        services.chapter_approval_withdraw(actor=self.request.user, chapter=self.chapter)
        return "The approval has been withdrawn."

    def done_url(self) -> str:
        return self.chapter_url


class ChapterHistoryView(ChapterMixin, PolicyView):
    permission = "reports.view_chapter"

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return render(
            request,
            "reports/drafting/chapter_history.html",
            {
                "report": self.report,
                "chapter": self.chapter,
                "versions": selectors.chapter_versions(chapter=self.chapter),
                "entries": selectors.chapter_history(chapter=self.chapter),
                "sees_drafts": request.user.has_perm("reports.view_yearly_drafts"),
            },
        )


class ChapterOwnerView(ChapterMixin, PolicyView):
    permission = "reports.manage_yearly"

    def _render(self, form: OwnerForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "reports/drafting/owner.html",
            {
                "report": self.report,
                "chapter": self.chapter,
                "form": form,
                "cancel_url": self.report.get_absolute_url(),
            },
            status=status,
        )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        owners = selectors.chapter_owner_candidates()
        return self._render(
            OwnerForm(initial={"owner": self.chapter.owner_id or ""}, owners=owners)
        )

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = OwnerForm(request.POST, owners=selectors.chapter_owner_candidates())
        if form.is_valid():
            try:
                services.chapter_owner_set(
                    actor=request.user, chapter=self.chapter, owner=form.cleaned_data["owner"]
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "The chapter's owner has been saved.")
                return redirect(self.report.get_absolute_url())
        return self._render(form, status=400)


class ChecklistView(YearlyReportMixin, PolicyView):
    permission = "reports.view_yearly_drafts"

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return render(
            request,
            "reports/drafting/checklist.html",
            {
                "report": self.report,
                "checklist": selectors.report_checklist(report=self.report),
                "can_manage": request.user.has_perm("reports.manage_yearly")
                and not self.report.is_published,
            },
        )


class ContentMixin(YearlyReportMixin):
    @property
    def content(self) -> contents.Content:
        for content in contents.STATUTORY_CONTENTS:
            if content.id == self.kwargs["content"]:
                return content
        raise Http404("No such statutory content.")


class ContentExceptionView(ContentMixin, PolicyView):
    permission = "reports.manage_yearly"

    def _render(self, form: Form, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "reports/drafting/exception.html",
            {
                "report": self.report,
                "content": self.content,
                "form": form,
                "cancel_url": _year_url("yearly_checklist", self.report),
            },
            status=status,
        )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self._render(ContentExceptionForm(initial={"content": self.content.id}))

    @submit_once
    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        content = self.content
        form = ContentExceptionForm(request.POST)
        if form.is_valid():
            try:
                services.content_exception_record(
                    actor=request.user,
                    report=self.report,
                    content=content.id,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"The reason for missing {content.id} is recorded.")
                return redirect(_year_url("yearly_checklist", self.report))
        return self._render(form, status=400)


class ContentExceptionWithdrawView(ContentMixin, ConfirmActionView):
    permission = "reports.manage_yearly"

    @property
    def exception(self) -> ContentException:
        return selectors.content_exception_get(report=self.report, content=self.content.id)

    def confirmation(self) -> Confirmation:
        exception = self.exception
        return Confirmation(
            caption=f"Yearly report {self.report.year.label}",
            heading=f"Withdraw the reason for missing {exception.content}?",
            facts=[("Content", self.content.text), ("Reason", exception.reason)],
            happens=[
                "The content will show as missing again unless the report covers it, and the "
                "report cannot be marked ready while it is missing.",
            ],
            button="Withdraw the reason",
            keep="Keep the reason",
        )

    def act(self) -> str:
        services.content_exception_withdraw(actor=self.request.user, exception=self.exception)
        return "The reason has been withdrawn."

    def done_url(self) -> str:
        return _year_url("yearly_checklist", self.report)


class MarkReadyView(YearlyReportMixin, PolicyView):
    permission = "reports.manage_yearly"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            services.report_mark_ready(actor=request.user, report=self.report)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, "The report is ready to publish.")
        return redirect(self.report.get_absolute_url())


class ReadyWithdrawView(YearlyReportMixin, ConfirmActionView):
    permission = "reports.manage_yearly"

    def confirmation(self) -> Confirmation:
        return Confirmation(
            caption=f"Yearly report {self.report.year.label}",
            heading="Return the report to draft?",
            happens=["It will need marking ready again before it can be published."],
            button="Return it to draft",
            keep="Keep it ready to publish",
        )

    def act(self) -> str:
        services.report_ready_withdraw(actor=self.request.user, report=self.report)
        return "The report is a draft again."

    def done_url(self) -> str:
        return self.report.get_absolute_url()


class PublishView(YearlyReportMixin, ConfirmActionView):
    """Asks first, listing each small figure about people for the publisher to confirm is
    safe to publish (a box to tick each); then publishes and freezes the report."""

    permission = "reports.publish_yearly"

    def confirmation(self) -> Confirmation:
        days = selectors.report_settings().panel_days
        return Confirmation(
            caption=f"Yearly report {self.report.year.label}",
            heading=f"Publish the yearly report {self.report.year.label}?",
            happens=[
                "Publishing keeps the report exactly as it is now: its figures as the records "
                "give them today and each chapter's approved text. It cannot be changed "
                "afterwards, and the year cannot be published again.",
                f"It is then to be sent to the national panel within {days} days.",
            ],
            button="Publish the report",
            keep="Do not publish yet",
        )

    def done_url(self) -> str:
        return self.report.get_absolute_url()

    def _render(self, form: PublishForm, checklist: Any, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "reports/drafting/publish.html",
            {
                "report": self.report,
                "confirm": self.confirmation(),
                "checklist": checklist,
                "form": form,
                "keep_url": self.keep_url(),
            },
            status=status,
        )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if self.report.is_published:
            return redirect(self.done_url())
        checklist = selectors.report_checklist(report=self.report)
        return self._render(PublishForm(small_numbers=checklist.unacknowledged), checklist)

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if self.report.is_published:
            messages.success(request, "The report has been published.")
            return redirect(self.done_url())
        checklist = selectors.report_checklist(report=self.report)
        form = PublishForm(request.POST, small_numbers=checklist.unacknowledged)
        if form.is_valid():
            try:
                services.report_publish(
                    actor=request.user, report=self.report, acknowledged=form.acknowledged()
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "The report has been published.")
                return redirect(self.done_url())
        return self._render(form, checklist, status=400)


class PanelSentView(YearlyReportMixin, PolicyView):
    permission = "reports.record_circulation"

    def _render(self, form: Form, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "reports/drafting/panel.html",
            {"report": self.report, "form": form, "cancel_url": self.report.get_absolute_url()},
            status=status,
        )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if not self.report.is_published:
            raise Http404("The report has not been published.")
        return self._render(PanelSentForm(initial={"sent_on": self.report.panel_sent_on}))

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = PanelSentForm(request.POST)
        if form.is_valid():
            try:
                services.panel_sent_record(
                    actor=request.user, report=self.report, sent_on=form.cleaned_data["sent_on"]
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "The date it was sent to the national panel is saved.")
                return redirect(self.report.get_absolute_url())
        return self._render(form, status=400)


class CirculationView(YearlyReportMixin, PolicyView):
    permission = "reports.record_circulation"

    def _render(self, form: Form, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "reports/drafting/circulation.html",
            {
                "report": self.report,
                "form": form,
                "cancel_url": self.report.get_absolute_url(),
                "recipients": Recipient,
            },
            status=status,
        )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if not self.report.is_published:
            raise Http404("The report has not been published.")
        return self._render(CirculationForm())

    @submit_once
    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = CirculationForm(request.POST)
        if form.is_valid():
            try:
                services.circulation_record(
                    actor=request.user, report=self.report, **form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Who it was sent to is recorded.")
                return redirect(self.report.get_absolute_url())
        return self._render(form, status=400)


class ReportSettingsView(PolicyView):
    permission = "reports.manage_settings"

    def _render(self, form: Form, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "reports/drafting/settings.html",
            {"form": form, "cancel_url": reverse("core:settings")},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        row = selectors.report_settings()
        return self._render(
            ReportSettingsForm(
                initial={name: getattr(row, name) for name in services.SETTINGS_FIELDS}
            )
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReportSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.report_settings_update(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "The yearly report settings have been saved.")
                return redirect("reports:yearly_settings")
        return self._render(form, status=400)


YEAR = "reports/yearly/<str:year>/"
CHAPTER = f"{YEAR}chapters/<str:chapter>/"
CONTENT = f"{YEAR}checklist/<str:content>/"

urlpatterns = [
    path("reports/yearly/", YearlyListView.as_view(), name="yearly_list"),
    path("reports/yearly/start/", YearlyStartView.as_view(), name="yearly_start"),
    path("reports/yearly/settings/", ReportSettingsView.as_view(), name="yearly_settings"),
    path(YEAR, YearlyOverviewView.as_view(), name="yearly_overview"),
    path(CHAPTER, ChapterView.as_view(), name="yearly_chapter"),
    path(f"{CHAPTER}approve/", ChapterApproveView.as_view(), name="yearly_chapter_approve"),
    path(
        f"{CHAPTER}withdraw-approval/",
        ChapterApprovalWithdrawView.as_view(),
        name="yearly_chapter_withdraw",
    ),
    path(f"{CHAPTER}history/", ChapterHistoryView.as_view(), name="yearly_chapter_history"),
    path(f"{CHAPTER}owner/", ChapterOwnerView.as_view(), name="yearly_chapter_owner"),
    path(f"{YEAR}checklist/", ChecklistView.as_view(), name="yearly_checklist"),
    path(f"{CONTENT}missing/", ContentExceptionView.as_view(), name="yearly_exception"),
    path(
        f"{CONTENT}missing/withdraw/",
        ContentExceptionWithdrawView.as_view(),
        name="yearly_exception_withdraw",
    ),
    path(f"{YEAR}ready/", MarkReadyView.as_view(), name="yearly_ready"),
    path(f"{YEAR}ready/withdraw/", ReadyWithdrawView.as_view(), name="yearly_ready_withdraw"),
    path(f"{YEAR}publish/", PublishView.as_view(), name="yearly_publish"),
    path(f"{YEAR}panel/", PanelSentView.as_view(), name="yearly_panel"),
    path(f"{YEAR}circulation/", CirculationView.as_view(), name="yearly_circulation"),
]

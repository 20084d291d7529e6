"""The training reports' pages: the report and its exports, the learning loop, and the
workforce figures reach is measured against. Thin: forms in, services and selectors out."""

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from sightline.accounts.models import Sector
from sightline.core.exports import CSV_BOM, XLSX_TYPE
from sightline.core.models import AccessLogEntry
from sightline.core.services import access_log_record
from sightline.core.views import PolicyView, apply_errors, bad_request

from . import report_selectors, reporting, services
from .forms_reports import PeriodForm, WorkforceForm

EXPORT_FORMATS = ("csv", "xlsx")


def _period_query(date_from: datetime.date, date_to: datetime.date) -> str:
    """The period as the query string the period form reads, for links to exports."""
    parts: dict[str, int] = {}
    for name, value in (("date_from", date_from), ("date_to", date_to)):
        parts |= {
            f"{name}_day": value.day,
            f"{name}_month": value.month,
            f"{name}_year": value.year,
        }
    return urlencode(parts)


def _financial_year_label(day: datetime.date) -> str:
    first, _last = reporting.financial_year(day)
    return f"{first.year}-{(first.year + 1) % 100:02d}"


class PeriodView(PolicyView):
    """A page for a period chosen in the query string; wrong dates get a 400 and the form."""

    permission = "training.view_report"
    template_name = ""
    results: tuple[str, ...] = ()  # what ``context`` gives: None while the dates are wrong

    def context(
        self, date_from: datetime.date, date_to: datetime.date, today: datetime.date
    ) -> dict[str, Any]:
        raise NotImplementedError

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        form = PeriodForm(request.GET or None, today=today)
        period = form.period()
        context: dict[str, Any] = {
            "form": form,
            "default_period": form.default,
            "percent_text": reporting.percent_text,
            "iso_long_date": reporting.iso_long_date,
            **dict.fromkeys(self.results, None),
        }
        if period is None:
            return render(request, self.template_name, context, status=400)
        date_from, date_to = period
        context |= {
            "date_from": date_from,
            "date_to": date_to,
            "query": _period_query(date_from, date_to),
            **self.context(date_from, date_to, today),
        }
        return render(request, self.template_name, context)


class ReportView(PeriodView):
    template_name = "training/report.html"
    results = ("report",)

    def context(
        self, date_from: datetime.date, date_to: datetime.date, today: datetime.date
    ) -> dict[str, Any]:
        return {
            "report": report_selectors.training_report(
                date_from=date_from, date_to=date_to, today=today
            ),
            "can_manage_workforce": self.request.user.has_perm("training.manage_workforce"),
            # The yearly report (in the reports app) carries these figures for the financial
            # year the period starts in, in its training chapter.
            "yearly_report_year": _financial_year_label(date_from)
            if self.request.user.has_perm("reports.view_yearly_report")
            else "",
        }


class LearningLoopView(PeriodView):
    template_name = "training/learning_loop.html"
    results = ("loop",)

    def context(
        self, date_from: datetime.date, date_to: datetime.date, today: datetime.date
    ) -> dict[str, Any]:
        return {
            "loop": report_selectors.learning_loop(date_from=date_from, date_to=date_to),
            "no_course_flag": reporting.NO_COURSE_FLAG,
        }


class ReportExportView(PolicyView):
    """The report and the learning loop as a CSV (each table under its title) or an XLSX
    workbook (a sheet for each table). Every export is written to the access log."""

    permission = "training.view_report"

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt not in EXPORT_FORMATS:
            raise Http404("Downloads are CSV or XLSX.")
        today = timezone.localdate()
        form = PeriodForm(request.GET or None, today=today)
        period = form.period()
        if period is None:
            return bad_request(
                request,
                title="The dates of the report are not valid",
                problems=form,
                then="Go back to the training report and choose the dates again.",
            )
        date_from, date_to = period
        report = report_selectors.training_report(date_from=date_from, date_to=date_to, today=today)
        loop = report_selectors.learning_loop(date_from=date_from, date_to=date_to)
        access_log_record(
            user=request.user,
            action=AccessLogEntry.Action.EXPORT,
            object_type="training.booking",
            object_repr=f"Training report ({fmt.upper()})",
            detail=f"From {date_from.isoformat()} to {date_to.isoformat()}",
        )
        tables = reporting.report_tables(report, loop)
        if fmt == "csv":
            title = (
                f"Training report, {reporting.long_date(date_from)} to "
                f"{reporting.long_date(date_to)}"
            )
            response = HttpResponse(
                CSV_BOM + reporting.tables_csv(title, tables),
                content_type="text/csv; charset=utf-8",
            )
        else:
            response = HttpResponse(reporting.tables_xlsx(tables), content_type=XLSX_TYPE)
        name = f"sightline-training-report-{date_from.isoformat()}-to-{date_to.isoformat()}"
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response


class WorkforceView(PolicyView):
    """Each sector's local headcount, saved together: every figure or none."""

    permission = "training.manage_workforce"

    def _form(self, data: Any = None) -> WorkforceForm:
        return WorkforceForm(
            data, sectors=Sector.choices, current=report_selectors.workforce_by_sector()
        )

    def _render(self, form: WorkforceForm, status: int = 200) -> HttpResponse:
        return render(self.request, "training/workforce.html", {"form": form}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(self._form())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            services.workforce_update(actor=request.user, figures=form.figures())
        except ValidationError as error:
            apply_errors(form, error)
            return self._render(form, status=400)
        messages.success(request, "Workforce figures saved.")
        return redirect("training:workforce")

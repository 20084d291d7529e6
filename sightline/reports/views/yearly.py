"""The generated yearly report: its page and its PDF and Word downloads, made in the
background. Thin: the year from the address, the figures and narrative from the selectors,
the layout from ``yearly.document``."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from sightline.core.job_models import BackgroundJob
from sightline.core.jobs import JobOutcome, job_create, register_job_kind
from sightline.core.progress import Progress
from sightline.core.views import PolicyView

from ..selectors import drafts
from ..selectors import yearly as selectors
from ..yearly import document, render_docx, render_html
from ..yearly.years import FinancialYear

PERMISSION = "reports.view_yearly_report"
PDF_KIND = "reports.yearly_pdf"
DOCX_KIND = "reports.yearly_docx"


def _year(label: str) -> FinancialYear:
    """The year in the address; a label that is not one is a page that does not exist."""
    try:
        return FinancialYear.parse(label)
    except ValueError as error:
        raise Http404(str(error)) from error


def _document(year: FinancialYear) -> document.ReportDocument:
    """The report as published, once it is (every format then says what was published,
    whatever has changed in the records since); until then, generated now."""
    published = drafts.published_document(year=year)
    if published is not None:
        return published
    figures, narratives = selectors.yearly_report(
        year=year, since=selectors.position_since(), with_cases=False
    )
    return document.build(
        figures=figures,
        narratives=narratives,
        partnership=settings.SIGHTLINE_PARTNERSHIP_NAME,
        produced=document.long_date(timezone.localdate()),
    )


class YearlyReportView(PolicyView):
    permission = PERMISSION

    def get(self, request: HttpRequest, year: str) -> HttpResponse:
        report = _document(_year(year))
        return render(request, render_html.PAGE_TEMPLATE, {"document": report})


class _DownloadView(PolicyView):
    """Starts the job that makes the file and shows its progress page, where the file is
    offered when it is ready. The download, not the request, goes to the access log."""

    permission = PERMISSION
    kind = ""
    format_name = ""

    def get(self, request: HttpRequest, year: str) -> HttpResponse:
        the_year = _year(year)
        job = job_create(
            user=request.user,
            kind=self.kind,
            label=f"The yearly report {the_year.label} as {self.format_name}",
            params={
                "year": the_year.label,
                "back_url": reverse("reports:yearly_report", kwargs={"year": the_year.label}),
                "back_label": "Back to the yearly report",
                "export": {
                    "object_type": "reports.yearly_report",
                    "object_id": the_year.label,
                    "object_repr": f"Yearly report {the_year.label} ({self.format_name})",
                    "detail": f"Financial year {the_year.words}",
                },
            },
        )
        return redirect(job.get_absolute_url())


class YearlyPdfView(_DownloadView):
    kind = PDF_KIND
    format_name = "a PDF"


class YearlyDocxView(_DownloadView):
    kind = DOCX_KIND
    format_name = "a Word document"


@register_job_kind(PDF_KIND)
def yearly_pdf_job(job: BackgroundJob, progress: Progress) -> JobOutcome:
    year = FinancialYear.parse(job.params["year"])
    progress.stage("Gathering the report's figures and chapters")
    report = _document(year)
    progress.stage("Drawing the PDF")
    return JobOutcome(
        message=f"The yearly report {year.label} is ready to download as a PDF.",
        file=render_html.pdf_bytes(report),
        file_name=f"sightline-yearly-report-{year.label}.pdf",
        file_type="application/pdf",
    )


@register_job_kind(DOCX_KIND)
def yearly_docx_job(job: BackgroundJob, progress: Progress) -> JobOutcome:
    year = FinancialYear.parse(job.params["year"])
    progress.stage("Gathering the report's figures and chapters")
    report = _document(year)
    progress.stage("Writing the Word document")
    return JobOutcome(
        message=f"The yearly report {year.label} is ready to download as a Word document.",
        file=render_docx.docx_bytes(report),
        file_name=f"sightline-yearly-report-{year.label}.docx",
        file_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


urlpatterns = [
    path("reports/yearly/<str:year>/report/", YearlyReportView.as_view(), name="yearly_report"),
    path("reports/yearly/<str:year>/report.pdf", YearlyPdfView.as_view(), name="yearly_pdf"),
    path("reports/yearly/<str:year>/report.docx", YearlyDocxView.as_view(), name="yearly_docx"),
]

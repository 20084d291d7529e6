"""The Executive pack for a quarter, as a page and as a PDF. Thin: the quarter from the
address, the rows from the selectors, the sections from ``pack.assemble``.

The pack lived in system assurance at ``/assurance/pack/``: those addresses redirect here for
good, query string and all, and a PDF job stored under the old kind still runs (decision
0010)."""

import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.views import View

from sightline.assurance.quarters import Quarter
from sightline.core.job_models import BackgroundJob
from sightline.core.jobs import JobOutcome, job_create, register_job_kind
from sightline.core.pdf import render_pdf
from sightline.core.progress import Progress
from sightline.core.views import PolicyView, bad_request

from .. import pack
from ..forms.pack import QuarterForm
from ..selectors.pack import pack_rows


def _pack_for(quarter: Quarter, today: datetime.date) -> pack.Pack:
    return pack.assemble(**pack_rows(quarter=quarter, today=today))


class PackView(PolicyView):
    permission = "reports.view_pack"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        form = QuarterForm(request.GET or None, today=today)
        quarter = form.chosen()
        if quarter is None:
            refused = {"form": form, "pack": None}
            return render(request, "reports/pack/pack.html", refused, status=400)
        context: dict[str, Any] = {
            "form": form,
            "pack": _pack_for(quarter, today),
            "previous": quarter.previous(),
            "next": quarter.next() if quarter < form.current else None,
            "pdf_query": urlencode({"quarter": quarter.label}),
        }
        return render(request, "reports/pack/pack.html", context)


PDF_KIND = "reports.pack_pdf"
# The kind the pack's PDF jobs had while the pack was in assurance: jobs stored under it
# before the move still run and their files still download.
OLD_PDF_KIND = "assurance.pack_pdf"


class PackPdfView(PolicyView):
    """Starts the job that makes the pack as a PDF (A4, numbered pages) and shows its
    progress page, where the file is offered when it is ready. The download, not the
    request, is written to the access log."""

    permission = "reports.view_pack"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        form = QuarterForm(request.GET or None, today=today)
        quarter = form.chosen()
        if quarter is None:
            return bad_request(
                request,
                title="The quarter of the pack is not valid",
                problems=form,
                then="Go back to the Executive pack and choose the quarter again.",
            )
        job = job_create(
            user=request.user,
            kind=PDF_KIND,
            label=f"The Executive pack for {quarter.label} as a PDF",
            params={
                "quarter": quarter.label,
                "back_url": f"{reverse('reports:pack')}?{urlencode({'quarter': quarter.label})}",
                "back_label": "Back to the Executive pack",
                "export": {
                    "object_type": "reports.pack",
                    "object_id": quarter.label,
                    "object_repr": f"Executive pack {quarter.label} (PDF)",
                    "detail": f"Quarter {quarter.label}: {quarter.months}",
                },
            },
        )
        return redirect(job.get_absolute_url())


@register_job_kind(OLD_PDF_KIND)
@register_job_kind(PDF_KIND)
def pack_pdf_job(job: BackgroundJob, progress: Progress) -> JobOutcome:
    quarter = Quarter.parse(job.params["quarter"])
    progress.stage("Gathering the pack's figures")
    the_pack = _pack_for(quarter, timezone.localdate())
    progress.stage("Drawing the PDF")
    html = render_to_string(
        "reports/pack/pack_print.html",
        {
            "pack": the_pack,
            "partnership_name": settings.SIGHTLINE_PARTNERSHIP_NAME,
            "produced_at": timezone.now(),
        },
    )
    return JobOutcome(
        message=f"The Executive pack for {quarter.label} is ready to download.",
        file=render_pdf(html),
        file_name=f"sightline-executive-pack-{quarter.label.replace(' ', '-')}.pdf",
        file_type="application/pdf",
    )


class MovedView(View):
    """An address the pack had before it moved: sends the browser to the new one for good,
    with the same query string. Public, because the new address checks who may see it."""

    to: str = ""

    def get(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        target = reverse(self.to) + (f"?{query}" if query else "")
        return HttpResponsePermanentRedirect(target)


urlpatterns = [
    path("reports/executive-pack/", PackView.as_view(), name="pack"),
    path("reports/executive-pack.pdf", PackPdfView.as_view(), name="pack_pdf"),
    path(
        "assurance/pack/",
        login_not_required(MovedView.as_view(to="reports:pack")),
        name="pack_moved",
    ),
    path(
        "assurance/pack.pdf",
        login_not_required(MovedView.as_view(to="reports:pack_pdf")),
        name="pack_pdf_moved",
    ),
]

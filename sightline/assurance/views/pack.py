"""The Executive pack for a quarter, as a page and as a PDF. Thin: the quarter from the
address, the rows from the selectors, the sections from ``pack.assemble``."""

import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone

from sightline.core.models import AccessLogEntry
from sightline.core.pdf import render_pdf
from sightline.core.services import access_log_record
from sightline.core.views import PolicyView, bad_request

from .. import pack
from ..forms.pack import QuarterForm
from ..quarters import Quarter
from ..selectors.pack import pack_rows


def _pack_for(quarter: Quarter, today: datetime.date) -> pack.Pack:
    return pack.assemble(**pack_rows(quarter=quarter, today=today))


class PackView(PolicyView):
    permission = "assurance.view_pack"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        form = QuarterForm(request.GET or None, today=today)
        quarter = form.chosen()
        if quarter is None:
            refused = {"form": form, "pack": None}
            return render(request, "assurance/pack/pack.html", refused, status=400)
        context: dict[str, Any] = {
            "form": form,
            "pack": _pack_for(quarter, today),
            "previous": quarter.previous(),
            "next": quarter.next() if quarter < form.current else None,
            "pdf_query": urlencode({"quarter": quarter.label}),
        }
        return render(request, "assurance/pack/pack.html", context)


class PackPdfView(PolicyView):
    """The same pack as a PDF (A4, numbered pages); every download is in the access log."""

    permission = "assurance.view_pack"

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
        the_pack = _pack_for(quarter, today)
        html = render_to_string(
            "assurance/pack/pack_print.html",
            {
                "pack": the_pack,
                "partnership_name": settings.SIGHTLINE_PARTNERSHIP_NAME,
                "produced_at": timezone.now(),
            },
        )
        access_log_record(
            user=request.user,
            action=AccessLogEntry.Action.EXPORT,
            object_type="assurance.pack",
            object_id=quarter.label,
            object_repr=f"Executive pack {quarter.label} (PDF)",
            detail=f"Quarter {quarter.label}: {quarter.months}",
        )
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        name = f"sightline-executive-pack-{quarter.label.replace(' ', '-')}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


urlpatterns = [
    path("assurance/pack/", PackView.as_view(), name="pack"),
    path("assurance/pack.pdf", PackPdfView.as_view(), name="pack_pdf"),
]

"""Download responses for CSV and XLSX tables (one place for headers and file names)."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.http import Http404, HttpResponse

from .exports import XLSX_TYPE, csv_text, xlsx_bytes


def table_download(
    *,
    fmt: str,
    name: str,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    headings: Mapping[str, str] | None = None,
) -> HttpResponse:
    """A CSV file (with a byte-order mark, for Excel) or a workbook. ``headings`` are the
    workbook's readable column headings; the CSV keeps ``header``'s column names, and a
    download meant to be imported back passes no ``headings``."""
    if fmt == "csv":
        response = HttpResponse(
            csv_text(header, rows, bom=True), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            xlsx_bytes(title, header, rows, headings=headings), content_type=XLSX_TYPE
        )
    else:
        raise Http404("Downloads are CSV or XLSX.")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def logged_export(
    request: Any, response: HttpResponse, *, object_type: str, object_repr: str, detail: str = ""
) -> HttpResponse:
    """``response`` (a download already built) as it is, written to the access log as an
    export by ``request.user`` only when it delivers the file (status 200): a download that
    fails (a 404 for an unknown format, a refusal) exports nothing and is not logged."""
    from .models import AccessLogEntry
    from .services import access_log_record

    if response.status_code == 200:
        access_log_record(
            user=request.user,
            action=AccessLogEntry.Action.EXPORT,
            object_type=object_type,
            object_repr=object_repr,
            detail=detail,
        )
    return response

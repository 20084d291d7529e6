"""Download responses for CSV and XLSX tables (one place for headers and file names)."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.http import Http404, HttpResponse

from .exports import XLSX_TYPE, csv_text, xlsx_bytes


def table_download(
    *, fmt: str, name: str, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(title, header, rows), content_type=XLSX_TYPE)
    else:
        raise Http404("Downloads are CSV or XLSX.")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response

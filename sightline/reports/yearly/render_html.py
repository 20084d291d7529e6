"""The yearly report as one printable HTML file (for the command and the PDF) and as a tagged
PDF, both drawn from a ``ReportDocument`` with nothing read while they are drawn."""

from django.template.loader import render_to_string

from sightline.core.pdf import render_pdf

from .document import ReportDocument

PRINT_TEMPLATE = "reports/yearly/report_print.html"
PAGE_TEMPLATE = "reports/yearly/report.html"


def standalone_html(document: ReportDocument) -> str:
    """A whole HTML file that needs nothing else: styles inline, no scripts, no images."""
    return render_to_string(PRINT_TEMPLATE, {"document": document})


def pdf_bytes(document: ReportDocument) -> bytes:
    """A tagged PDF (PDF/UA-1) of the printable HTML: headings, tables and language."""
    return render_pdf(standalone_html(document))

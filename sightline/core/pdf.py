"""PDFs from HTML (the Executive pack, certificates of attendance), rendered by WeasyPrint.

Every PDF is tagged for screen readers (PDF/UA-1: a structure tree of headings, paragraphs,
lists and tables, marked content), with the language and title the page's ``<html lang>``
and ``<title>`` give. The pages load nothing from outside, so they render the same offline.
"""

PDF_VARIANT = "pdf/ua-1"


def render_pdf(html: str) -> bytes:
    """A tagged PDF of ``html``; the page sets ``lang`` on ``<html>`` and a ``<title>``."""
    # Imported here: loading WeasyPrint takes a moment and logs, and only this needs it.
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT))

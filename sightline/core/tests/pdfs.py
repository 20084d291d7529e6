"""Checks on the PDFs Sightline makes: tagged for screen readers, in British English, titled,
in one font family."""

import io
import re

import pikepdf


def font_families(pdf: pikepdf.Pdf) -> set[str]:
    """Each embedded font's family: its base name without the subset tag and the face."""
    families = set()
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
            base = str(obj.get("/BaseFont", ""))
            if base:
                name = re.sub(r"^/([A-Z]{6}\+)?", "", base)
                families.add(re.sub(r"-(Bold|Oblique|BoldOblique|Italic|BoldItalic)$", "", name))
    return families


def structure_types(node: object, found: set[str] | None = None) -> set[str]:
    """The kinds of element in a tagged PDF's structure tree: /H1, /P, /Table, /TH, ..."""
    found = set() if found is None else found
    if isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            found.add(str(node.S))
        if "/K" in node:
            structure_types(node.K, found)
    elif isinstance(node, pikepdf.Array):
        for child in node:
            structure_types(child, found)
    return found


def check_accessible_pdf(
    content: bytes, *, title: str, elements: frozenset[str] = frozenset({"/H1", "/P"})
) -> pikepdf.Pdf:
    """Tagged (``pdfinfo`` would say "Tagged: yes"), with a structure tree holding at least
    ``elements``, in British English, titled ``title`` (shown as the window's title), in one
    font family."""
    pdf = pikepdf.open(io.BytesIO(content))
    root = pdf.Root
    assert root.MarkInfo.Marked is True  # tagged ("Tagged: yes")
    assert "/StructTreeRoot" in root
    assert elements <= structure_types(root.StructTreeRoot)
    assert str(root.Lang) == "en-GB"
    assert str(pdf.docinfo["/Title"]) == title
    assert root.ViewerPreferences.DisplayDocTitle is True
    families = font_families(pdf)
    assert len(families) == 1, families  # one family, page headers and footers too
    return pdf

"""A briefing as a Word document and as summary slides, both readable by screen readers:
real heading styles and list styles in the document, a title placeholder on every slide
(so the outline and a screen reader find each slide's title), no pictures, and the
partnership, never a person, as the author.

No database: the view passes a ``BriefingText``, built from the briefing alone."""

import io
from dataclasses import dataclass

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from pptx import Presentation
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.util import Pt

from .drafting import blocks, plain_lines, shorten

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
LANGUAGE = "en-GB"
# What fits on a slide at a readable size; the whole text is in the slide's notes.
SLIDE_LINES = 7
SLIDE_LINE_LIMIT = 220


@dataclass(frozen=True)
class BriefingText:
    title: str
    partnership: str
    audience: str
    sections: list[tuple[str, str]]
    themes: tuple[str, ...] = ()
    review_title: str = ""


def briefing_docx(briefing: BriefingText) -> bytes:
    document = Document()
    properties = document.core_properties
    properties.title = briefing.title
    properties.author = briefing.partnership
    properties.last_modified_by = briefing.partnership
    properties.language = LANGUAGE
    properties.subject = "Seven-minute briefing"
    properties.keywords = ", ".join(briefing.themes)
    properties.comments = ""
    _document_language(document)

    document.add_heading(briefing.title, level=1)
    document.add_paragraph(f"{briefing.partnership}. For the {briefing.audience.lower()}.")
    if briefing.review_title:
        document.add_paragraph(f"From the review: {briefing.review_title}.")
    if briefing.themes:
        document.add_paragraph("Practice themes: " + ", ".join(briefing.themes) + ".")
    for number, (heading, text) in enumerate(briefing.sections, start=1):
        document.add_heading(f"{number}. {heading}", level=2)
        for block in blocks(text):
            if block.is_list:
                for item in block.items:
                    document.add_paragraph(item, style="List Bullet")
            else:
                document.add_paragraph(block.text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _document_language(document: object) -> None:
    """British English as the language of all the text, so spelling and speech follow it."""
    styles = document.styles.element  # type: ignore[attr-defined]
    run_defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    language = run_defaults.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        run_defaults.append(language)
    language.set(qn("w:val"), LANGUAGE)


def briefing_pptx(briefing: BriefingText) -> bytes:
    presentation = Presentation()
    properties = presentation.core_properties
    properties.title = briefing.title
    properties.author = briefing.partnership
    properties.last_modified_by = briefing.partnership
    properties.language = LANGUAGE
    properties.subject = "Seven-minute briefing"
    properties.keywords = ", ".join(briefing.themes)

    title_layout, content_layout = presentation.slide_layouts[0], presentation.slide_layouts[1]
    slide = presentation.slides.add_slide(title_layout)
    slide.shapes.title.text = briefing.title
    subtitle = f"{briefing.partnership}\nFor the {briefing.audience.lower()}"
    slide.placeholders[1].text = subtitle

    # In the briefing's own order, so the slides, the page and the Word file number alike.
    for number, (heading, text) in enumerate(briefing.sections, 1):
        slide = presentation.slides.add_slide(content_layout)
        slide.shapes.title.text = f"{number}. {heading}"
        lines = plain_lines(text) or ["(Nothing written yet.)"]
        frame = slide.placeholders[1].text_frame
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
        shown = [shorten(line, SLIDE_LINE_LIMIT) for line in lines[:SLIDE_LINES]]
        if len(lines) > SLIDE_LINES:
            shown.append("More in the briefing.")
        size = Pt(20) if sum(len(line) for line in shown) < 500 else Pt(14)
        for index, line in enumerate(shown):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.text = line
            paragraph.level = 0
            for run in paragraph.runs:
                run.font.size = size
        slide.notes_slide.notes_text_frame.text = "\n".join(lines)

    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()

"""The yearly report as a Word file (python-docx), drawn from a ``ReportDocument``: real
headings (Heading 1 for chapters, Heading 2 for their sections) and real tables, each with a
caption and a header row that repeats on every page, so the partnership can edit the final
wording and house style. The title and the language (British English) are set."""

import io

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from .document import BarChart, ReportDocument, Table

LANGUAGE = "en-GB"


def _set_language(document: WordDocument) -> None:
    """British English for the spelling checker and screen readers: on the default run
    properties every style inherits from."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    properties = run_defaults.find(qn("w:rPr")) if run_defaults is not None else None
    if properties is None:
        properties = OxmlElement("w:rPr")
        styles.insert(0, properties)
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    document.core_properties.language = LANGUAGE


def _repeat_header(row: object) -> None:
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _table(document: WordDocument, table: Table) -> None:
    document.add_paragraph(table.caption, style="Caption")
    if not table.rows:
        document.add_paragraph(table.empty)
        return
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    _repeat_header(grid.rows[0])
    # Each row's cells once: ``grid.cell(row, column)`` works out the whole grid every call.
    for row_index, (row, cells) in enumerate(
        zip(grid.rows, (table.header, *table.rows), strict=True)
    ):
        for column, (cell, text) in enumerate(zip(row.cells, cells, strict=True)):
            cell.text = text
            paragraph = cell.paragraphs[0]
            if column in table.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if row_index == 0:
                for run in paragraph.runs:
                    run.bold = True
    if table.more:
        document.add_paragraph(table.more_text)
    document.add_paragraph()


def docx_bytes(report: ReportDocument) -> bytes:
    document = Document()
    _set_language(document)
    document.core_properties.title = report.title
    document.core_properties.author = report.partnership
    document.core_properties.subject = f"Yearly report {report.year_label}"
    document.add_heading(f"Yearly report {report.year_label}", level=0)
    document.add_paragraph(report.partnership)
    document.add_paragraph(
        f"{report.period}. Every figure is as at the end of the year. {report.position}."
    )
    if report.is_draft:
        document.add_paragraph().add_run(
            "Draft: some chapters are not yet written or approved."
        ).bold = True
    for chapter in report.chapters:
        document.add_heading(chapter.title, level=1)
        if chapter.status:
            document.add_paragraph().add_run(chapter.status).italic = True
        for paragraph in chapter.paragraphs:
            document.add_paragraph(paragraph)
        for section in chapter.sections:
            document.add_heading(section.title, level=2)
            for block in section.blocks:
                if isinstance(block, str):
                    document.add_paragraph(block)
                elif isinstance(block, BarChart):
                    # The chart's figures as its table: Word users restyle or chart them.
                    _table(document, block.table)
                else:
                    _table(document, block)
    document.add_heading("What the law and guidance ask the report to cover", level=1)
    _table(
        document,
        Table(
            "statutory-contents",
            "Statutory contents and where the report covers them",
            ("Content", "Where it is covered"),
            tuple(
                (report.content_texts.get(item.id, item.id), item.where or "Not covered yet")
                for item in report.contents
            ),
        ),
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()

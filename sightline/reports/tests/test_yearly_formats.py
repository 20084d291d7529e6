"""The yearly report's three formats: the same figures and chapters in the page's HTML, the
tagged PDF and the Word file, none reading anything while it is drawn."""

import datetime
import io
import os
import shutil
import subprocess
from html.parser import HTMLParser

import pikepdf
import pytest
from docx import Document
from docx.oxml.ns import qn
from markupsafe import escape

from sightline.core.tests.pdfs import check_accessible_pdf, structure_types
from sightline.reports.yearly import contents, document, figures, render_docx, render_html
from sightline.reports.yearly.narrative import ChapterNarrative

from .yearly_data import learning, make, quarter, standard, timeliness

PARTNERSHIP = "Northshire Safeguarding Partnership"
TITLE = f"{PARTNERSHIP} yearly report 2023-24"


@pytest.fixture
def report():
    made = make(
        starts=[("child", datetime.date(2023, 5, 4))],
        timeliness_report=timeliness(
            standard("child.notification", 3, 2), standard("dhr.decision", 1, 1)
        ),
        priorities=(figures.PriorityStatus("Neglect", "Ann", ("green", "", "", "red"), ""),),
    )
    narratives = {
        "introduction": ChapterNarrative(
            "introduction",
            "Northshire is a <county> & city.\n\nSecond paragraph.",
            approved=True,
            approved_by="Ann Lead",
        ),
        "next_steps": ChapterNarrative("next_steps", "Our plans.", approved=False),
    }
    return made, document.build(figures=made, narratives=narratives, partnership=PARTNERSHIP)


class Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2"):
            self._in, self._text = tag, ""

    def handle_data(self, data):
        if self._in:
            self._text += data

    def handle_endtag(self, tag):
        if tag == self._in:
            self.found.append((tag, " ".join(self._text.split())))
            self._in = None


def test_html_has_the_chapters_in_order_with_their_narrative_escaped(
    report, db, django_assert_num_queries
):
    _figures, built = report
    with django_assert_num_queries(0):
        html = render_html.standalone_html(built)
    parser = Headings()
    parser.feed(html)
    h2 = [text for tag, text in parser.found if tag == "h2"]
    titles = [chapter.title for chapter in contents.CHAPTERS]
    assert [text for text in h2 if text in titles] == titles
    assert "Northshire is a &lt;county&gt; &amp; city." in html
    assert "<county>" not in html
    assert '<html lang="en-GB">' in html
    # A chapter with no text says so; one not approved says that instead.
    assert html.count(escape(document.NOT_WRITTEN)) == len(titles) - 2
    assert html.count(escape(document.NOT_APPROVED)) == 1


def test_every_chart_has_its_figures_in_a_table(report, db):
    _figures, built = report
    html = render_html.standalone_html(built)
    charts = [
        block
        for chapter in built.chapters
        for section in chapter.sections
        for block in section.blocks
        if isinstance(block, document.BarChart)
    ]
    assert charts
    for chart in charts:
        assert f'aria-labelledby="{chart.id}-title {chart.id}-desc"' in html
        assert f'id="{chart.table.id}"' in html
        assert [bar.value for bar in chart.bars] == [
            int(row[1].replace(",", "")) for row in chart.table.rows
        ]


def test_pdf_is_tagged_with_headings_tables_and_language(report, db, django_assert_num_queries):
    _figures, built = report
    html = render_html.standalone_html(built)
    with django_assert_num_queries(0):
        content = render_html.pdf_bytes(built)
    pdf = check_accessible_pdf(
        content,
        title=TITLE,
        elements=frozenset({"/H1", "/H2", "/H3", "/P", "/Table", "/TH", "/TD"}),
    )
    assert "/Table" in structure_types(pdf.Root.StructTreeRoot)
    assert "Practice reviews: activity and impact" in html
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        out = subprocess.run(  # noqa: S603  (poppler's own tool, our own file)
            [pdfinfo, "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
        assert "Tagged:          yes" in out


def _docx(built):
    return Document(io.BytesIO(render_docx.docx_bytes(built)))


def test_word_has_real_headings_in_chapter_order_title_and_language(
    report, db, django_assert_num_queries
):
    _figures, built = report
    with django_assert_num_queries(0):
        content = render_docx.docx_bytes(built)
    word = Document(io.BytesIO(content))
    level1 = [
        p.text for p in word.paragraphs if p.style is not None and p.style.name == "Heading 1"
    ]
    level2 = [
        p.text for p in word.paragraphs if p.style is not None and p.style.name == "Heading 2"
    ]
    assert level1 == [
        *(chapter.title for chapter in contents.CHAPTERS),
        "What the law and guidance ask the report to cover",
    ]
    assert "Timeliness" in level2
    assert word.core_properties.title == TITLE
    assert word.core_properties.language == "en-GB"
    lang = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert lang.find(qn("w:rPr")).find(qn("w:lang")).get(qn("w:val")) == "en-GB"
    assert "Northshire is a <county> & city." in [p.text for p in word.paragraphs]


def test_word_tables_are_real_with_repeating_headers_and_the_json_figures(report, db):
    made, built = report
    word = _docx(built)
    assert (
        len(word.tables) == len([t for t in document.tables(built) if t.rows]) + 1
    )  # and the statutory contents
    for table in word.tables:
        first = table.rows[0]._tr
        assert first.trPr.find(qn("w:tblHeader")) is not None
    timeliness_table = next(
        t
        for t in word.tables
        if t.rows[0].cells[0].text == "Standard" and "Met" in [c.text for c in t.rows[0].cells]
    )
    header = [cell.text for cell in timeliness_table.rows[0].cells]
    rows = [[cell.text for cell in row.cells] for row in timeliness_table.rows[1:]]
    expected = made.as_json()["case_reviews"]["timeliness"]["standards"]
    assert [row[0] for row in rows] == [s["code"] for s in expected]
    for row, standard_json in zip(rows, expected, strict=True):
        for key in ("applicable", "met", "missed", "pending", "overdue"):
            assert int(row[header.index(key.capitalize())]) == standard_json[key]


def test_libreoffice_opens_the_word_file(report, db, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("SIGHTLINE_DOCUMENT_TESTS") == "required":
            pytest.fail("soffice is not installed, and SIGHTLINE_DOCUMENT_TESTS=required")
        pytest.skip("LibreOffice (soffice) is not installed")
    _figures, built = report
    source = tmp_path / "report.docx"
    source.write_bytes(render_docx.docx_bytes(built))
    profile = tmp_path / "profile"
    result = subprocess.run(  # noqa: S603  (LibreOffice, our own file)
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    converted = tmp_path / "report.pdf"
    assert converted.exists()
    pdf = pikepdf.open(converted)
    assert len(pdf.pages) > 1


def test_long_lists_are_summed_by_kind_of_source_and_by_group():
    source = {"with_dissemination_evidence": 1, "with_impact_evidence": 0, "complete": 1}
    learning_report = learning(recommendations=3)
    learning_report["by_source"] = [
        {"source_type": "case_review", "source": "CR-1", "actions": 2, **source},
        {"source_type": "case_review", "source": "CR-2", "actions": 3, **source},
        {"source_type": "inspection", "source": "ILACS", "actions": 1, **source},
    ]
    breach = figures.Breach("Data group", "Re-referrals", "31%", "> 25%")
    other = figures.Breach("Audit group", "Visits", "2", "< 5")
    made = make(
        learning_report=learning_report,
        quarters=(
            quarter(1, data_exceptions=(breach, other)),
            quarter(2),
            quarter(3, data_exceptions=(breach,)),
            quarter(4),
        ),
    )
    built = document.build(figures=made, narratives={}, partnership=PARTNERSHIP)
    by_id = {table.id: table for table in document.tables(built)}
    assert by_id["learning-by-source"].rows == (
        ("Case reviews", "5", "2", "2", "0"),
        ("Inspections", "1", "1", "1", "0"),
    )
    assert by_id["data-exceptions"].header == ("Group", "Q1", "Q2", "Q3", "Q4")
    assert by_id["data-exceptions"].rows == (
        ("Audit group", "1", "0", "0", "0"),
        ("Data group", "1", "0", "1", "0"),
    )


def test_a_long_list_shows_its_first_rows_and_says_how_many_more(db):
    many = [
        figures.Publication(f"PUB-{n:04d}", "child", datetime.date(2023, 6, 1))
        for n in range(document.LIST_LIMIT + 7)
    ]
    made = make(publications=many)
    built = document.build(figures=made, narratives={}, partnership=PARTNERSHIP)
    published = next(t for t in document.tables(built) if t.id == "published")
    assert len(published.rows) == document.LIST_LIMIT
    assert published.rows[0][0] == "PUB-0000"
    assert published.more == 7
    assert "7 more are not listed here" in render_html.standalone_html(built)
    assert published.more_text in [p.text for p in _docx(built).paragraphs]
    # The JSON keeps every one.
    assert len(made.as_json()["case_reviews"]["published"]) == document.LIST_LIMIT + 7

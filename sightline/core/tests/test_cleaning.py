"""Documents cleaned before publication: real files built here, cleaned, read back."""

import io
import struct
import zipfile
import zlib

import docx
import openpyxl
import pikepdf
import pptx
import pytest
from lxml import etree
from openpyxl.comments import Comment

from sightline.core import cleaning
from sightline.core.cleaning import DocumentRefused, document_clean
from sightline.core.pdf import render_pdf

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_ = f"{{{W}}}"
OPENXML = "application/vnd.openxmlformats-officedocument"


# Building real files ---------------------------------------------------------------------


def rezip(content: bytes, *, add: dict[str, bytes] | None = None, edit=None) -> bytes:
    """The package with parts added, and ``edit(name, data) -> data`` applied to each part."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if edit is not None:
                data = edit(info.filename, data)
            target.writestr(info.filename, data)
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def add_override(types: bytes, part: str, content_type: str) -> bytes:
    return types.replace(
        b"</Types>",
        f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>'.encode(),
    )


def add_relationship(rels: bytes, rel_id: str, kind: str, target: str) -> bytes:
    return rels.replace(
        b"</Relationships>",
        f'<Relationship Id="{rel_id}" Type="{kind}" Target="{target}"/></Relationships>'.encode(),
    )


CUSTOM_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
    b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b'<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="CaseOwner">'
    b"<vt:lpwstr>Jane Smith</vt:lpwstr></property></Properties>"
)
PEOPLE_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
    b'<w15:person w15:author="Jane Smith"/></w15:people>'
)
R_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def word_document() -> bytes:
    """A Word file with an author, two comments, tracked changes, custom properties,
    document variables and a people list: everything Word hides."""
    document = docx.Document()
    props = document.core_properties
    props.author = "Jane Smith"
    props.last_modified_by = "Tom Brown"
    props.comments = "Draft: do not share with the family"
    props.keywords = "sensitive"
    props.category = "Restricted"
    props.subject = "Child R"
    props.title = "Learning from the review"
    document.add_heading("Learning from the review", level=1)
    first = document.add_paragraph("Agencies shared information late.")
    second = document.add_paragraph("Supervision was regular.")
    document.add_comment(first.runs, text="Is this fair to health?", author="Jane Smith")
    document.add_comment(second.runs, text="Check with the school", author="Tom Brown")
    third = document.add_paragraph("The plan was reviewed ")
    body = document.element.body
    paragraph = third._p
    inserted = etree.SubElement(paragraph, f"{W_}ins", {f"{W_}id": "90", f"{W_}author": "Tom"})
    run = etree.SubElement(inserted, f"{W_}r", {f"{W_}rsidR": "00AB12CD"})
    etree.SubElement(run, f"{W_}t").text = "every month."
    deleted = etree.SubElement(paragraph, f"{W_}del", {f"{W_}id": "91", f"{W_}author": "Tom"})
    deleted_run = etree.SubElement(deleted, f"{W_}r")
    etree.SubElement(deleted_run, f"{W_}delText").text = "whenever someone remembered."
    properties = paragraph.get_or_add_pPr()
    change = etree.SubElement(properties, f"{W_}pPrChange", {f"{W_}id": "92", f"{W_}author": "T"})
    etree.SubElement(change, f"{W_}pPr")
    assert body is not None
    out = io.BytesIO()
    document.save(out)

    def edit(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            data = add_override(data, "docProps/custom.xml", f"{OPENXML}.custom-properties+xml")
            return add_override(data, "word/people.xml", f"{OPENXML}.wordprocessingml.people+xml")
        if name == "_rels/.rels":
            return add_relationship(
                data, "rId90", f"{R_TYPE}/custom-properties", "docProps/custom.xml"
            )
        if name == "word/_rels/document.xml.rels":
            return add_relationship(
                data,
                "rId90",
                "http://schemas.microsoft.com/office/2011/relationships/people",
                "people.xml",
            )
        if name == "word/settings.xml":
            return data.replace(
                b"</w:settings>",
                b'<w:docVars><w:docVar w:name="Reviewer" w:val="Jane Smith"/></w:docVars>'
                b"</w:settings>",
            )
        if name == "docProps/app.xml":
            return data.replace(
                b"</Properties>",
                b"<Company>Northshire Council</Company><Manager>Ann Lee</Manager></Properties>",
            )
        return data

    return rezip(
        out.getvalue(),
        add={"docProps/custom.xml": CUSTOM_XML, "word/people.xml": PEOPLE_XML},
        edit=edit,
    )


def part(content: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(content)).read(name)


def names(content: bytes) -> set[str]:
    return set(zipfile.ZipFile(io.BytesIO(content)).namelist())


def presentation() -> bytes:
    deck = pptx.Presentation()
    deck.core_properties.author = "Jane Smith"
    deck.core_properties.title = "Seven-minute briefing"
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "What happened"
    slide.placeholders[1].text = "A child was not seen for six weeks."
    slide.notes_slide.notes_text_frame.text = "Say that the family asked for privacy."
    deck.slides.add_slide(deck.slide_layouts[1]).shapes.title.text = "What we learned"
    out = io.BytesIO()
    deck.save(out)
    authors = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<p:cmAuthorLst xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">'
        b'<p:cmAuthor id="0" name="Jane Smith" initials="JS" lastIdx="1" clrIdx="0"/>'
        b"</p:cmAuthorLst>"
    )
    comments = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<p:cmLst xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">'
        b'<p:cm authorId="0" idx="1"><p:pos x="10" y="10"/><p:text>Too blunt?</p:text></p:cm>'
        b"</p:cmLst>"
    )

    def edit(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            data = add_override(
                data, "ppt/commentAuthors.xml", f"{OPENXML}.presentationml.commentAuthors+xml"
            )
            return add_override(
                data, "ppt/comments/comment1.xml", f"{OPENXML}.presentationml.comments+xml"
            )
        if name == "ppt/_rels/presentation.xml.rels":
            return add_relationship(data, "rId90", f"{R_TYPE}/commentAuthors", "commentAuthors.xml")
        if name == "ppt/slides/_rels/slide1.xml.rels":
            return add_relationship(data, "rId90", f"{R_TYPE}/comments", "../comments/comment1.xml")
        return data

    return rezip(
        out.getvalue(),
        add={"ppt/commentAuthors.xml": authors, "ppt/comments/comment1.xml": comments},
        edit=edit,
    )


def workbook() -> bytes:
    book = openpyxl.Workbook()
    book.properties.creator = "Jane Smith"
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "Agency"
    sheet["B1"] = "Returns"
    sheet["A2"] = "Health"
    sheet["B2"] = 4
    sheet["B2"].comment = Comment("Chase the late one", "Tom Brown")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


TEXT_PAGE = b"BT /F1 18 Tf 72 720 Td (Practice review summary) Tj ET"


def pdf_document(*, extras: bool = True) -> bytes:
    """A one-page PDF with document information, XMP, a sticky note with its pop-up, a
    highlight, a link, an attached file and scripts."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    page.obj.Resources = pikepdf.Dictionary(
        Font=pikepdf.Dictionary(
            F1=pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
            )
        )
    )
    page.obj.Contents = pdf.make_stream(TEXT_PAGE)
    pdf.docinfo["/Title"] = "Practice review summary"
    pdf.docinfo["/Author"] = "Jane Smith"
    pdf.docinfo["/Creator"] = "Microsoft Word"
    pdf.docinfo["/Keywords"] = "restricted"
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:creator"] = ["Jane Smith"]
        meta["dc:title"] = "Practice review summary"
        meta["xmp:CreatorTool"] = "Microsoft Word"
    if extras:
        popup = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Popup, Rect=[0, 0, 10, 10]
            )
        )
        note = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Text,
                Rect=[50, 50, 70, 70],
                Contents=pikepdf.String("Remove the name of the school"),
                T=pikepdf.String("Jane Smith"),
                Popup=popup,
            )
        )
        highlight = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Highlight,
                Rect=[72, 700, 200, 730],
                T=pikepdf.String("Tom Brown"),
            )
        )
        link = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=[72, 600, 200, 620],
                A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org")),
            )
        )
        page.obj.Annots = pdf.make_indirect(pikepdf.Array([note, popup, highlight, link]))
        pdf.attachments["case-notes.txt"] = pikepdf.AttachedFileSpec(pdf, b"Restricted notes")
        script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        pdf.Root.OpenAction = pdf.make_indirect(script)
        pdf.Root.Names.JavaScript = pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String("hello"), pdf.make_indirect(script)])
        )
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_image() -> bytes:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        cleaning._PNG_SIGNATURE
        + png_chunk(b"IHDR", header)
        + png_chunk(b"tEXt", b"Author\0Jane Smith")
        + png_chunk(b"eXIf", b"MM\0*gps")
        + png_chunk(b"IDAT", zlib.compress(b"\0\xff\0\0"))
        + png_chunk(b"IEND", b"")
    )


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg_image() -> bytes:
    return (
        b"\xff\xd8"
        + jpeg_segment(0xE0, b"JFIF\0\1\1\0\0\1\0\1\0\0")
        + jpeg_segment(0xE1, b"Exif\0\0MM\0*GPS 51.5N")
        + jpeg_segment(0xFE, b"Taken by Jane Smith")
        + jpeg_segment(0xE2, b"ICC_PROFILE\0\1\1profile")
        + jpeg_segment(0xC0, b"\x08\0\x01\0\x01\x01\x01\x11\0")
        + jpeg_segment(0xDA, b"\x01\x01\0\0\x3f\0")
        + b"\x12\x34\x56"
        + b"\xff\xd9"
    )


# Word ------------------------------------------------------------------------------------


def test_word_loses_author_comments_and_tracked_changes():
    cleaned = document_clean(name="Draft report (v2).DOCX", content=word_document())

    assert cleaned.kind == "docx"
    assert cleaned.file_name == "draft-report-v2.docx"
    assert cleaned.content_type == f"{OPENXML}.wordprocessingml.document"
    assert "Author: Jane Smith" in cleaned.removed
    assert "Last modified by: Tom Brown" in cleaned.removed
    assert "Comments in the document properties: Draft: do not share with the family" in (
        cleaned.removed
    )
    assert "Keywords: sensitive" in cleaned.removed
    assert "Category: Restricted" in cleaned.removed
    assert "Subject: Child R" in cleaned.removed
    assert "Company: Northshire Council" in cleaned.removed
    assert "Manager: Ann Lee" in cleaned.removed
    assert "2 comments (by Jane Smith, Tom Brown)" in cleaned.removed
    assert "2 tracked changes (accepted)" in cleaned.removed
    assert "1 tracked formatting change (accepted)" in cleaned.removed
    assert "Custom properties: CaseOwner" in cleaned.removed
    assert "1 document variable" in cleaned.removed
    assert "The list of people who commented or made changes" in cleaned.removed
    assert "Editing session identifiers" in cleaned.removed

    reread = docx.Document(io.BytesIO(cleaned.content))
    assert reread.core_properties.author == ""
    assert reread.core_properties.last_modified_by == ""
    assert reread.core_properties.comments == ""
    assert reread.core_properties.title == "Learning from the review"
    text = [paragraph.text for paragraph in reread.paragraphs]
    assert text == [
        "Learning from the review",
        "Agencies shared information late.",
        "Supervision was regular.",
        "The plan was reviewed every month.",
    ]
    inside = names(cleaned.content)
    assert "word/comments.xml" not in inside
    assert "word/people.xml" not in inside
    assert "docProps/custom.xml" not in inside
    everything = b"".join(part(cleaned.content, name) for name in inside)
    for hidden in (
        b"Jane Smith",
        b"Tom Brown",
        b"Northshire",
        b"whenever",
        b"commentReference",
        b"commentRangeStart",
        b"w:del ",
        b"w:ins ",
        b"pPrChange",
        b"rsid",
        b"docVar",
        b"comments.xml",
        b"people.xml",
        b"custom.xml",
    ):
        assert hidden not in everything, hidden


def test_a_new_word_file_loses_only_what_its_template_left():
    document = docx.Document()
    document.add_paragraph("Terms of reference")
    out = io.BytesIO()
    document.save(out)

    cleaned = document_clean(name="terms.docx", content=out.getvalue())

    assert "Author: python-docx" in cleaned.removed
    assert "2 comments" not in " ".join(cleaned.removed)
    assert docx.Document(io.BytesIO(cleaned.content)).paragraphs[0].text == "Terms of reference"


def test_cleaning_twice_removes_nothing_more():
    once = document_clean(name="a.docx", content=word_document())
    twice = document_clean(name="a.docx", content=once.content)

    assert twice.removed == ()


def test_a_deleted_table_row_goes_when_the_deletion_is_accepted():
    document = docx.Document()
    table = document.add_table(rows=2, cols=1)
    table.cell(0, 0).text = "Kept"
    table.cell(1, 0).text = "Deleted row"
    row = table.rows[1]._tr
    row_properties = row.get_or_add_trPr()
    etree.SubElement(row_properties, f"{W_}del", {f"{W_}id": "5", f"{W_}author": "T"})
    out = io.BytesIO()
    document.save(out)

    cleaned = document_clean(name="t.docx", content=out.getvalue())

    reread = docx.Document(io.BytesIO(cleaned.content))
    assert [row.cells[0].text for row in reread.tables[0].rows] == ["Kept"]
    assert "1 tracked change (accepted)" in cleaned.removed


def test_macro_enabled_word_is_refused():
    document = docx.Document()
    document.add_paragraph("Hello")
    out = io.BytesIO()
    document.save(out)

    def edit(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(
                b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                b"application/vnd.ms-word.document.macroEnabled.main+xml",
            )
        return data

    docm = rezip(out.getvalue(), edit=edit)
    with pytest.raises(DocumentRefused, match="contains macros"):
        document_clean(name="report.docm", content=docm)
    with_project = rezip(out.getvalue(), add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
    with pytest.raises(DocumentRefused, match="contains macros"):
        document_clean(name="report.docx", content=with_project)


def test_embedded_ole_objects_are_refused():
    document = docx.Document()
    document.add_paragraph("Hello")
    out = io.BytesIO()
    document.save(out)
    content = rezip(out.getvalue(), add={"word/embeddings/oleObject1.bin": b"MZ\x90\0"})

    with pytest.raises(DocumentRefused, match="embedded object"):
        document_clean(name="report.docx", content=content)


def test_a_chart_workbook_inside_a_presentation_is_cleaned_too():
    deck = pptx.Presentation()
    deck.slides.add_slide(deck.slide_layouts[5])
    out = io.BytesIO()
    deck.save(out)
    content = rezip(
        out.getvalue(), add={"ppt/embeddings/Microsoft_Excel_Worksheet.xlsx": workbook()}
    )

    cleaned = document_clean(name="deck.pptx", content=content)

    assert "In the embedded file Microsoft_Excel_Worksheet.xlsx: Author: Jane Smith" in (
        cleaned.removed
    )
    inner = part(cleaned.content, "ppt/embeddings/Microsoft_Excel_Worksheet.xlsx")
    assert b"Jane Smith" not in part(inner, "docProps/core.xml")
    assert openpyxl.load_workbook(io.BytesIO(inner)).active["A2"].value == "Health"


# PowerPoint and Excel --------------------------------------------------------------------


def test_presentation_loses_author_comments_and_speaker_notes():
    cleaned = document_clean(name="Briefing.pptx", content=presentation())

    assert cleaned.kind == "pptx"
    assert cleaned.file_name == "briefing.pptx"
    assert "Author: Jane Smith" in cleaned.removed
    assert "1 comment" in cleaned.removed
    assert "The list of people who commented or made changes" in cleaned.removed
    assert "Speaker notes on 1 slide" in cleaned.removed

    deck = pptx.Presentation(io.BytesIO(cleaned.content))
    assert deck.core_properties.author == ""
    assert deck.core_properties.title == "Seven-minute briefing"
    assert [slide.shapes.title.text for slide in deck.slides] == [
        "What happened",
        "What we learned",
    ]
    assert not deck.slides[0].has_notes_slide
    inside = names(cleaned.content)
    assert not [name for name in inside if "notesSlide" in name or "comment" in name.lower()]
    everything = b"".join(part(cleaned.content, name) for name in inside)
    assert b"privacy" not in everything
    assert b"Jane Smith" not in everything


def test_workbook_loses_author_and_cell_comments():
    cleaned = document_clean(name="returns.xlsx", content=workbook())

    assert cleaned.kind == "xlsx"
    assert "Author: Jane Smith" in cleaned.removed
    assert "1 comment" in cleaned.removed
    book = openpyxl.load_workbook(io.BytesIO(cleaned.content))
    sheet = book.active
    assert sheet is not None
    assert sheet["B2"].value == 4
    assert sheet["B2"].comment is None
    everything = b"".join(part(cleaned.content, name) for name in names(cleaned.content))
    assert b"Chase the late one" not in everything
    assert b"legacyDrawing" not in everything
    assert not [name for name in names(cleaned.content) if name.endswith(".vml")]


# PDF -------------------------------------------------------------------------------------


def test_pdf_loses_information_xmp_comments_attachments_and_scripts():
    cleaned = document_clean(name="summary.pdf", content=pdf_document())

    assert cleaned.kind == "pdf"
    assert cleaned.content_type == "application/pdf"
    assert "Author: Jane Smith" in cleaned.removed
    assert "Keywords: restricted" in cleaned.removed
    assert "Program that created it: Microsoft Word" in cleaned.removed
    assert "Author (XMP metadata): Jane Smith" in cleaned.removed
    assert "Other XMP metadata: xmp:CreatorTool" in cleaned.removed
    assert "2 comments and mark-ups" in cleaned.removed
    assert "1 embedded file" in cleaned.removed
    assert "2 scripts and automatic actions" in cleaned.removed

    with pikepdf.open(io.BytesIO(cleaned.content)) as pdf:
        assert dict(pdf.docinfo) == {"/Title": "Practice review summary"}
        with pdf.open_metadata() as meta:
            assert meta.get("dc:title") == "Practice review summary"
            assert "dc:creator" not in meta
        assert len(pdf.attachments) == 0
        assert "/OpenAction" not in pdf.Root
        assert "/JavaScript" not in pdf.Root.Names
        annotations = pdf.pages[0].obj.Annots
        assert [str(a.Subtype) for a in annotations] == ["/Link"]
        assert TEXT_PAGE in pdf.pages[0].obj.Contents.read_bytes()
    assert b"Jane Smith" not in cleaned.content
    assert b"Restricted notes" not in cleaned.content


def test_a_tagged_pdf_keeps_its_structure_title_and_language():
    html = (
        '<html lang="en-GB"><head><title>Terms of reference</title></head>'
        "<body><h1>Terms of reference</h1><p>The group meets quarterly.</p></body></html>"
    )
    cleaned = document_clean(name="terms.pdf", content=render_pdf(html))

    with pikepdf.open(io.BytesIO(cleaned.content)) as pdf:
        assert "/StructTreeRoot" in pdf.Root
        assert pdf.Root.MarkInfo.Marked
        assert str(pdf.Root.Lang) == "en-GB"
        assert str(pdf.docinfo["/Title"]) == "Terms of reference"
        with pdf.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"
            assert meta.get("dc:title") == "Terms of reference"
    assert any(line.startswith("Program that made the PDF") for line in cleaned.removed)


def test_an_encrypted_pdf_is_refused():
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_document(extras=False))) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="", owner="secret"))

    with pytest.raises(DocumentRefused, match="protected with a password"):
        document_clean(name="locked.pdf", content=out.getvalue())
    locked = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_document(extras=False))) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="open", owner="secret"))
    with pytest.raises(DocumentRefused, match="protected with a password"):
        document_clean(name="locked.pdf", content=locked.getvalue())


def test_a_script_hidden_where_cleaning_does_not_look_refuses_the_pdf():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    pdf.Root.Outlines = pdf.make_indirect(
        pikepdf.Dictionary(
            First=pdf.make_indirect(pikepdf.Dictionary(Title=pikepdf.String("Start"), A=script))
        )
    )
    out = io.BytesIO()
    pdf.save(out)

    with pytest.raises(DocumentRefused, match="script or an embedded file"):
        document_clean(name="outline.pdf", content=out.getvalue())


def test_a_broken_pdf_is_refused():
    with pytest.raises(DocumentRefused, match="could not be read"):
        document_clean(name="broken.pdf", content=b"%PDF-1.7\n" + b"\0" * 100)


# Images ----------------------------------------------------------------------------------


def test_png_loses_text_and_camera_data():
    cleaned = document_clean(name="Chart.PNG", content=png_image())

    assert cleaned.kind == "png"
    assert cleaned.file_name == "chart.png"
    assert cleaned.removed == ("Text fields: Author", "Camera and location data (EXIF)")
    assert b"Jane Smith" not in cleaned.content
    assert b"IDAT" in cleaned.content
    assert cleaned.content.endswith(png_chunk(b"IEND", b""))


def test_a_png_with_a_bad_checksum_is_refused():
    image = bytearray(png_image())
    image[20] ^= 0xFF
    with pytest.raises(DocumentRefused, match="could not be read"):
        document_clean(name="chart.png", content=bytes(image))


def test_jpeg_loses_camera_data_and_comments_but_keeps_its_colour_profile():
    cleaned = document_clean(name="photo.jpeg", content=jpeg_image())

    assert cleaned.kind == "jpeg"
    assert cleaned.file_name == "photo.jpg"
    assert cleaned.removed == (
        "Camera and location data (EXIF)",
        "Comment: Taken by Jane Smith",
    )
    assert b"GPS" not in cleaned.content
    assert b"Jane" not in cleaned.content
    assert b"ICC_PROFILE" in cleaned.content
    assert b"JFIF" in cleaned.content
    assert cleaned.content.endswith(b"\x12\x34\x56\xff\xd9")


def test_a_truncated_jpeg_is_refused():
    with pytest.raises(DocumentRefused, match="could not be read"):
        document_clean(name="photo.jpg", content=jpeg_image()[:40])


# Refusals and limits ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\0" * 200, "must be a PDF"),
        ("notes.txt", b"Plain text notes", "must be a PDF"),
        ("page.html", b"<html><script>alert(1)</script></html>", "must be a PDF"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Office format"),
        ("empty.docx", b"", "is empty"),
        ("fake.docx", b"PK\x03\x04not really a zip", "could not be read"),
    ],
)
def test_anything_else_is_refused_with_what_to_do(name, content, message):
    with pytest.raises(DocumentRefused, match=message):
        document_clean(name=name, content=content)


def test_a_zip_that_is_not_an_office_file_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(DocumentRefused, match="could not be read"):
        document_clean(name="files.docx", content=out.getvalue())
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("[Content_Types].xml", '<Types xmlns="x"/>')
    with pytest.raises(DocumentRefused, match="could not be read"):
        document_clean(name="files.docx", content=odt.getvalue())


def test_a_file_over_the_limit_is_refused_unread():
    with pytest.raises(DocumentRefused, match="smaller than 20 MB"):
        document_clean(name="big.pdf", content=b"%PDF-" + b"\0" * cleaning.MAX_DOCUMENT_BYTES)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = rezip(
        word_document(), add={"word/media/image1.png": b"\0" * (cleaning.MAX_PART_BYTES + 1)}
    )
    assert len(bomb) < 1024 * 1024

    with pytest.raises(DocumentRefused, match="too large when unpacked"):
        document_clean(name="bomb.docx", content=bomb)


def test_the_total_unpacked_size_is_bounded(monkeypatch):
    monkeypatch.setattr(cleaning, "MAX_UNCOMPRESSED_BYTES", 2000)
    with pytest.raises(DocumentRefused, match="too large when unpacked"):
        document_clean(name="a.docx", content=word_document())


def test_the_number_of_parts_is_bounded():
    many = rezip(
        word_document(), add={f"word/media/{n}.bin": b"" for n in range(cleaning.MAX_PARTS)}
    )
    with pytest.raises(DocumentRefused, match="more than 1000 parts"):
        document_clean(name="many.docx", content=many)


def test_xml_entities_are_refused():
    def edit(name: str, data: bytes) -> bytes:
        if name == "docProps/core.xml":
            return data.replace(
                b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>', 1
            )
        return data

    with pytest.raises(DocumentRefused, match="could not be read"):
        document_clean(name="laughs.docx", content=rezip(word_document(), edit=edit))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\jsmith\\Minutes 3 March.docx", "minutes-3-march.pdf"),
        ("....pdf", "document.pdf"),
        ("Résumé.exe", "resume.pdf"),
        ("a" * 300 + ".pdf", "a" * 80 + ".pdf"),
    ],
)
def test_the_file_name_is_safe_and_has_the_true_extension(name, expected):
    assert cleaning.safe_file_name(name, "pdf") == expected

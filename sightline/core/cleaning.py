"""Documents made safe to publish: the type checked by content, hidden metadata removed.

Every document uploaded for the public hub or for a group's papers passes through
``document_clean``. The type is decided by what the bytes are (magic bytes, then a
successful parse), never by the file name or the browser's content type. Word, PowerPoint
and Excel files lose their author, comments, tracked changes (accepted), speaker notes and
custom properties; PDFs lose their document information, XMP metadata, comment
annotations, embedded files and scripts; PNG and JPEG images lose their text chunks and
camera data. ``CleanedDocument.removed`` says in plain sentences what went, so the
business unit can see it before the document is public.

Bounded throughout: the upload's size, the number of parts in an Office file and each
part's declared uncompressed size (checked before anything is read, so a zip bomb is
refused unopened), and the pages of a PDF. Pure: no database.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import docx
import openpyxl
import pikepdf
import pptx
from django.utils.text import slugify
from lxml import etree

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_PARTS = 1000
MAX_PART_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
# A part parsed whole (its XML) can cost 30 times its size in memory: 5 MB of XML (a Word
# document of several hundred pages) stays under 300 MB at peak whatever its shape
# (docs/operations.md, "Limits on uploads and imports").
MAX_XML_PART_BYTES = 5 * 1024 * 1024
# Ordinary parts over 1 MB compress at most about 30 to 1; a zip bomb's a thousand.
MAX_RATIO = 250
_RATIO_FLOOR_BYTES = 1024 * 1024
MAX_PDF_PAGES = 2000
MAX_NAME_LENGTH = 80
_VALUE_SHOWN = 120

KINDS = ("pdf", "docx", "pptx", "xlsx", "png", "jpeg")
EXTENSIONS = {
    "pdf": "pdf",
    "docx": "docx",
    "pptx": "pptx",
    "xlsx": "xlsx",
    "png": "png",
    "jpeg": "jpg",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpeg": "image/jpeg",
}
ACCEPTED = (
    "a PDF, Word document (.docx), PowerPoint presentation (.pptx), Excel spreadsheet (.xlsx), "
    "PNG or JPEG"
)


@dataclass(frozen=True)
class CleanedDocument:
    content: bytes
    file_name: str
    content_type: str
    kind: str
    removed: tuple[str, ...]


class DocumentRefused(ValueError):
    """The upload cannot be published; ``str()`` tells the person what to do."""


def document_clean(*, name: str, content: bytes) -> CleanedDocument:
    """The document with its hidden metadata removed, or ``DocumentRefused``."""
    if not content:
        raise DocumentRefused("The selected file is empty – choose a file with something in it")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DocumentRefused(
            f"The selected file must be smaller than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB"
        )
    try:
        kind, cleaned, removed = _clean(content)
    except DocumentRefused:
        raise
    # A hostile or damaged file can trip the parsers in ways no check above foresaw: it is
    # refused like any other unreadable file, never answered with a server error.
    except (
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RuntimeError,
        OSError,
        EOFError,
        struct.error,
        zlib.error,
        zipfile.BadZipFile,
        etree.LxmlError,
        pikepdf.PdfError,
    ) as error:
        raise _unreadable() from error
    return CleanedDocument(
        content=cleaned,
        file_name=safe_file_name(name, kind),
        content_type=CONTENT_TYPES[kind],
        kind=kind,
        removed=tuple(removed),
    )


def safe_file_name(name: str, kind: str) -> str:
    """The uploaded name's stem as a slug, with the extension the content really has."""
    base = posixpath.basename(name.replace("\\", "/"))
    stem = base.rsplit(".", 1)[0] if "." in base else base
    slug = slugify(stem)[:MAX_NAME_LENGTH].strip("-") or "document"
    return f"{slug}.{EXTENSIONS[kind]}"


def _clean(content: bytes) -> tuple[str, bytes, list[str]]:
    if content.startswith(b"PK\x03\x04"):
        return _clean_office(content)
    if b"%PDF-" in content[:1024]:
        return "pdf", *_clean_pdf(content)
    if content.startswith(_PNG_SIGNATURE):
        return "png", *_clean_png(content)
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg", *_clean_jpeg(content)
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise DocumentRefused(
            "The selected file is in an old Office format – save it as a .docx, .pptx or .xlsx "
            "file and upload it again"
        )
    raise DocumentRefused(f"The selected file must be {ACCEPTED}")


def _unreadable() -> DocumentRefused:
    return DocumentRefused(
        "The selected file could not be read – check that it opens, save it again and upload it"
    )


def _shown(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= _VALUE_SHOWN else text[: _VALUE_SHOWN - 1] + "…"


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


# Office files (Open Packaging Conventions) ------------------------------------------

_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
_OFFICE_DOCUMENT = f"{_R_NS}/officeDocument"
_CORE_PROPERTIES = "docProps/core.xml"

_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
_MACRO_TYPES = {
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
    "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-excel.sheet.binary.macroEnabled.main",
}
_OPENXML = "application/vnd.openxmlformats-officedocument"
_COMMENT_TYPES = {
    f"{_OPENXML}.wordprocessingml.comments+xml",
    f"{_OPENXML}.presentationml.comments+xml",
    f"{_OPENXML}.spreadsheetml.comments+xml",
    "application/vnd.ms-powerpoint.comments+xml",
    "application/vnd.ms-excel.threadedcomments+xml",
}
_COMMENT_SIDE_TYPES = {
    f"{_OPENXML}.wordprocessingml.commentsExtended+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsIds+xml",
    f"{_OPENXML}.wordprocessingml.commentsExtensible+xml",
}
_PEOPLE_TYPES = {
    f"{_OPENXML}.wordprocessingml.people+xml",
    f"{_OPENXML}.presentationml.commentAuthors+xml",
    "application/vnd.ms-powerpoint.authors+xml",
    "application/vnd.ms-excel.person+xml",
}
_NOTES_TYPE = f"{_OPENXML}.presentationml.notesSlide+xml"
_CUSTOM_PROPERTIES_TYPE = f"{_OPENXML}.custom-properties+xml"
_VML_DRAWING = f"{_R_NS}/vmlDrawing"
_SPREADSHEET_COMMENTS = f"{_R_NS}/comments"

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
)

_CORE_LABELS = {
    "creator": "Author",
    "lastModifiedBy": "Last modified by",
    "description": "Comments in the document properties",
    "keywords": "Keywords",
    "subject": "Subject",
    "category": "Category",
    "contentStatus": "Status",
    "identifier": "Identifier",
    "version": "Version",
}
_CORE_DATES = {
    "created": "Date created",
    "modified": "Date last modified",
    "lastPrinted": "Date last printed",
    "revision": "Revision number",
}
_CORE_KEPT = {"title", "language"}
_APP_LABELS = {
    "Company": "Company",
    "Manager": "Manager",
    "HyperlinkBase": "Hyperlink base",
    "TotalTime": "Total editing time (minutes)",
}


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


class _Package:
    """An Office file's parts, read within the limits, rewritten in memory."""

    def __init__(self, content: bytes) -> None:
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
            members = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
            raise _unreadable() from error
        if len(members) > MAX_PARTS:
            raise DocumentRefused(
                f"The selected file has more than {MAX_PARTS} parts – it cannot be published"
            )
        total = 0
        for member in members:
            if member.file_size > MAX_PART_BYTES:
                raise _too_large()
            if member.filename.lower().endswith((".xml", ".rels", ".vml")) and (
                member.file_size > MAX_XML_PART_BYTES
            ):
                raise _too_large()
            if member.file_size > _RATIO_FLOOR_BYTES and member.file_size > MAX_RATIO * max(
                member.compress_size, 1
            ):
                raise _too_large()
            total += member.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise _too_large()
        if any(member.flag_bits & 0x1 for member in members):
            raise DocumentRefused(
                "The selected file is protected with a password – remove the password and "
                "upload it again"
            )
        self.parts: dict[str, bytes] = {}
        try:
            for member in members:
                if member.is_dir():
                    continue
                with archive.open(member) as handle:
                    data = handle.read(member.file_size + 1)
                if len(data) != member.file_size:
                    raise _unreadable()
                self.parts[member.filename] = data
        except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as error:
            raise _unreadable() from error
        except zlib.error as error:
            raise _unreadable() from error
        self._trees: dict[str, etree._Element] = {}
        if "[Content_Types].xml" not in self.parts:
            raise _unreadable()

    def xml(self, name: str) -> etree._Element:
        if name not in self._trees:
            data = self.parts[name]
            if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
                raise _unreadable()
            try:
                self._trees[name] = etree.fromstring(data, _PARSER)
            except etree.XMLSyntaxError as error:
                raise _unreadable() from error
        return self._trees[name]

    def changed(self, name: str) -> None:
        self.parts[name] = etree.tostring(
            self._trees[name], xml_declaration=True, encoding="UTF-8", standalone=True
        )

    def content_type(self, name: str) -> str:
        types = self.xml("[Content_Types].xml")
        for override in types.iter(f"{{{_CT_NS}}}Override"):
            if override.get("PartName", "").lstrip("/").lower() == name.lower():
                return override.get("ContentType", "")
        extension = name.rsplit(".", 1)[-1].lower()
        for default in types.iter(f"{{{_CT_NS}}}Default"):
            if default.get("Extension", "").lower() == extension:
                return default.get("ContentType", "")
        return ""

    def names_of_type(self, types: set[str]) -> list[str]:
        return [name for name in self.parts if self.content_type(name) in types]

    @staticmethod
    def rels_name(part: str) -> str:
        folder, base = posixpath.split(part)
        return posixpath.join(folder, "_rels", f"{base}.rels")

    @staticmethod
    def source_of(rels: str) -> str:
        folder, base = posixpath.split(rels)
        return posixpath.join(posixpath.dirname(folder), base.removesuffix(".rels"))

    def relationships(self, part: str) -> list[tuple[str, str, str]]:
        """(id, type, target part) of the part's internal relationships."""
        rels = self.rels_name(part)
        if rels not in self.parts:
            return []
        found = []
        for rel in self.xml(rels).iter(f"{{{_REL_NS}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            if target.startswith("/"):
                resolved = posixpath.normpath(target.lstrip("/"))
            else:
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(part), target))
            found.append((rel.get("Id", ""), rel.get("Type", ""), resolved))
        return found

    def main_part(self) -> str:
        for _id, kind, target in self.relationships(""):
            if kind == _OFFICE_DOCUMENT:
                return target
        raise _unreadable()

    def remove(self, names: Iterable[str]) -> None:
        """Removes the parts, their relationships both ways, their content types, and the
        elements that referred to them by relationship id."""
        gone = {name for name in names if name in self.parts}
        if not gone:
            return
        for name in gone:
            self.parts.pop(name)
            self._trees.pop(name, None)
            own = self.rels_name(name)
            self.parts.pop(own, None)
            self._trees.pop(own, None)
        for rels in [name for name in self.parts if name.endswith(".rels")]:
            source = self.source_of(rels) if rels != "_rels/.rels" else ""
            dropped = [
                rel_id for rel_id, _t, target in self.relationships(source) if target in gone
            ]
            if not dropped:
                continue
            tree = self.xml(rels)
            for rel in list(tree):
                if rel.get("Id") in dropped:
                    tree.remove(rel)
            self.changed(rels)
            if source in self.parts and source.endswith(".xml"):
                self._drop_references(source, set(dropped))
        types = self.xml("[Content_Types].xml")
        for override in list(types.iter(f"{{{_CT_NS}}}Override")):
            if override.get("PartName", "").lstrip("/") in gone:
                types.remove(override)
        self.changed("[Content_Types].xml")

    def _drop_references(self, part: str, rel_ids: set[str]) -> None:
        tree = self.xml(part)
        doomed = [
            element
            for element in tree.iter()
            if any(
                key.startswith(f"{{{_R_NS}}}") and value in rel_ids
                for key, value in element.attrib.items()
            )
        ]
        for element in doomed:
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
        if doomed:
            self.changed(part)

    def write(self) -> bytes:
        out = io.BytesIO()
        order = ["[Content_Types].xml"] + [n for n in self.parts if n != "[Content_Types].xml"]
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in order:
                archive.writestr(
                    zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)),
                    self.parts[name],
                    zipfile.ZIP_DEFLATED,
                )
        return out.getvalue()


def _too_large() -> DocumentRefused:
    return DocumentRefused(
        "The selected file is too large when unpacked – it cannot be published; save a smaller "
        "version and upload it again"
    )


def _macro_refusal() -> DocumentRefused:
    return DocumentRefused(
        "The selected file contains macros or controls – save it as a .docx, .pptx or .xlsx "
        "file without macros and upload it again"
    )


def _clean_office(content: bytes) -> tuple[str, bytes, list[str]]:
    package = _Package(content)
    return _clean_package(package, depth=0)


def _clean_package(package: _Package, *, depth: int) -> tuple[str, bytes, list[str]]:
    main = package.main_part()
    if main not in package.parts:
        raise _unreadable()
    main_type = package.content_type(main)
    lowered = [name.lower() for name in package.parts]
    if (
        main_type in _MACRO_TYPES
        or any(name.endswith(("vbaproject.bin", "vbadata.xml")) for name in lowered)
        or any("/activex/" in f"/{name}" for name in lowered)
    ):
        raise _macro_refusal()
    kind = _MAIN_TYPES.get(main_type)
    if kind is None:
        raise DocumentRefused(f"The selected file must be {ACCEPTED}")
    if any(
        name.startswith(("word/embeddings/", "ppt/embeddings/", "xl/embeddings/"))
        and name.endswith(".bin")
        for name in lowered
    ):
        raise DocumentRefused(
            "The selected file contains an embedded object – paste it as a picture or a table "
            "instead and upload the file again"
        )
    removed: list[str] = []
    removed += _clean_core_properties(package)
    removed += _clean_app_properties(package)
    removed += _clean_custom(package)
    if kind == "docx":
        removed += _clean_word(package)
    elif kind == "pptx":
        removed += _clean_presentation(package)
    else:
        removed += _clean_workbook(package)
    removed += _clean_embedded(package, depth=depth)
    cleaned = package.write()
    _check_opens(kind, cleaned)
    return kind, cleaned, removed


def _clean_core_properties(package: _Package) -> list[str]:
    if _CORE_PROPERTIES not in package.parts:
        return []
    tree = package.xml(_CORE_PROPERTIES)
    removed = []
    dates = []
    for element in list(tree):
        name = _local(element)
        if name in _CORE_KEPT:
            continue
        text = (element.text or "").strip()
        if text and name in _CORE_LABELS:
            removed.append(f"{_CORE_LABELS[name]}: {_shown(text)}")
        elif text:
            dates.append(_CORE_DATES.get(name, name))
        tree.remove(element)
    if dates:
        removed.append(f"Document property dates and numbers: {', '.join(dates)}")
    package.changed(_CORE_PROPERTIES)
    return removed


def _clean_app_properties(package: _Package) -> list[str]:
    name = "docProps/app.xml"
    if name not in package.parts:
        return []
    tree = package.xml(name)
    removed = []
    for element in list(tree):
        label = _APP_LABELS.get(_local(element))
        if label is None:
            continue
        text = (element.text or "").strip()
        if text and text != "0":
            removed.append(f"{label}: {_shown(text)}")
        tree.remove(element)
    package.changed(name)
    return removed


def _clean_custom(package: _Package) -> list[str]:
    removed = []
    custom = package.names_of_type({_CUSTOM_PROPERTIES_TYPE})
    names = []
    for part in custom:
        names += [p.get("name", "") for p in package.xml(part) if p.get("name")]
    if names:
        removed.append(f"Custom properties: {_shown(', '.join(names))}")
    package.remove(custom)
    custom_xml = [
        name
        for name in package.parts
        if name.startswith("customXml/") and not name.endswith(".rels")
    ]
    if custom_xml:
        items = [name for name in custom_xml if re.fullmatch(r"customXml/item\d+\.xml", name)]
        count = _count(len(items) or len(custom_xml), "item", "items")
        removed.append(f"Custom XML data (such as document library fields): {count}")
        package.remove(custom_xml)
    return removed


def _comments_removed(package: _Package) -> list[str]:
    comment_parts = package.names_of_type(_COMMENT_TYPES)
    count = 0
    authors: set[str] = set()
    for part in comment_parts:
        for element in package.xml(part).iter():
            if not isinstance(element.tag, str):
                continue
            name = _local(element)
            if name in {"comment", "cm", "threadedComment"}:
                count += 1
                author = element.get(f"{{{_W_NS}}}author")
                if author:
                    authors.add(author)
    people = package.names_of_type(_PEOPLE_TYPES)
    removed = []
    if count:
        by = f" (by {_shown(', '.join(sorted(authors)))})" if authors else ""
        removed.append(f"{_count(count, 'comment', 'comments')}{by}")
    if people:
        removed.append("The list of people who commented or made changes")
    package.remove(comment_parts + package.names_of_type(_COMMENT_SIDE_TYPES) + people)
    return removed


# Elements of a tracked change that accepting it removes with their content, and those
# whose content stays when accepted.
_W_DROPPED = {
    "del",
    "moveFrom",
    "moveFromRangeStart",
    "moveFromRangeEnd",
    "moveToRangeStart",
    "moveToRangeEnd",
    "customXmlInsRangeStart",
    "customXmlInsRangeEnd",
    "customXmlDelRangeStart",
    "customXmlDelRangeEnd",
    "customXmlMoveFromRangeStart",
    "customXmlMoveFromRangeEnd",
    "customXmlMoveToRangeStart",
    "customXmlMoveToRangeEnd",
    "cellIns",
    "cellDel",
    "cellMerge",
}
_W_UNWRAPPED = {"ins", "moveTo"}
_W_FORMAT_CHANGES = {
    "rPrChange",
    "pPrChange",
    "sectPrChange",
    "tblPrChange",
    "tblPrExChange",
    "tblGridChange",
    "trPrChange",
    "tcPrChange",
    "numberingChange",
}
_W_CHANGES_COUNTED = {"ins", "del", "moveFrom", "moveTo"}
_W_COMMENT_MARKS = {"commentRangeStart", "commentRangeEnd"}


def _clean_word(package: _Package) -> list[str]:
    removed = _comments_removed(package)
    changes = 0
    formatting = 0
    rsids = False
    for part in [n for n in package.parts if n.startswith("word/") and n.endswith(".xml")]:
        if not package.content_type(part).endswith("+xml"):
            continue
        tree = package.xml(part)
        touched = False
        for element in list(tree.iter(f"{{{_W_NS}}}*")):
            name = _local(element)
            parent = element.getparent()
            if parent is None:
                continue
            if name in _W_CHANGES_COUNTED and _local(parent) != "rPr":
                changes += 1
            if name in _W_FORMAT_CHANGES:
                formatting += 1
            if name == "del" and _local(parent) == "trPr":
                row = parent.getparent()
                table = row.getparent() if row is not None else None
                if row is not None and table is not None:
                    table.remove(row)
                    touched = True
                continue
            if name in _W_DROPPED or name in _W_FORMAT_CHANGES or name in _W_COMMENT_MARKS:
                parent.remove(element)
                touched = True
            elif name == "rsid":
                parent.remove(element)
                rsids = touched = True
            elif name == "commentReference":
                run = parent if _local(parent) == "r" else element
                holder = run.getparent()
                if holder is not None:
                    holder.remove(run)
                touched = True
            elif name in _W_UNWRAPPED:
                index = parent.index(element)
                for offset, child in enumerate(list(element)):
                    parent.insert(index + offset, child)
                parent.remove(element)
                touched = True
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            for key in [k for k in element.attrib if k.startswith(f"{{{_W_NS}}}rsid")]:
                del element.attrib[key]
                rsids = touched = True
        if part == "word/settings.xml":
            removed += _clean_word_settings(tree)
            touched = True
        if touched:
            package.changed(part)
    if changes:
        removed.append(f"{_count(changes, 'tracked change', 'tracked changes')} (accepted)")
    if formatting:
        count = _count(formatting, "tracked formatting change", "tracked formatting changes")
        removed.append(f"{count} (accepted)")
    if rsids:
        removed.append("Editing session identifiers")
    return removed


def _clean_word_settings(tree: etree._Element) -> list[str]:
    removed = []
    for element in list(tree):
        name = _local(element)
        if name == "docVars":
            count = len(element)
            if count:
                removed.append(_count(count, "document variable", "document variables"))
            tree.remove(element)
        elif name == "attachedTemplate":
            location = element.get(f"{{{_R_NS}}}id") or element.get(f"{{{_W_NS}}}val")
            if location:
                removed.append("The location of the template")
            tree.remove(element)
        elif name == "rsids":
            tree.remove(element)
    return removed


def _clean_presentation(package: _Package) -> list[str]:
    removed = _comments_removed(package)
    notes = package.names_of_type({_NOTES_TYPE})
    with_text = 0
    for part in notes:
        tree = package.xml(part)
        if any((t.text or "").strip() for t in tree.iter(f"{{{_A_NS}}}t")):
            with_text += 1
    if with_text:
        removed.append(f"Speaker notes on {_count(with_text, 'slide', 'slides')}")
    package.remove(notes)
    return removed


def _clean_workbook(package: _Package) -> list[str]:
    # Excel draws a sheet's comments in a legacy VML drawing kept beside them; it goes too.
    drawings = []
    for part in list(package.parts):
        relations = package.relationships(part) if part.endswith(".xml") else []
        if any(kind == _SPREADSHEET_COMMENTS for _i, kind, _t in relations):
            drawings += [target for _i, kind, target in relations if kind == _VML_DRAWING]
    removed = _comments_removed(package)
    package.remove(drawings)
    return removed


def _clean_embedded(package: _Package, *, depth: int) -> list[str]:
    """Charts keep their data in an embedded workbook, which has an author of its own."""
    removed = []
    for name in list(package.parts):
        if "/embeddings/" not in f"/{name}" or not package.parts[name].startswith(b"PK\x03\x04"):
            continue
        if depth > 0:
            raise DocumentRefused(
                "The selected file has documents embedded inside embedded documents – paste them "
                "as pictures or tables instead and upload the file again"
            )
        _kind, cleaned, inner = _clean_package(_Package(package.parts[name]), depth=depth + 1)
        package.parts[name] = cleaned
        label = posixpath.basename(name)
        removed += [f"In the embedded file {label}: {line}" for line in inner]
    return removed


def _check_opens(kind: str, content: bytes) -> None:
    opener: Callable[[io.BytesIO], object]
    if kind == "docx":
        opener = docx.Document
    elif kind == "pptx":
        opener = pptx.Presentation
    else:

        def opener(stream: io.BytesIO) -> object:
            workbook = openpyxl.load_workbook(stream, read_only=True)
            workbook.close()
            return workbook

    try:
        opener(io.BytesIO(content))
    except Exception as error:  # any failure to parse means the file is not what it claims
        raise _unreadable() from error


# PDF -----------------------------------------------------------------------------------

_PDF_LABELS = {
    "/Author": "Author",
    "/Subject": "Subject",
    "/Keywords": "Keywords",
    "/Creator": "Program that created it",
    "/Producer": "Program that made the PDF",
}
_PDF_QUIET = {"/CreationDate": "Date created", "/ModDate": "Date last modified"}
_KEPT_ANNOTATIONS = {"/Link", "/Widget", "/PrinterMark", "/TrapNet", "/Watermark"}
_UNCOUNTED_ANNOTATIONS = {"/Popup"}
_SAFE_ACTIONS = {"/GoTo", "/URI", "/Named", "/GoToR", "/Thread"}
_XMP_KEPT = {"dc:title", "pdfuaid:part", "pdfaid:part", "pdfaid:conformance", "dc:format"}


def _clean_pdf(content: bytes) -> tuple[bytes, list[str]]:
    try:
        pdf = pikepdf.open(io.BytesIO(content))
    except pikepdf.PasswordError as error:
        raise _pdf_password() from error
    except (pikepdf.PdfError, ValueError, RuntimeError) as error:
        raise _unreadable() from error
    with pdf:
        if pdf.is_encrypted:
            raise _pdf_password()
        try:
            pages = len(pdf.pages)
        except pikepdf.PdfError as error:
            raise _unreadable() from error
        if pages == 0:
            raise _unreadable()
        if pages > MAX_PDF_PAGES:
            raise DocumentRefused(
                f"The selected PDF must have {MAX_PDF_PAGES} pages or fewer – split it and "
                "upload the parts"
            )
        try:
            removed, title = _clean_pdf_information(pdf)
            removed += _clean_pdf_xmp(pdf, title)
            removed += _clean_pdf_objects(pdf)
            out = io.BytesIO()
            pdf.save(out, deterministic_id=True)
        except pikepdf.PdfError as error:
            raise _unreadable() from error
    cleaned = out.getvalue()
    _check_pdf(cleaned, pages)
    return cleaned, removed


def _pdf_password() -> DocumentRefused:
    return DocumentRefused(
        "The selected PDF is protected with a password or encryption – save a copy without "
        "protection and upload it again"
    )


def _clean_pdf_information(pdf: pikepdf.Pdf) -> tuple[list[str], str | None]:
    removed: list[str] = []
    title = None
    if "/Info" not in pdf.trailer:
        return removed, None
    dates = []
    info = pdf.trailer.Info
    if isinstance(info, pikepdf.Dictionary):
        for key in list(info.keys()):
            value = info.get(key)
            text = str(value) if isinstance(value, pikepdf.String) else ""
            if key == "/Title":
                title = text or None
            elif key in _PDF_LABELS and text.strip():
                removed.append(f"{_PDF_LABELS[key]}: {_shown(text)}")
            elif key in _PDF_QUIET:
                dates.append(_PDF_QUIET[key])
            elif text.strip():
                removed.append(f"{key.lstrip('/')}: {_shown(text)}")
    if dates:
        removed.append(f"Document dates: {', '.join(dates)}")
    del pdf.trailer.Info
    if title:
        pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary(Title=pikepdf.String(title)))
    return removed, title


def _clean_pdf_xmp(pdf: pikepdf.Pdf, title: str | None) -> list[str]:
    if "/Metadata" not in pdf.Root:
        return []
    kept: dict[str, str] = {}
    names: list[str] = []
    authors = ""
    try:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            for key in list(meta):
                short = _xmp_short(key)
                if short in _XMP_KEPT:
                    kept[short] = str(meta[key])
                elif short == "dc:creator":
                    authors = ", ".join(str(v) for v in meta[key])
                else:
                    names.append(short)
    except Exception:  # unreadable XMP is dropped whole, like readable XMP
        names.append("unreadable XMP")
    del pdf.Root.Metadata
    title = title or kept.get("dc:title")
    if title or kept.get("pdfuaid:part") or kept.get("pdfaid:part"):
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            if title:
                meta["dc:title"] = title
            for key in ("pdfuaid:part", "pdfaid:part", "pdfaid:conformance"):
                if kept.get(key):
                    meta[key] = kept[key]
    removed = []
    if authors:
        removed.append(f"Author (XMP metadata): {_shown(authors)}")
    if names:
        removed.append(f"Other XMP metadata: {_shown(', '.join(sorted(names)))}")
    return removed


def _xmp_short(key: str) -> str:
    namespaces = {
        "http://purl.org/dc/elements/1.1/": "dc",
        "http://www.aiim.org/pdfua/ns/id/": "pdfuaid",
        "http://www.aiim.org/pdfa/ns/id/": "pdfaid",
        "http://ns.adobe.com/xap/1.0/": "xmp",
        "http://ns.adobe.com/pdf/1.3/": "pdf",
        "http://ns.adobe.com/xap/1.0/mm/": "xmpMM",
    }
    match = re.fullmatch(r"\{(.*)\}(.*)", key)
    if not match:
        return key
    prefix = namespaces.get(match.group(1), "")
    return f"{prefix}:{match.group(2)}" if prefix else match.group(2)


def _is_unsafe_action(action: object) -> bool:
    if not isinstance(action, pikepdf.Dictionary):
        return False
    return "/JS" in action or str(action.get("/S")) not in _SAFE_ACTIONS or "/Next" in action


def _clean_pdf_objects(pdf: pikepdf.Pdf) -> list[str]:
    root = pdf.Root
    scripts = 0
    embedded = 0
    comments = 0
    private = False
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        if "/JavaScript" in names:
            scripts += _name_tree_size(names.JavaScript)
            del names.JavaScript
        if "/EmbeddedFiles" in names:
            embedded += _name_tree_size(names.EmbeddedFiles)
            del names.EmbeddedFiles
    if "/AF" in root:
        del root.AF
    if "/OpenAction" in root and _is_unsafe_action(root.OpenAction):
        scripts += 1
        del root.OpenAction
    if "/AA" in root:
        scripts += 1
        del root.AA
    if "/PieceInfo" in root:
        private = True
        del root.PieceInfo
    acroform = root.get("/AcroForm")
    if isinstance(acroform, pikepdf.Dictionary):
        if "/XFA" in acroform:
            scripts += 1
            del acroform.XFA
        scripts += _clean_fields(acroform.get("/Fields"), depth=0)
    for page in pdf.pages:
        obj = page.obj
        for key in ("/AA",):
            if key in obj:
                scripts += 1
                del obj[key]
        for key in ("/PieceInfo", "/Metadata"):
            if key in obj:
                private = True
                del obj[key]
        annotations = obj.get("/Annots")
        if not isinstance(annotations, pikepdf.Array):
            continue
        kept = pikepdf.Array()
        for annotation in annotations:
            if not isinstance(annotation, pikepdf.Dictionary):
                continue
            subtype = str(annotation.get("/Subtype"))
            if subtype in _KEPT_ANNOTATIONS:
                if "/A" in annotation and _is_unsafe_action(annotation.A):
                    scripts += 1
                    del annotation.A
                if "/AA" in annotation:
                    scripts += 1
                    del annotation.AA
                kept.append(annotation)
            elif subtype == "/FileAttachment":
                embedded += 1
            elif subtype not in _UNCOUNTED_ANNOTATIONS:
                comments += 1
        if len(kept):
            obj.Annots = kept
        else:
            del obj.Annots
    removed = []
    if comments:
        removed.append(f"{_count(comments, 'comment or mark-up', 'comments and mark-ups')}")
    if embedded:
        removed.append(_count(embedded, "embedded file", "embedded files"))
    if scripts:
        removed.append(
            _count(scripts, "script or automatic action", "scripts and automatic actions")
        )
    if private:
        removed.append("Private data kept by the program that made the PDF")
    return removed


def _clean_fields(fields: object, *, depth: int) -> int:
    if not isinstance(fields, pikepdf.Array) or depth > 20:
        return 0
    scripts = 0
    for field in fields:
        if not isinstance(field, pikepdf.Dictionary):
            continue
        if "/AA" in field:
            scripts += 1
            del field.AA
        if "/A" in field and _is_unsafe_action(field.A):
            scripts += 1
            del field.A
        scripts += _clean_fields(field.get("/Kids"), depth=depth + 1)
    return scripts


def _name_tree_size(tree: object, depth: int = 0) -> int:
    if not isinstance(tree, pikepdf.Dictionary) or depth > 20:
        return 0
    count = len(tree.get("/Names", pikepdf.Array())) // 2
    for kid in tree.get("/Kids", pikepdf.Array()):
        count += _name_tree_size(kid, depth + 1)
    return count or 1


def _check_pdf(content: bytes, pages: int) -> None:
    """Re-reads the saved PDF: the same pages, and no script or embedded file anywhere in
    it (one hidden where the cleaning did not look refuses the whole document)."""
    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            if len(pdf.pages) != pages:
                raise _unreadable()
            if any(_unsafe_object(obj, depth=0) for obj in pdf.objects):
                raise DocumentRefused(
                    "The selected PDF contains a script or an embedded file that could not "
                    "be removed – save it again as a plain PDF and upload it"
                )
    except pikepdf.PdfError as error:
        raise _unreadable() from error


def _unsafe_object(obj: object, *, depth: int) -> bool:
    """A script or an embedded file in ``obj`` or the direct objects inside it (indirect
    ones are visited on their own)."""
    if depth > 50:
        return True
    if isinstance(obj, pikepdf.Stream):
        obj = obj.stream_dict
    if isinstance(obj, pikepdf.Dictionary):
        if (
            "/JS" in obj
            or str(obj.get("/S")) in ("/JavaScript", "/Launch", "/ImportData")
            or str(obj.get("/Type")) == "/EmbeddedFile"
            or "/EF" in obj
        ):
            return True
        children = [value for _key, value in obj.items()]
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return False
    return any(
        _unsafe_object(child, depth=depth + 1)
        for child in children
        if isinstance(child, (pikepdf.Dictionary, pikepdf.Array)) and not child.is_indirect
    )


# Images --------------------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_DROPPED = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}


def _clean_png(content: bytes) -> tuple[bytes, list[str]]:
    out = [_PNG_SIGNATURE]
    position = len(_PNG_SIGNATURE)
    keys: list[str] = []
    camera = False
    seen_header = seen_end = False
    while position < len(content):
        if position + 12 > len(content):
            raise _unreadable()
        (length,) = struct.unpack(">I", content[position : position + 4])
        kind = content[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(content):
            raise _unreadable()
        data = content[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", content[end - 4 : end])
        if zlib.crc32(kind + data) != crc:
            raise _unreadable()
        if not seen_header and kind != b"IHDR":
            raise _unreadable()
        seen_header = True
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            keys.append(data.split(b"\0", 1)[0].decode("latin-1", "replace"))
        elif kind == b"eXIf":
            camera = True
        if kind not in _PNG_DROPPED:
            out.append(content[position:end])
        position = end
        if kind == b"IEND":
            seen_end = True
            break
    if not seen_end:
        raise _unreadable()
    removed = []
    if keys:
        removed.append(f"Text fields: {_shown(', '.join(keys))}")
    if camera:
        removed.append("Camera and location data (EXIF)")
    return b"".join(out), removed


def _clean_jpeg(content: bytes) -> tuple[bytes, list[str]]:
    out = [b"\xff\xd8"]
    position = 2
    found: list[str] = []
    frame = False
    while True:
        if position + 4 > len(content) or content[position] != 0xFF:
            raise _unreadable()
        marker = content[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        if marker == 0xDA:
            if not frame:
                raise _unreadable()
            rest = content[position:]
            if b"\xff\xd9" not in rest:
                raise _unreadable()
            out.append(rest[: rest.rindex(b"\xff\xd9") + 2])
            break
        (length,) = struct.unpack(">H", content[position + 2 : position + 4])
        end = position + 2 + length
        if length < 2 or end > len(content):
            raise _unreadable()
        segment = content[position:end]
        payload = segment[4:]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            frame = True
        label = _jpeg_hidden(marker, payload)
        if label is None:
            out.append(segment)
        elif label not in found:
            found.append(label)
        position = end
    return b"".join(out), found


def _jpeg_hidden(marker: int, payload: bytes) -> str | None:
    if marker == 0xFE:
        return f"Comment: {_shown(payload.decode('latin-1', 'replace').strip(chr(0)))}"
    if marker == 0xE1:
        return "Camera and location data (EXIF)" if payload.startswith(b"Exif") else "XMP metadata"
    if marker == 0xE2 and not payload.startswith(b"ICC_PROFILE"):
        return "Other application data"
    if 0xE3 <= marker <= 0xED or marker == 0xEF:
        return "Other application data (such as Photoshop or IPTC captions)"
    return None

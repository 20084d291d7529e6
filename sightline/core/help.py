"""Help in the service: each role's guide, read from ``docs/roles/`` so the repository's
guides stay the one source, and shown as GOV.UK-styled HTML.

The guides use a small part of Markdown (headings, paragraphs, bulleted and numbered lists,
links, bold and code), and this module renders exactly that part. Links to another role's
guide become links to its help page; links to the other guides in ``docs/``, which the
service does not serve, keep only their text.
"""

import functools
import html
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from .roles import Role

GUIDE_FILES: dict[Role, str] = {
    Role.ADMINISTRATOR: "administrator.md",
    Role.REVIEW_OFFICER: "review-officer.md",
    Role.REVIEW_GROUP_MEMBER: "review-group-member.md",
    Role.AGENCY_LEAD: "agency-lead.md",
    Role.EXECUTIVE: "executive-member.md",
    Role.TRAINER: "trainer.md",
    Role.PRACTITIONER: "practitioner.md",
}


@dataclass(frozen=True)
class Guide:
    role: Role
    title: str
    summary: str  # the guide's first paragraph
    body: SafeString  # everything after the title


def guides_dir() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "roles"


def slugify_heading(text: str) -> str:
    """The anchor GitHub gives a heading, so the guides' in-page links work in both places."""
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def _role_for_file(name: str) -> Role | None:
    return next((role for role, file in GUIDE_FILES.items() if file == name), None)


def _link(text: str, target: str) -> str:
    if re.match(r"https?://", target):
        return f'<a class="govuk-link" href="{html.escape(target)}">{text}</a>'
    path, _, anchor = target.partition("#")
    if not path:
        return f'<a class="govuk-link" href="#{html.escape(anchor)}">{text}</a>'
    role = _role_for_file(path)
    if role is None:  # a guide the service does not serve
        return text
    href = reverse("core:help_role", args=[role.slug]) + (f"#{anchor}" if anchor else "")
    return f'<a class="govuk-link" href="{html.escape(href)}">{text}</a>'


def _inline(text: str) -> str:
    """Escape ``text``, then turn its code, bold and links into HTML."""
    codes: list[str] = []

    def keep_code(match: re.Match[str]) -> str:
        codes.append(f"<code>{html.escape(match.group(1))}</code>")
        return f"\x00{len(codes) - 1}\x00"

    text = re.sub(r"`([^`]+)`", keep_code, text)
    text = html.escape(text, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", lambda m: _link(m.group(1), m.group(2)), text)
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], text)


def render_markdown(source: str) -> str:
    """The guide's Markdown as HTML with GOV.UK classes (the first heading left out)."""
    out: list[str] = []
    paragraph: list[str] = []
    items: list[list[str]] = []
    list_kind = ""

    def flush() -> None:
        nonlocal list_kind
        if paragraph:
            out.append(f'<p class="govuk-body">{_inline(" ".join(paragraph))}</p>')
            paragraph.clear()
        if items:
            tag, style = ("ol", "number") if list_kind == "ol" else ("ul", "bullet")
            lis = "".join(f"<li>{_inline(' '.join(item))}</li>" for item in items)
            out.append(f'<{tag} class="govuk-list govuk-list--{style}">{lis}</{tag}>')
            items.clear()
            list_kind = ""

    for raw in source.splitlines():
        line = raw.rstrip()
        heading = re.match(r"(#{1,4}) (.*)", line)
        bullet = re.match(r"[-*] (.*)", line)
        number = re.match(r"\d+\. (.*)", line)
        if not line:
            flush()
        elif heading:
            flush()
            level = len(heading.group(1))
            if level == 1:
                continue
            text = heading.group(2)
            size = {2: "m", 3: "s"}.get(level, "s")
            out.append(
                f'<h{level} class="govuk-heading-{size}" id="{slugify_heading(text)}">'
                f"{_inline(text)}</h{level}>"
            )
        elif bullet or number:
            kind = "ol" if number else "ul"
            if paragraph or (items and list_kind != kind):
                flush()
            list_kind = kind
            items.append([(bullet or number).group(1)])  # type: ignore[union-attr]
        elif items and raw.startswith(" "):
            items[-1].append(line.strip())
        else:
            if items:
                flush()
            paragraph.append(line.strip())
    flush()
    return "\n".join(out)


def _parse(role: Role, source: str) -> Guide:
    title_match = re.search(r"^# (.*)$", source, re.MULTILINE)
    title = title_match.group(1) if title_match else role.label
    paragraphs = [
        block.strip() for block in source.split("\n\n") if block.strip() and block[0] != "#"
    ]
    summary = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", " ".join(paragraphs[0].split()))
    return Guide(
        role=role,
        title=title,
        summary=summary,
        body=mark_safe(render_markdown(source)),  # noqa: S308 (escaped in render_markdown)
    )


@functools.cache
def guide_for(role: Role) -> Guide:
    """``role``'s guide, read once per process: the files change only with a release."""
    source = (guides_dir() / GUIDE_FILES[role]).read_text(encoding="utf-8")
    return _parse(role, source)


def role_for_slug(slug: str) -> Role | None:
    return next((role for role in Role if role.slug == slug), None)

"""Tables that read on a phone (WCAG 2.2 reflow, 1.4.10; pure: no ORM).

Two Jinja2 filters, used as filter blocks around a whole ``<table>``, so that no page is wider
than a 320 CSS pixel screen:

``{% filter record_table %}<table>...</table>{% endfilter %}``
    A table with a row per record (cases, actions, sessions): below the tablet breakpoint each
    row is shown as a block and each cell above its value shows its column's heading. The
    headings are copied from the table's ``<thead>`` into a ``data-label`` attribute on every
    body cell here, so the template keeps one source for them and no JavaScript is needed;
    ``frontend/tables.scss`` does the rest. ``record_table(until="desktop")`` stacks a table
    with many columns on tablets too.

``{% filter data_table %}<table>...</table>{% endfilter %}``
    A table whose columns must be read across (figures, matrices, reports): it is wrapped in
    a focusable scrolling region labelled by the table's caption (given an ``id`` here when it
    has none), so the table scrolls sideways inside the page and the page itself does not.
    ``data_table(label_id="...")`` labels the region by another element instead, such as the
    heading above a table with no caption.

Both read the markup the template has just rendered (GOV.UK table markup, escaped by Jinja2)
with regular expressions over its table tags only, which is quick enough for a page of a
hundred rows; everything else passes through unchanged.
"""

import html
import re

from markupsafe import Markup

STACKED_CLASS = "sightline-table--stacked"

# The tags that shape a table, start or end, with their attributes.
_TABLE_TAG = re.compile(r"<(/?)(table|thead|tbody|tfoot|tr|th|td)\b([^>]*)>", re.IGNORECASE)
_TABLE_START = re.compile(r"<table\b", re.IGNORECASE)
_HEAD = re.compile(r"<thead\b[^>]*>(.*?)</thead>", re.IGNORECASE | re.DOTALL)
_ROW_START = re.compile(r"<tr\b", re.IGNORECASE)
_HEADING = re.compile(r"<th\b([^>]*)>(.*?)</th>", re.IGNORECASE | re.DOTALL)
_CAPTION = re.compile(r"<caption\b([^>]*)>(.*?)</caption>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_COLSPAN = re.compile(r"""\bcolspan\s*=\s*["']?(\d+)""", re.IGNORECASE)
_CLASS = re.compile(r'\bclass\s*=\s*"([^"]*)"', re.IGNORECASE)
_ID = re.compile(r"""\bid\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_DATA_LABEL = re.compile(r"\bdata-label\s*=", re.IGNORECASE)
_HIDDEN = "govuk-visually-hidden"


def _only_table(markup: str) -> None:
    count = len(_TABLE_START.findall(markup))
    if count != 1:
        raise ValueError(f"Expected one <table>, found {count}.")


def _text(inner: str) -> str:
    """An element's text as a person reads it: no tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(_TAG.sub(" ", inner)).split())


def _span(attrs: str) -> int:
    match = _COLSPAN.search(attrs)
    return max(1, int(match.group(1))) if match else 1


def _headings(markup: str) -> list[str]:
    """Each column's heading, from the last row of the ``<thead>`` ("" for one that screen
    readers alone hear, such as the heading of a column of buttons)."""
    head = _HEAD.search(markup)
    if head is None:
        return []
    last_row = _ROW_START.split(head.group(1))[-1]
    headings: list[str] = []
    for attrs, inner in _HEADING.findall(last_row):
        hidden = _HIDDEN in attrs or _HIDDEN in inner
        headings.extend([_text(inner) if not hidden else ""] * _span(attrs))
    return headings


def record_table(markup: str, until: str = "tablet") -> Markup:
    """Label each body cell with its column's heading, so the table stacks on small screens:
    below GOV.UK's tablet breakpoint, or below its desktop one (``until="desktop"``) for a
    table with too many columns for a tablet."""
    if until not in ("tablet", "desktop"):
        raise ValueError(f"until must be 'tablet' or 'desktop', not {until!r}.")
    markup = str(markup)
    _only_table(markup)
    headings = _headings(markup)
    if not headings:
        raise ValueError("A record table needs a <thead> naming its columns.")
    stacked = STACKED_CLASS if until == "tablet" else f"{STACKED_CLASS}-until-desktop"
    in_head = False
    column = 0

    def rewrite(tag: re.Match[str]) -> str:
        nonlocal in_head, column
        closing, name, attrs = tag.group(1), tag.group(2).lower(), tag.group(3)
        if name == "thead":
            in_head = not closing
        elif closing:
            pass
        elif name == "table":
            classes = _CLASS.search(attrs)
            if classes is None:
                return f'<table{attrs} class="{stacked}">'
            joined = f"{classes.group(1)} {stacked}".strip()
            return f"<table{attrs[: classes.start(1)]}{joined}{attrs[classes.end(1) :]}>"
        elif name == "tr":
            column = 0
        elif name in ("th", "td") and not in_head:
            span = _span(attrs)
            label = headings[column] if column < len(headings) else ""
            column += span
            if span == 1 and label and not _DATA_LABEL.search(attrs):
                return f'<{tag.group(2)}{attrs} data-label="{html.escape(label, quote=True)}">'
        return tag.group(0)

    return Markup(_TABLE_TAG.sub(rewrite, markup))  # noqa: S704 (the template's own escaped output)


def data_table(markup: str, label_id: str | None = None) -> Markup:
    """Wrap the table in a focusable scrolling region labelled by its caption."""
    markup = str(markup)
    _only_table(markup)
    if label_id is None:
        caption = _CAPTION.search(markup)
        if caption is None:
            raise ValueError("A data table needs a <caption>, or label_id naming its heading.")
        existing = _ID.search(caption.group(1))
        if existing:
            label_id = existing.group(1)
        else:
            slug = re.sub(r"[^a-z0-9]+", "-", _text(caption.group(2)).lower()).strip("-")
            label_id = f"table-{slug[:60] or 'caption'}"
            start = caption.start(1)
            markup = f'{markup[:start]} id="{label_id}"{markup[start:]}'
    return Markup(  # noqa: S704 (label_id is escaped; the table is the template's own output)
        f'<div class="sightline-table-scroll" role="region" '
        f'aria-labelledby="{html.escape(label_id, quote=True)}" tabindex="0">'
        f"{markup}</div>"
    )

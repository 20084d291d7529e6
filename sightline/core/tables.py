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
"""

import html
import re
from html.parser import HTMLParser

from markupsafe import Markup

STACKED_CLASS = "sightline-table--stacked"


class _Token:
    """A start tag the rewriter may change: its name, attributes and original text."""

    def __init__(self, tag: str, attrs: list[tuple[str, str | None]], text: str) -> None:
        self.tag = tag
        self.attrs = attrs
        self.text = text
        self.changed = False

    def get(self, name: str) -> str | None:
        for key, value in self.attrs:
            if key == name:
                return value
        return None

    def set(self, name: str, value: str) -> None:
        self.attrs = [(key, val) for key, val in self.attrs if key != name] + [(name, value)]
        self.changed = True

    def render(self) -> str:
        if not self.changed:
            return self.text
        parts = [self.tag]
        for key, value in self.attrs:
            parts.append(key if value is None else f'{key}="{html.escape(value, quote=True)}"')
        return "<" + " ".join(parts) + ">"


class _Table(HTMLParser):
    """The table's markup as a list of pieces, with its start tags as ``_Token`` objects."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=False)
        self.pieces: list[str | _Token] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.pieces.append(_Token(tag, attrs, self.get_starttag_text() or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.pieces.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self.pieces.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.pieces.append(data)

    def handle_entityref(self, name: str) -> None:
        self.pieces.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.pieces.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.pieces.append(f"<!--{data}-->")

    def tokens(self, *tags: str) -> list[_Token]:
        return [piece for piece in self.pieces if isinstance(piece, _Token) and piece.tag in tags]

    def only_table(self) -> _Token:
        tables = self.tokens("table")
        if len(tables) != 1:
            raise ValueError(f"Expected one <table>, found {len(tables)}.")
        return tables[0]

    def text_of(self, start: _Token, end_tag: str) -> str:
        """The text inside ``start`` up to its ``end_tag``, as a person reads it."""
        index = self.pieces.index(start) + 1
        text = []
        while index < len(self.pieces) and self.pieces[index] != f"</{end_tag}>":
            piece = self.pieces[index]
            if isinstance(piece, str) and not piece.startswith("<"):
                text.append(piece)
            index += 1
        return " ".join(html.unescape("".join(text)).split())

    def hidden_heading(self, start: _Token) -> bool:
        """Whether the heading is for screen readers only (a column of buttons, say)."""
        index = self.pieces.index(start) + 1
        while index < len(self.pieces) and self.pieces[index] != f"</{start.tag}>":
            piece = self.pieces[index]
            if isinstance(piece, _Token) and "govuk-visually-hidden" in (piece.get("class") or ""):
                return True
            index += 1
        return "govuk-visually-hidden" in (start.get("class") or "")

    def render(self) -> Markup:
        return Markup("".join(p.render() if isinstance(p, _Token) else p for p in self.pieces))  # noqa: S704 (the template's own rendered, escaped output)


def _span(token: _Token) -> int:
    try:
        return max(1, int(token.get("colspan") or 1))
    except ValueError:
        return 1


def record_table(markup: str, until: str = "tablet") -> Markup:
    """Label each body cell with its column's heading, so the table stacks on small screens:
    below GOV.UK's tablet breakpoint, or below its desktop one (``until="desktop"``) for a
    table with too many columns for a tablet."""
    if until not in ("tablet", "desktop"):
        raise ValueError(f"until must be 'tablet' or 'desktop', not {until!r}.")
    table = _Table(str(markup))
    element = table.only_table()
    stacked = STACKED_CLASS if until == "tablet" else f"{STACKED_CLASS}-until-desktop"
    element.set("class", " ".join(filter(None, [element.get("class"), stacked])))
    headings: list[str] = []
    section = ""
    column = 0
    for piece in table.pieces:
        if isinstance(piece, _Token):
            if piece.tag in ("thead", "tbody", "tfoot"):
                section = piece.tag
            elif piece.tag == "tr":
                column = 0
                if section == "thead":
                    headings = []  # the last row of headings names the columns
            elif piece.tag in ("th", "td"):
                span = _span(piece)
                if section == "thead":
                    shown = not table.hidden_heading(piece)
                    headings.extend([table.text_of(piece, piece.tag) if shown else ""] * span)
                else:
                    label = headings[column] if column < len(headings) else ""
                    if span == 1 and label and piece.get("data-label") is None:
                        piece.set("data-label", label)
                column += span
        elif piece == "</thead>":
            section = ""
    if not headings:
        raise ValueError("A record table needs a <thead> naming its columns.")
    return table.render()


def data_table(markup: str, label_id: str | None = None) -> Markup:
    """Wrap the table in a focusable scrolling region labelled by its caption."""
    table = _Table(str(markup))
    table.only_table()
    if label_id is None:
        captions = table.tokens("caption")
        if not captions:
            raise ValueError("A data table needs a <caption>, or label_id naming its heading.")
        caption = captions[0]
        label_id = caption.get("id")
        if not label_id:
            slug = re.sub(r"[^a-z0-9]+", "-", table.text_of(caption, "caption").lower()).strip("-")
            label_id = f"table-{slug[:60] or 'caption'}"
            caption.set("id", label_id)
    return Markup(  # noqa: S704 (label_id is escaped; the table is the template's own output)
        f'<div class="sightline-table-scroll" role="region" '
        f'aria-labelledby="{html.escape(label_id, quote=True)}" tabindex="0">'
        f"{table.render()}</div>"
    )

"""The drafting rules of seven-minute briefings: the words Sightline proposes from a published
review, and how a section's text is read as paragraphs and lists.

Pure: typed rows in, text out, no database. The service gathers the rows through selectors,
so nothing here can reach a case's restricted details or anyone's name.

A section's text is plain: paragraphs separated by blank lines, list items on lines starting
with "- ". The public page, the Word document and the slides all read it through
``blocks``, so a list the business unit writes is a real list everywhere."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Stays within the briefing model's SECTION_MAX, with room for the business unit's edits.
SECTION_LIMIT = 4000
BULLET = "- "
# Enough to read in seven minutes; the full list is on the review's page.
MAX_RECOMMENDATIONS = 8
MAX_ACTIONS_PER_AGENCY = 3
MAX_QUESTIONS = 6
ACTION_TEXT_LIMIT = 200


@dataclass(frozen=True)
class AgencyActions:
    """One agency's learning actions for a review's recommendations: counted, with a few
    descriptions. Never the owner."""

    agency: str
    total: int
    complete: int
    descriptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewSource:
    """What a briefing is drafted from: a published review's own public words."""

    title: str
    kind: str
    summary: str
    themes: tuple[str, ...] = ()
    recommendations: tuple[str, ...] = ()
    actions: tuple[AgencyActions, ...] = ()
    review_url: str = ""
    partnership: str = "the partnership"


@dataclass(frozen=True)
class Block:
    """A paragraph (``items`` empty) or a bulleted list (``text`` empty)."""

    text: str = ""
    items: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_list(self) -> bool:
        return bool(self.items)


# Reflective questions for the common practice themes, by lower-cased theme name. Questions
# are for a team to talk through, so they ask about "you" and "your team", not the case.
QUESTIONS: dict[str, tuple[str, ...]] = {
    "voice of the child or adult": (
        "How do you find out what daily life is like for the child or adult you work with?",
        "Where is their voice recorded, in their own words, and how does it shape your plans?",
    ),
    "professional curiosity": (
        "When did you last check what a family told you, rather than accept it?",
        "What helps you ask the difficult question, and what gets in the way?",
    ),
    "information sharing": (
        "Do you know when you may share information without consent, and who to ask if unsure?",
        "How do you make sure what you share has been received and understood?",
    ),
    "risk assessment and decision-making": (
        "How do you bring together what each agency knows before deciding the level of risk?",
        "When did you last revisit a risk assessment because something changed?",
    ),
    "critical thinking and challenge": (
        "How does your team test its first view of a family against new information?",
        "How would you challenge a decision by another agency that you disagree with?",
    ),
    "escalation": (
        "Do you know the partnership's escalation procedure, and when did you last use it?",
        "What would stop you escalating a concern, and how could your team help?",
    ),
    "working with reluctance to engage": (
        "How do you tell the difference between a family who cannot engage and one who will not?",
        "What do you do when appointments are repeatedly missed or cancelled?",
    ),
    "men and fathers in the family": (
        "Who are the men in the lives of the children you work with, and what do you know "
        "about them?",
        "How do you include fathers and partners in assessments and plans?",
    ),
    "safer sleep": (
        "How and when do you talk with parents about safer sleep, including when routines change?",
        "What would you do if you found a baby sleeping unsafely?",
    ),
    "non-accidental injury in babies": (
        "Do you know the partnership's protocol for bruising or injury in babies who are not "
        "yet mobile?",
        "How would you respond to an explanation of an injury that does not fit?",
    ),
    "domestic abuse and coercive control": (
        "How do you ask about domestic abuse safely, and record the answer?",
        "How do you recognise coercive control when there is no physical violence?",
    ),
    "parental mental health": (
        "How do you consider the effect of a parent's mental health on the children?",
        "Do adult and children's services in your area know about each other's involvement?",
    ),
    "substance misuse": (
        "How does a parent's or carer's drug or alcohol use change what you look for?",
        "How do you check what you are told about use and treatment?",
    ),
    "exploitation and harm outside the home": (
        "What signs of exploitation would you look for, and who would you tell?",
        "How do you see a young person as a victim when their behaviour is challenging?",
    ),
    "children missing education": (
        "What do you do when a child you know stops attending school or is taken out of it?",
        "Who checks on children educated at home in your area?",
    ),
    "transition to adulthood": (
        "How do you plan for a young person's move from children's to adults' services?",
        "Who keeps the plan going when a young person turns 18?",
    ),
    "mental capacity": (
        "When did you last assess capacity for a specific decision, and record it?",
        "How do you respect an unwise decision while still protecting the person?",
    ),
    "self-neglect": (
        "How do you keep in touch with someone who refuses help but may be at risk?",
        "When would you bring a multi-agency meeting together about self-neglect?",
    ),
    "hospital discharge": (
        "What do you check before someone is discharged home, and who do you tell?",
        "How do you make sure the people caring at home know the plan?",
    ),
    "race, culture and identity": (
        "How do you understand a family's culture and identity without relying on assumptions?",
        "How might bias, yours or your organisation's, affect the help a family receives?",
    ),
    "disability and diagnostic overshadowing": (
        "How do you make sure a disability or diagnosis does not hide signs of harm or illness?",
        "What adjustments do you make so that a disabled person can tell you what is happening?",
    ),
    "organisational leadership and culture": (
        "How does your organisation support practitioners working with high levels of risk?",
        "How does supervision help you reflect on a case, not only manage it?",
    ),
}

GENERIC_QUESTIONS = (
    "What in this briefing is familiar from your own practice?",
    "What would you do differently after reading it?",
    "What will you share with your team, and how?",
)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word before ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return f"{cut}…"


def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"{BULLET}{' '.join(item.split())}" for item in items if item.strip())


def agency_line(row: AgencyActions) -> str:
    """For example "Police: 3 actions, 2 complete"."""
    return f"{row.agency}: {plural(row.total, 'action')}, {row.complete} complete"


def reflective_questions(themes: Sequence[str]) -> list[str]:
    """Questions for the themes named, in their order, then the generic ones to make up at
    least three; at most ``MAX_QUESTIONS``."""
    questions: list[str] = []
    for theme in themes:
        for question in QUESTIONS.get(theme.strip().lower(), ()):
            if question not in questions:
                questions.append(question)
    for question in GENERIC_QUESTIONS:
        if len(questions) >= len(GENERIC_QUESTIONS):
            break
        questions.append(question)
    return questions[:MAX_QUESTIONS]


def _fit(text: str) -> str:
    """A section kept within the model's bound: whole lines dropped from the end."""
    if len(text) <= SECTION_LIMIT:
        return text
    lines = text.split("\n")
    while lines and len("\n".join(lines)) > SECTION_LIMIT - 2:
        lines.pop()
    return "\n".join(lines).rstrip() + "\n…" if lines else shorten(text, SECTION_LIMIT)


def _what_to_do(source: ReviewSource) -> str:
    shown = source.recommendations[:MAX_RECOMMENDATIONS]
    if not shown:
        return "Read the review and talk with your team about what it means for your practice."
    text = "The review recommended:\n\n" + bullets(shorten(r, 500) for r in shown)
    hidden = len(source.recommendations) - len(shown)
    if hidden:
        text += f"\n\nThe review makes {plural(hidden, 'more recommendation')}: see the review."
    return text


def _what_we_learned(source: ReviewSource) -> str:
    parts = []
    if source.themes:
        parts.append("The review's learning is about:\n\n" + bullets(source.themes))
    if source.actions:
        parts.append(
            "Agencies have taken actions in response to the recommendations:\n\n"
            + bullets(agency_line(row) for row in source.actions)
        )
        examples = [
            f"{row.agency}: {shorten(description, ACTION_TEXT_LIMIT)}"
            for row in source.actions
            for description in row.descriptions[:MAX_ACTIONS_PER_AGENCY]
        ]
        if examples:
            parts.append("What they are doing includes:\n\n" + bullets(examples))
    if not parts:
        parts.append("Add what the review found about practice.")
    return "\n\n".join(parts)


def draft_sections(source: ReviewSource) -> dict[str, str]:
    """The seven sections proposed for a briefing on ``source``, by field name; each within
    ``SECTION_LIMIT`` characters. The business unit finishes them."""
    sections = {
        "background": (
            f"{source.partnership} published “{source.title}”, a {source.kind.lower()}. "
            "This briefing sets out its learning for practitioners in about seven minutes."
        ),
        "why_it_matters": (
            "Reviews help every agency learn from what happened, so that children and adults "
            "are better protected in future. The learning applies beyond the agencies involved."
        ),
        "what_happened": shorten(source.summary, SECTION_LIMIT)
        if source.summary.strip()
        else "Add a short account of what happened, naming no one.",
        "what_we_learned": _what_we_learned(source),
        "what_to_do": _what_to_do(source),
        "questions": bullets(reflective_questions(source.themes)),
        "further_information": (
            f"Read the full review: {source.review_url}"
            if source.review_url
            else "Read the full review on the learning hub."
        ),
    }
    return {name: _fit(text) for name, text in sections.items()}


def blank_sections(*, themes: Sequence[str] = ()) -> dict[str, str]:
    """A briefing written from scratch (a thematic one): only the questions proposed."""
    return {
        "background": "",
        "why_it_matters": "",
        "what_happened": "",
        "what_we_learned": "",
        "what_to_do": "",
        "questions": bullets(reflective_questions(themes)),
        "further_information": "",
    }


_BULLET_LINE = re.compile(r"^\s*[-*•]\s+")


def blocks(text: str) -> list[Block]:
    """``text`` as paragraphs and lists: a run of lines starting "- " (or "* ", "• ") is one
    list; other runs of lines separated by a blank line are paragraphs."""
    result: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            result.append(Block(text=" ".join(paragraph)))
            paragraph.clear()

    def flush_items() -> None:
        if any(items):
            result.append(Block(items=tuple(item for item in items if item)))
            items.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush_paragraph()
            flush_items()
        elif _BULLET_LINE.match(raw):
            flush_paragraph()
            items.append(_BULLET_LINE.sub("", raw).strip())
        elif items and raw[:1].isspace():
            # An indented line carries on the item before it.
            items[-1] = f"{items[-1]} {line}"
        else:
            flush_items()
            paragraph.append(line)
    flush_paragraph()
    flush_items()
    return result


def plain_lines(text: str) -> list[str]:
    """Each paragraph and each list item of ``text`` as one line: what a slide shows."""
    lines: list[str] = []
    for block in blocks(text):
        lines.extend(block.items if block.is_list else (block.text,))
    return lines

"""Reading a learning tracker file into checked recommendations and actions (pure: no ORM).

Section 1 of the learning tracker contract; files are read and dates parsed as for the case
review import, and problems are reported in the same ``line N, column C: ...`` form.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from sightline.core.progress import NO_PROGRESS, Progress
from sightline.core.tabular import FileProblem, problem, read_header, read_rows, read_table

from .vocabulary import ActionStatus, Decision, SourceType

RECOMMENDATION_COLUMNS = (
    "recommendation_ref",
    "source_type",
    "source",
    "recommendation",
    "made_date",
    "decision",
    "decision_reason",
)
ACTION_COLUMNS = (
    "action_ref",
    "agency",
    "action",
    "owner",
    "due_date",
    "status",
    "completed_date",
    "closed_reason",
    "dissemination_evidence",
    "impact_evidence",
)
COLUMNS = RECOMMENDATION_COLUMNS + ACTION_COLUMNS
REQUIRED = ("recommendation_ref", "source_type", "source", "recommendation", "made_date")
DATES = ("made_date", "due_date", "completed_date")

__all__ = ["FileProblem", "ParsedTracker", "parse"]


@dataclass
class ParsedTracker:
    columns: list[str]
    recommendations: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    actions: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


# The values a row's cells may take, as sets: ``.values`` builds a new list on every call.
SOURCE_TYPES = frozenset(SourceType.values)
DECISIONS = frozenset(Decision.values)
STATUSES = frozenset(ActionStatus.values)


def _row_problems(line: int, row: dict[str, Any], today: datetime.date) -> list[str]:
    problems = []

    def need(column: str, message: str) -> None:
        if not row.get(column):
            problems.append(problem(line, column, message))

    unreadable = row.get("_unreadable", set())
    for column in REQUIRED:
        if column not in unreadable:
            need(column, "this column must not be blank")
    if row.get("source_type") and row["source_type"] not in SOURCE_TYPES:
        problems.append(
            problem(
                line,
                "source_type",
                f"'{row['source_type']}' is not a source type: use " + ", ".join(SourceType.values),
            )
        )
    decision = row.get("decision", "")
    if decision and decision not in DECISIONS:
        problems.append(
            problem(
                line,
                "decision",
                f"'{decision}' is not a decision: use "
                + ", ".join(Decision.values)
                + ", or leave it blank",
            )
        )
    if decision == Decision.NOT_ACCEPTED:
        need("decision_reason", "give the reason a recommendation was not accepted")
    for column in ("made_date", "completed_date"):  # an action may well fall due later
        value = row.get(column)
        if value is not None and value > today:
            problems.append(problem(line, column, f"{value:%d/%m/%Y} is in the future"))
    if not row.get("action_ref"):
        for column in ACTION_COLUMNS[1:]:
            if row.get(column):
                problems.append(
                    problem(line, column, "fill in action_ref for a row with an action")
                )
        return problems
    need("agency", "every action needs the agency that owns it")
    need("action", "say what the action is")
    if "due_date" not in unreadable:
        need("due_date", "every action needs a due date")
    need("status", "every action needs a status")
    status = row.get("status", "")
    if status and status not in STATUSES:
        problems.append(
            problem(
                line, "status", f"'{status}' is not a status: use " + ", ".join(ActionStatus.values)
            )
        )
    made, due = row.get("made_date"), row.get("due_date")
    if made and due and due < made:
        problems.append(
            problem(
                line,
                "due_date",
                f"{due:%d/%m/%Y} is before the recommendation was made ({made:%d/%m/%Y})",
            )
        )
    completed = row.get("completed_date")
    if status == ActionStatus.COMPLETE and completed is None and "completed_date" not in unreadable:
        problems.append(
            problem(line, "completed_date", "a complete action needs the date it was completed")
        )
    known = status in STATUSES  # an unknown status is named once, above
    if completed is not None and known and status != ActionStatus.COMPLETE:
        problems.append(
            problem(line, "completed_date", "only a complete action has a completed date")
        )
    if completed is not None and made and completed < made:
        problems.append(problem(line, "completed_date", "it is before the recommendation was made"))
    if status == ActionStatus.CLOSED_INCOMPLETE:
        need("closed_reason", "give the reason the action was closed without completion")
    owner = row.get("owner", "")
    if owner:
        try:
            validate_email(owner)
        except ValidationError:
            problems.append(problem(line, "owner", f"'{owner}' is not an email address"))
    return problems


def parse(
    name: str, content: bytes, *, today: datetime.date, progress: Progress = NO_PROGRESS
) -> ParsedTracker:
    table = read_table(name, content)
    header, errors = read_header(
        table,
        columns=COLUMNS,
        required=REQUIRED,
        empty="The file is empty: it needs a header row and a row for each action.",
    )
    parsed = ParsedTracker(columns=header, errors=errors)
    if parsed.errors:
        return parsed

    action_lines: dict[str, int] = {}
    unreadable_in: dict[str, set[str]] = {}  # a recommendation's first line's unread dates
    for line, row, unreadable in read_rows(
        table, header, dates=DATES, problems=parsed.errors, progress=progress
    ):
        if unreadable:
            row["_unreadable"] = unreadable
        parsed.errors.extend(_row_problems(line, row, today))
        key = row.get("recommendation_ref", "").upper()
        if key:
            own = {column: row.get(column) for column in RECOMMENDATION_COLUMNS if column in header}
            if key in parsed.recommendations:
                first_line, first = parsed.recommendations[key]
                unread = unreadable | unreadable_in[key]  # each already named
                for column, value in own.items():
                    if column not in unread and first.get(column) != value:
                        parsed.errors.append(
                            problem(
                                line,
                                column,
                                f"differs from line {first_line} for the same recommendation_ref",
                            )
                        )
            else:
                parsed.recommendations[key] = (line, own)
                unreadable_in[key] = unreadable
        action_ref = row.get("action_ref", "")
        if action_ref:
            if action_ref.upper() in action_lines:
                parsed.errors.append(
                    problem(
                        line,
                        "action_ref",
                        f"{action_ref} is already on line {action_lines[action_ref.upper()]}",
                    )
                )
            action_lines[action_ref.upper()] = line
            parsed.actions.append((line, row))
    return parsed

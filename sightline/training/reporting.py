"""The training reports (pure: no ORM): who the offer reached, what delegates thought of it,
and whether it answers what case reviews are finding.

``report_selectors`` counts in the database, grouped by sector, agency and course, and hands
the groups to this module, which turns them into the reports' shape. The definitions:

Period
    The sessions whose start date, in Europe/London, falls from ``date_from`` to ``date_to``
    (both included). Cancelled sessions are left out. With no dates given, the period is the
    current financial year, 1 April to 31 March (``financial_year``).
Attended
    A booking whose attendance is "attended" or "left early" (``vocabulary.PRESENT``).
Practitioners attended
    Distinct people with at least one attended booking in the period. Attendances count the
    attended bookings, so someone at three sessions is one practitioner and three attendances.
Delegates (of a sector or an agency)
    Distinct people with an attended booking made under that sector or agency. Bookings keep
    the agency and sector the delegate had when they booked, so someone who changed jobs
    counts under each, and an agency whose sector changed appears once for each sector.
No-show rate
    "Did not attend" bookings over bookings with attendance marked (attended, left early or
    did not attend). Bookings not yet marked are left out. With none marked there is no rate.
Rated good or excellent
    Evaluations of sessions in the period rated good or excellent, over all evaluations of
    sessions in the period. With fewer than ``MIN_RESPONSES`` (3) evaluations neither the
    count nor the percentage is given ("fewer than 3 evaluations"), so that no one's rating
    can be read off the report.
Sessions held
    Sessions in the period that have started by the time the report is made.
Reach
    A sector's delegates over its workforce headcount, where the partnership knows the
    headcount (``SectorWorkforce``). Overall reach is the delegates of every sector with a
    known headcount over the sum of those headcounts. A sector is under-represented when its
    headcount is known and it had no delegates, or its reach is below half the overall reach.
Courses past their review date
    Active courses whose review date is before today (not before the end of the period: the
    list is a to-do list, whatever period is shown).
Learning loop
    The practice themes of cases opened in the period (``Case.opened_on``, the date the case
    came to the partnership: the incident, or the referral), with the number of those cases.
    For each theme, the active courses that cover it and the attendances at those courses'
    sessions in the period. A theme no active course covers is flagged for the practice
    development group.

Percentages are rounded half up to one decimal place.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sightline.core.exports import neutralise, write_table

from .vocabulary import MIN_RESPONSES

NO_COURSE_FLAG = "No course covers this theme: raise with the practice development group"
NO_EVALUATIONS = f"fewer than {MIN_RESPONSES} evaluations"
NO_REGISTER = "no register marked"
NOT_KNOWN = "not known"


def financial_year(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The financial year (1 April to 31 March) that ``today`` falls in."""
    first = today.year if today.month >= 4 else today.year - 1
    return datetime.date(first, 4, 1), datetime.date(first + 1, 3, 31)


# Far enough either way for any training record; a year like 9999 would overflow the
# end-of-day arithmetic.
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2099, 12, 31)


def period_problem(date_from: datetime.date, date_to: datetime.date) -> str:
    """What is wrong with a period, in words to show the user, or "" when nothing is."""
    if not (EARLIEST <= date_from <= LATEST and EARLIEST <= date_to <= LATEST):
        return f"Enter dates from {EARLIEST.year} to {LATEST.year}"
    if date_from > date_to:
        return "The ‘to’ date must be the same as or after the ‘from’ date"
    return ""


def percent(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``, to one decimal place; None when ``whole`` is 0."""
    if not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(value)


def percent_text(value: float | None, *, missing: str = "") -> str:
    """87.5% or 100%; ``missing`` when there is no percentage."""
    if value is None:
        return missing
    return f"{value:.1f}".removesuffix(".0") + "%"


def long_date(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


def iso_long_date(value: str) -> str:
    """2025-04-01 as 1 April 2025."""
    return long_date(datetime.date.fromisoformat(value))


# --- The training report ------------------------------------------------------------------


def _sector_reach(
    sectors: Sequence[tuple[str, str]],
    groups: Iterable[Mapping[str, Any]],
    workforce: Iterable[Mapping[str, Any]],
) -> tuple[list[dict[str, Any]], float | None]:
    counted = {group["sector"]: group for group in groups}
    known = {row["sector"]: row for row in workforce}
    delegates_known = sum(counted[code]["delegates"] for code in known if code in counted)
    headcount_known = sum(row["headcount"] for row in known.values())
    rows = []
    for code, name in sectors:
        group = counted.get(code, {})
        delegates, attendances = group.get("delegates", 0), group.get("attendances", 0)
        size = known.get(code)
        headcount = size["headcount"] if size else None
        # delegates / headcount < (delegates_known / headcount_known) / 2, in whole numbers.
        under = size is not None and (
            delegates == 0 or 2 * delegates * headcount_known < delegates_known * size["headcount"]
        )
        rows.append(
            {
                "sector": code,
                "sector_name": name,
                "delegates": delegates,
                "attendances": attendances,
                "headcount": headcount,
                "workforce_source": size["source"] if size else "",
                "reach_percent": percent(delegates, headcount) if headcount else None,
                "under_represented": under,
            }
        )
    return rows, percent(delegates_known, headcount_known)


def training_report(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    as_at: datetime.date,
    sectors: Sequence[tuple[str, str]],
    totals: Mapping[str, int],
    evaluations: Mapping[str, int],
    sector_groups: Iterable[Mapping[str, Any]],
    workforce: Iterable[Mapping[str, Any]],
    agency_groups: Iterable[Mapping[str, Any]],
    courses_due: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    """The training report for a period (see the module's definitions).

    ``sectors``: every sector as (code, name), in the order to show them. ``totals``:
    sessions, practitioners, attendances, no_shows and marked (bookings with attendance
    marked). ``evaluations``: evaluations and good_or_excellent. ``sector_groups``: sector,
    delegates, attendances. ``workforce``: sector, headcount, source for each sector whose
    headcount is known. ``agency_groups``: agency, sector, delegates, attendances, no_shows,
    marked. ``courses_due``: course_id, title, review_date of active courses past review.
    """
    names = dict(sectors)
    enough = evaluations["evaluations"] >= MIN_RESPONSES
    sector_rows, overall_reach = _sector_reach(sectors, sector_groups, workforce)
    headline = {
        "sessions": totals["sessions"],
        "practitioners_attended": totals["practitioners"],
        "attendances": totals["attendances"],
        "evaluations": evaluations["evaluations"],
        "good_or_excellent": evaluations["good_or_excellent"] if enough else None,
        "good_or_excellent_percent": percent(
            evaluations["good_or_excellent"], evaluations["evaluations"]
        )
        if enough
        else None,
        "marked": totals["marked"],
        "no_shows": totals["no_shows"],
        "no_show_rate_percent": percent(totals["no_shows"], totals["marked"]),
    }
    agencies = sorted(
        (
            {
                "agency": group["agency"],
                "sector": group["sector"],
                "sector_name": names.get(group["sector"], group["sector"]),
                "delegates": group["delegates"],
                "attendances": group["attendances"],
                "no_shows": group["no_shows"],
                "marked": group["marked"],
                "no_show_rate_percent": percent(group["no_shows"], group["marked"]),
            }
            for group in agency_groups
        ),
        key=lambda row: (row["agency"].casefold(), row["sector"]),
    )
    courses = sorted(
        (
            {
                "course_id": course["course_id"],
                "course": course["title"],
                "review_date": course["review_date"].isoformat(),
                "days_past": (as_at - course["review_date"]).days,
            }
            for course in courses_due
        ),
        key=lambda row: (row["review_date"], row["course"].casefold()),
    )
    report = {
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "as_at": as_at.isoformat(),
        "headline": headline,
        "overall_reach_percent": overall_reach,
        "sectors": sector_rows,
        "under_represented": [
            row["sector_name"] for row in sector_rows if row["under_represented"]
        ],
        "agencies": agencies,
        "courses_past_review": courses,
    }
    return report


# --- The learning loop --------------------------------------------------------------------


def learning_loop(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    cases: int,
    theme_groups: Iterable[Mapping[str, Any]],
    course_links: Iterable[Mapping[str, Any]],
    course_attendances: Mapping[int, int],
) -> dict[str, Any]:
    """Themes raised by case reviews in a period against the courses that cover them.

    ``cases``: cases opened in the period. ``theme_groups``: theme_id, theme and cases (of
    those opened in the period, how many have the theme). ``course_links``: theme_id,
    course_id and course for each active course and theme it covers. ``course_attendances``:
    attendances in the period by course id.
    """
    courses_of: dict[int, list[dict[str, Any]]] = {}
    for link in course_links:
        courses_of.setdefault(link["theme_id"], []).append(
            {
                "course_id": link["course_id"],
                "course": link["course"],
                "attendances": course_attendances.get(link["course_id"], 0),
            }
        )
    themes = []
    for group in theme_groups:
        courses = sorted(
            courses_of.get(group["theme_id"], []), key=lambda course: course["course"].casefold()
        )
        themes.append(
            {
                "theme": group["theme"],
                "cases": group["cases"],
                "courses": courses,
                "attendances": sum(course["attendances"] for course in courses),
                "no_course": not courses,
                "flag": "" if courses else NO_COURSE_FLAG,
            }
        )
    themes.sort(key=lambda theme: (-theme["cases"], theme["theme"].casefold()))
    return {
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "cases": cases,
        "themes": themes,
        "themes_without_course": sum(theme["no_course"] for theme in themes),
    }


# --- Tables: CSV, XLSX and plain text -----------------------------------------------------


@dataclass(frozen=True)
class Table:
    """One table of a report, as the exports and the command lay it out."""

    title: str
    header: tuple[str, ...]
    rows: list[list[Any]] = field(default_factory=list)
    sheet: str = ""  # the XLSX sheet name (31 characters at most)


def _yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def report_tables(report: Mapping[str, Any], loop: Mapping[str, Any] | None = None) -> list[Table]:
    """The report (and the learning loop, if given) as tables a spreadsheet user can read."""
    head = report["headline"]
    summary = Table(
        "Summary",
        ("Figure", "Value"),
        [
            ["From", report["period"]["from"]],
            ["To", report["period"]["to"]],
            ["Sessions held", head["sessions"]],
            ["Practitioners attended", head["practitioners_attended"]],
            ["Attendances", head["attendances"]],
            ["Evaluations", head["evaluations"]],
            [
                "Rated good or excellent",
                head["good_or_excellent"]
                if head["good_or_excellent"] is not None
                else NO_EVALUATIONS,
            ],
            [
                "Rated good or excellent (%)",
                head["good_or_excellent_percent"]
                if head["good_or_excellent_percent"] is not None
                else NO_EVALUATIONS,
            ],
            ["Bookings with attendance marked", head["marked"]],
            ["Did not attend", head["no_shows"]],
            [
                "No-show rate (%)",
                head["no_show_rate_percent"]
                if head["no_show_rate_percent"] is not None
                else NO_REGISTER,
            ],
            [
                "Overall reach where the workforce is known (%)",
                report["overall_reach_percent"]
                if report["overall_reach_percent"] is not None
                else NOT_KNOWN,
            ],
        ],
        sheet="Summary",
    )
    sectors = Table(
        "Reach by sector",
        (
            "Sector",
            "Delegates",
            "Attendances",
            "Workforce headcount",
            "Source of the headcount",
            "Reach (%)",
            "Under-represented",
        ),
        [
            [
                row["sector_name"],
                row["delegates"],
                row["attendances"],
                row["headcount"] if row["headcount"] is not None else NOT_KNOWN,
                row["workforce_source"],
                row["reach_percent"] if row["reach_percent"] is not None else NOT_KNOWN,
                _yes_no(row["under_represented"]) if row["headcount"] is not None else NOT_KNOWN,
            ]
            for row in report["sectors"]
        ],
        sheet="Reach by sector",
    )
    agencies = Table(
        "Delegates and no-shows by agency",
        (
            "Agency",
            "Sector",
            "Delegates",
            "Attendances",
            "Did not attend",
            "Attendance marked",
            "No-show rate (%)",
        ),
        [
            [
                row["agency"],
                row["sector_name"],
                row["delegates"],
                row["attendances"],
                row["no_shows"],
                row["marked"],
                row["no_show_rate_percent"]
                if row["no_show_rate_percent"] is not None
                else NO_REGISTER,
            ]
            for row in report["agencies"]
        ],
        sheet="By agency",
    )
    courses = Table(
        f"Courses past their review date (as at {report['as_at']})",
        ("Course", "Review date", "Days past"),
        [
            [row["course"], datetime.date.fromisoformat(row["review_date"]), row["days_past"]]
            for row in report["courses_past_review"]
        ],
        sheet="Courses past review",
    )
    tables = [summary, sectors, agencies, courses]
    if loop is not None:
        tables.append(loop_table(loop))
    return tables


def loop_table(loop: Mapping[str, Any]) -> Table:
    return Table(
        "Learning loop: practice themes from case reviews and the courses that cover them",
        ("Practice theme", "Cases", "Courses", "Attendances", "Flag"),
        [
            [
                theme["theme"],
                theme["cases"],
                "; ".join(
                    f"{course['course']} ({course['attendances']})" for course in theme["courses"]
                ),
                theme["attendances"],
                theme["flag"],
            ]
            for theme in loop["themes"]
        ],
        sheet="Learning loop",
    )


def _cells(row: Sequence[Any]) -> list[Any]:
    return ["" if cell is None else neutralise(cell) for cell in row]


def tables_csv(title: str, tables: Sequence[Table]) -> str:
    """One CSV: a title line, then each table under its own title, a blank line between."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_cells([title]))
    for table in tables:
        writer.writerow([])
        writer.writerow(_cells([table.title]))
        writer.writerow(_cells(table.header))
        for row in table.rows:
            writer.writerow(_cells(row))
    return buffer.getvalue()


def tables_xlsx(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet for each table: its title, then its header row (frozen,
    with filters on) and rows, dates as real dates; formula-like cells are kept as text."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(title=(table.sheet or table.title)[:31])
        write_table(sheet, table.header, table.rows, above=[[table.title]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def tables_text(title: str, tables: Sequence[Table]) -> str:
    """Plain text for a terminal: each table's columns aligned, numbers to the right."""
    lines = [title]
    for table in tables:
        cells = [[str(cell) for cell in table.header]]
        cells += [["" if cell is None else str(cell) for cell in row] for row in table.rows]
        numeric = [
            all(isinstance(row[i], int | float) for row in table.rows) and bool(table.rows)
            for i in range(len(table.header))
        ]
        widths = [max(len(row[i]) for row in cells) for i in range(len(table.header))]
        lines += ["", table.title, "-" * len(table.title)]
        for row in cells:
            parts = [
                cell.rjust(width) if right else cell.ljust(width)
                for cell, width, right in zip(row, widths, numeric, strict=True)
            ]
            lines.append("  ".join(parts).rstrip())
        if not table.rows:
            lines.append("(none)")
    return "\n".join(lines) + "\n"

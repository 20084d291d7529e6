"""Demo learning: recommendations and actions for the demo's published reviews and two
national reviews, in every state. Loaded through the learning tracker import, once."""

import datetime
import random
from typing import Any

from django.utils import timezone

from sightline.core.selectors import working_calendar
from sightline.reviews.models import Case

from . import services
from .importing import COLUMNS
from .models import DisseminationReturn, Recommendation

NATIONAL = [
    (
        "NR-2021-1",
        "The myth of invisible men (2021)",
        datetime.date(2021, 9, 16),
        [
            "Services to engage fathers and male carers from the antenatal period.",
            "A local protocol for assessing men in the household.",
        ],
    ),
    (
        "NR-2020-1",
        "Out of routine (2020)",
        datetime.date(2020, 7, 1),
        ["Safer sleep advice to be repeated when family routines change."],
    ),
]
AGENCIES = [
    "Northshire County Council Children's Services",
    "Northshire Constabulary",
    "Northshire and Wealdbridge Integrated Care Board",
    "Wealdbridge Hospitals NHS Foundation Trust",
    "Northshire Schools Safeguarding Network",
]
RECOMMENDATIONS = [
    "Agencies to review how they record who lives in the household.",
    "The partnership to commission training on professional curiosity.",
    "Escalation procedures to be refreshed and promoted.",
    "Information sharing with schools to be strengthened when a child is on a plan.",
]
ACTIONS = [
    "Update the case recording template.",
    "Brief all frontline teams on the learning.",
    "Audit a sample of records after six months.",
    "Nominate staff for the multi-agency course.",
]


def _rows(today: datetime.date) -> list[dict[str, Any]]:
    rng = random.Random(4)
    rows: list[dict[str, Any]] = []
    # (source type, source, made, reference prefix, recommendation texts)
    sources: list[tuple[str, str, datetime.date, str, list[str]]] = []
    for case in Case.objects.filter(published_date__isnull=False).order_by("published_date")[:8]:
        if case.published_date is not None:
            sources.append(
                (
                    "case_review",
                    case.reference,
                    case.published_date,
                    case.reference,
                    RECOMMENDATIONS[:2],
                )
            )
    sources += [
        ("national_review", title, made, ref, texts) for ref, title, made, texts in NATIONAL
    ]
    for source_type, source, made, prefix, texts in sources:
        for number, text in enumerate(texts, start=1):
            decision = rng.choice(["accepted", "accepted", "accepted_in_part", "not_accepted", ""])
            rec = {
                "recommendation_ref": f"{prefix}/R{number}",
                "source_type": source_type,
                "source": source,
                "recommendation": text,
                "made_date": made.isoformat(),
                "decision": decision,
                "decision_reason": "Covered by the existing pre-birth protocol"
                if decision == "not_accepted"
                else "",
            }
            if decision == "not_accepted":
                rows.append(rec)
                continue
            for action_number in range(1, rng.randint(1, 3) + 1):
                due = made + datetime.timedelta(days=rng.randint(60, 400))
                status = rng.choice(
                    [
                        "not_started",
                        "on_track",
                        "at_risk",
                        "complete",
                        "complete",
                        "closed_incomplete",
                    ]
                )
                completed = (
                    due + datetime.timedelta(days=rng.randint(-40, 30))
                    if status == "complete"
                    else None
                )
                if completed is not None and (completed > today or completed < made):
                    completed, status = None, "on_track"
                rows.append(
                    rec
                    | {
                        "action_ref": f"{prefix}/R{number}/A{action_number}",
                        "agency": rng.choice(AGENCIES),
                        "action": rng.choice(ACTIONS),
                        "due_date": due.isoformat(),
                        "status": status,
                        "completed_date": completed.isoformat() if completed else "",
                        "closed_reason": "Superseded by a regional pathway"
                        if status == "closed_incomplete"
                        else "",
                        "dissemination_evidence": "Practice briefing to all teams"
                        if status == "complete"
                        else "",
                        "impact_evidence": "Re-audit: 90% of records complete"
                        if status == "complete" and rng.random() < 0.5
                        else "",
                    }
                )
    return rows


def seed(*, password: str, stdout: Any) -> None:
    if Recommendation.objects.exists():
        stdout.write("Learning: recommendations exist already, none added.")
        return
    today = timezone.localdate()
    rows = _rows(today)
    # The tracker file carries no decision dates, so the decisions are recorded after the
    # import, each on the day the partnership took it.
    decisions = {
        row["recommendation_ref"]: (row["decision"], row["decision_reason"])
        for row in rows
        if row["decision"]
    }
    rows = [row | {"decision": "", "decision_reason": ""} for row in rows]
    text = (
        ",".join(COLUMNS)
        + "\n"
        + "\n".join(
            ",".join('"' + str(row.get(column, "")).replace('"', '""') + '"' for column in COLUMNS)
            for row in rows
        )
    )
    result = services.import_learning(
        actor=None, name="demo-learning.csv", content=text.encode(), actor_label="demo data"
    )
    stdout.write(f"Learning: {result.summary()}")
    _decide(decisions, today)
    # Dissemination returns for the three latest published reviews: some made, some not.
    published = Case.objects.filter(published_date__isnull=False).order_by("-published_date")[:3]
    for case in published:
        if not case.agencies.exists() or case.published_date is None:
            continue
        items = services.returns_request(actor=None, case=case, notify=False)
        # Asked a week after publication (history: the service asks today), answered within
        # three weeks of being asked, and never after today.
        asked = min(case.published_date + datetime.timedelta(days=7), today)
        DisseminationReturn.objects.filter(pk__in=[item.pk for item in items]).update(
            requested_on=asked
        )
        for number, item in enumerate(items):
            item.requested_on = asked
            if number % 2 == 0:
                services.return_submit(
                    actor=None,
                    item=item,
                    returned_on=min(asked + datetime.timedelta(days=14 + number), today),
                    methods=["briefing", "team_meeting"] if number % 4 == 0 else ["briefing"],
                    staff_reached=25 + number * 10,
                    summary="Seven-minute briefing shared at team meetings (fictional demo).",
                )


def _decide(decisions: dict[str, tuple[str, str]], today: datetime.date) -> None:
    """Record each decision at the partnership's next meetings after the recommendation was
    made: 10 to 30 working days later (still pending when that is after today). The first
    recommendation accepted in part is accepted in full a quarter later, so the demo shows
    a decision's history."""
    rng = random.Random(11)
    calendar = working_calendar()
    changed_once = False
    for rec in Recommendation.objects.filter(reference__in=decisions).order_by("reference"):
        decision, reason = decisions[rec.reference]
        decided_on = calendar.add_working_days(rec.made_date, rng.randint(10, 30))
        if decided_on > today:
            continue
        _record(rec, decision, reason, decided_on)
        later = calendar.add_working_days(decided_on, 60)
        if decision == "accepted_in_part" and not changed_once and later <= today:
            _record(rec, "accepted", "", later)
            changed_once = True


def _record(rec: Recommendation, decision: str, reason: str, on: datetime.date) -> None:
    services.recommendation_save(
        actor=None,
        recommendation=rec,
        data={
            "reference": rec.reference,
            "source_type": rec.source_type,
            "source": rec.source,
            "text": rec.text,
            "made_date": rec.made_date,
            "decision": decision,
            "decision_reason": reason,
            "decided_on": on,
        },
    )

"""Reads of the multi-agency audit programme: audits, the agencies' returns, and the
findings whose actions the learning tracker follows."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from sightline.accounts.models import Agency
from sightline.learning.models import Action
from sightline.learning.selectors import AgencyReturnCounts, agency_lead_emails
from sightline.learning.vocabulary import OPEN_STATUSES
from sightline.reviews.models import PracticeTheme

from ..models import Audit, AuditReturn, AuditStatusChange, Group
from ..quarters import Quarter
from ..vocabulary import AuditStatus
from .inspections import counted, findings_with_actions


def with_counts(audits: QuerySet[Audit], *, today: datetime.date) -> QuerySet[Audit]:
    """Each audit with its returns asked for, returned and overdue, its findings, and its
    findings' overdue actions."""
    returns = AuditReturn.objects.filter(audit=OuterRef("pk"))
    actions = Action.objects.filter(recommendation__audits=OuterRef("pk"), status__in=OPEN_STATUSES)
    findings = Audit.recommendations.through.objects.filter(audit=OuterRef("pk"))
    return audits.annotate(
        returns_requested=counted(returns, "audit"),
        returns_received=counted(returns.filter(returned_on__isnull=False), "audit"),
        returns_overdue=counted(
            returns.filter(returned_on__isnull=True, audit__returns_due_on__lt=today), "audit"
        ),
        finding_count=counted(findings, "audit"),
        actions_overdue=counted(actions.filter(due_date__lt=today), "recommendation__audits"),
    )


def financial_year_quarters(year: int) -> list[Quarter]:
    return [Quarter(year, number) for number in range(1, 5)]


def financial_year_label(year: int) -> str:
    """2025-26 for the financial year from April 2025."""
    return f"{year}-{(year + 1) % 100:02d}"


def audit_programme(*, year: int) -> list[dict[str, Any]]:
    """The programme for the financial year starting in April of ``year``: each quarter with
    the audits planned for it."""
    quarters = financial_year_quarters(year)
    audits = list(
        with_counts(
            Audit.objects.filter(
                quarter_start__gte=quarters[0].start, quarter_start__lte=quarters[-1].start
            ).select_related("group"),
            today=timezone.localdate(),
        ).order_by("quarter_start", "title")
    )
    return [
        {"quarter": quarter, "audits": [a for a in audits if a.quarter_start == quarter.start]}
        for quarter in quarters
    ]


def audit_get(*, pk: int) -> Audit:
    audit = Audit.objects.select_related("group").filter(pk=pk).first()
    if audit is None:
        raise Http404("No such audit.")
    return audit


def audit_page(*, audit: Audit) -> dict[str, Any]:
    """An audit's questionnaire, its returns agency by agency (with the answers under their
    questions), its findings with their actions, and the agencies not yet asked."""
    today = timezone.localdate()
    questions = audit.questions
    returns: list[dict[str, Any]] = []
    for item in audit.returns.select_related("agency", "returned_by").order_by("agency__name"):
        answers = item.answers_to(questions) if item.returned_on else None
        returns.append(
            {
                "item": item,
                "answers": list(zip(questions, answers, strict=True)) if answers else None,
                "overdue": item.returned_on is None
                and audit.returns_due_on is not None
                and audit.returns_due_on < today,
            }
        )
    returned = sum(row["item"].returned_on is not None for row in returns)
    quarter = Quarter.containing(audit.quarter_start)
    return {
        "quarter": quarter,
        "year": financial_year_label(quarter.year),
        "questions": questions,
        "returns": returns,
        "counts": {
            "requested": len(returns),
            "returned": returned,
            "outstanding": len(returns) - returned,
        },
        "findings": findings_with_actions(audit.recommendations.all()),
        "themes": list(audit.themes.order_by("name")),
        "not_asked": agencies_not_asked(audit=audit),
        "today": today,
    }


def agencies_not_asked(*, audit: Audit) -> list[Agency]:
    """The active agencies not yet asked for a return to the audit."""
    return list(
        Agency.objects.filter(is_active=True)
        .exclude(Exists(AuditReturn.objects.filter(audit=audit, agency=OuterRef("pk"))))
        .order_by("name")
    )


def agencies_without_leads(*, returns: list[AuditReturn]) -> list[str]:
    """The agencies of ``returns`` with no active lead, so nobody there was emailed."""
    leads = agency_lead_emails(agency_ids=[item.agency_id for item in returns])
    return [item.agency.name for item in returns if not leads.get(item.agency_id)]


def audit_form_initial(*, audit: Audit) -> dict[str, Any]:
    return {
        "title": audit.title,
        "scope": audit.scope,
        "quarter_start": Quarter.containing(audit.quarter_start).label,
        "group": audit.group,
        "themes": list(audit.themes.all()),
        "questionnaire": audit.questionnaire,
        "returns_due_on": audit.returns_due_on,
        "status": audit.status,
        "summary": audit.summary,
    }


def audit_form_options() -> dict[str, list[Any]]:
    return {
        "groups": list(Group.objects.filter(is_active=True).order_by("name")),
        "themes": list(PracticeTheme.objects.order_by("name")),
    }


def audit_return_get(*, pk: int) -> AuditReturn:
    item = AuditReturn.objects.select_related("audit", "agency").filter(pk=pk).first()
    if item is None:
        raise Http404("No such audit return.")
    return item


# --- As they stood on a date ------------------------------------------------------------


@dataclass(frozen=True)
class AuditPosition:
    """An audit as it stood at the end of a day: its status then, and how many agencies had
    been asked for a return, and had made one, by then."""

    audit_id: int
    title: str
    quarter: Quarter
    status: str
    status_label: str
    returns_requested: int
    returns_made: int


def audits_as_at(*, on: datetime.date, year: int | None = None) -> list[AuditPosition]:
    """The audits added by the end of ``on`` (those planned for the financial year starting
    in April of ``year``, when given), in the programme's order, each with its status then:
    the latest change recorded with a date on or before ``on`` (planned when none). An audit
    with no status history at all (written outside the services) is read by its status now.
    One query."""
    end = timezone.make_aware(
        datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min)
    )
    history = AuditStatusChange.objects.filter(audit=OuterRef("pk"))
    latest = history.filter(changed_on__lte=on).order_by("-pk")
    returns = AuditReturn.objects.filter(audit=OuterRef("pk"), requested_on__lte=on)
    audits = Audit.objects.filter(created_at__lt=end)
    if year is not None:
        quarters = financial_year_quarters(year)
        audits = audits.filter(
            quarter_start__gte=quarters[0].start, quarter_start__lte=quarters[-1].start
        )
    rows = audits.annotate(
        status_then=Case(
            When(
                Exists(history),
                then=Coalesce(Subquery(latest.values("status")[:1]), Value(AuditStatus.PLANNED)),
            ),
            default=F("status"),
            output_field=CharField(),
        ),
        requested=_count_of(returns),
        made=_count_of(returns.filter(returned_on__lte=on)),
    ).order_by("quarter_start", "title", "pk")
    labels = dict(AuditStatus.choices)
    return [
        AuditPosition(
            audit_id=row["pk"],
            title=row["title"],
            quarter=Quarter.containing(row["quarter_start"]),
            status=row["status_then"],
            status_label=labels.get(row["status_then"], ""),
            returns_requested=row["requested"],
            returns_made=row["made"],
        )
        for row in rows.values("pk", "title", "quarter_start", "status_then", "requested", "made")
    ]


def _count_of(rows: QuerySet[AuditReturn]) -> Coalesce:
    return Coalesce(
        Subquery(rows.order_by().values("audit").annotate(n=Count("pk")).values("n")),
        0,
    )


def audit_return_counts_by_agency() -> list[AgencyReturnCounts]:
    """Audit returns asked of each agency and made, in one grouped query."""
    rows = (
        AuditReturn.objects.order_by()
        .values("agency_id")
        .annotate(
            requested=Count("*"), returned=Count(Value(1), filter=Q(returned_on__isnull=False))
        )
        .values_list("agency_id", "requested", "returned")
    )
    return [AgencyReturnCounts(*row) for row in rows]

"""Reads of the risk register. Administrators and executive members see every risk, so the
lists filter by what was asked for, not by who asks. Levels, review dates and appetite come
from ``scoring`` with the partnership's settings: the rules live in one place."""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404

from sightline.accounts.models import Membership, User
from sightline.core.roles import Role
from sightline.learning.models import Action

from .. import scoring
from ..models import (
    Risk,
    RiskAcceptance,
    RiskAssessment,
    RiskControl,
    RiskSettings,
    RiskSettingsChange,
)
from ..vocabulary import RiskCategory, RiskStatus

SCORES = ("residual", "inherent")


def risk_settings() -> RiskSettings:
    return RiskSettings.current()


def risk_matrix() -> scoring.Matrix:
    return scoring.Matrix.of(RiskSettings.current())


@dataclass(frozen=True)
class RiskFilters:
    search: str = ""
    category: str = ""
    owner: Any = None
    level: str = ""
    status: str = RiskStatus.OPEN  # "open", "closed" or "all"
    overdue: bool = False
    appetite: str = ""  # "above": above appetite; "unaccepted": above and not accepted
    scores: str = "residual"  # which scores ``likelihood`` and ``impact`` are
    likelihood: int | None = None
    impact: int | None = None


def newest_acceptance(field: str, *, on_or_before: datetime.date | None = None) -> Subquery:
    """``field`` of the risk's newest acceptance (made by ``on_or_before``): the newest one
    decides, so a new acceptance replaces an earlier one whatever their dates."""
    acceptances = RiskAcceptance.objects.filter(risk=OuterRef("pk"))
    if on_or_before is not None:
        acceptances = acceptances.filter(accepted_on__lte=on_or_before)
    return Subquery(acceptances.order_by("-accepted_on", "-pk").values(field)[:1])


def with_accepted_until(
    risks: QuerySet[Risk], as_at: datetime.date, *, made_by: datetime.date | None = None
) -> QuerySet[Any]:
    """Each risk with ``accepted_until``, the end of the acceptance covering it on ``as_at``:
    its newest acceptance (made by ``made_by``), if that still runs then and was made at a
    residual score no lower than the risk's now (a risk that got worse is accepted again)."""
    return risks.annotate(
        newest_until=newest_acceptance("until", on_or_before=made_by),
        newest_score=newest_acceptance("residual_score", on_or_before=made_by),
    ).annotate(
        accepted_until=Case(
            When(
                newest_until__gte=as_at,
                newest_score__gte=F("residual_score"),
                then=F("newest_until"),
            ),
            default=None,
            output_field=DateField(),
        )
    )


def risk_list_for(
    *, user: Any, filters: RiskFilters, matrix: scoring.Matrix, today: datetime.date
) -> QuerySet[Risk]:
    """Risks matching ``filters``, highest residual score first (the register's index)."""
    risks = with_accepted_until(Risk.objects.select_related("owner"), today)
    if filters.status in (RiskStatus.OPEN, RiskStatus.CLOSED):
        risks = risks.filter(status=filters.status)
    if filters.search:
        term = filters.search.strip()
        risks = risks.filter(Q(reference__icontains=term) | Q(title__icontains=term))
    if filters.category:
        risks = risks.filter(category=filters.category)
    if filters.owner is not None:
        risks = risks.filter(owner=filters.owner)
    if filters.level:
        low, high = matrix.band(scoring.Level(filters.level))
        risks = risks.filter(residual_score__gte=low, residual_score__lte=high)
    if filters.overdue:
        risks = risks.filter(status=RiskStatus.OPEN, next_review_on__lt=today)
    if filters.appetite:
        risks = risks.filter(residual_score__gt=matrix.appetite)
        if filters.appetite == "unaccepted":
            risks = risks.filter(accepted_until__isnull=True)
    stage = filters.scores if filters.scores in SCORES else "residual"
    if filters.likelihood is not None:
        risks = risks.filter(**{f"{stage}_likelihood": filters.likelihood})
    if filters.impact is not None:
        risks = risks.filter(**{f"{stage}_impact": filters.impact})
    return risks.order_by("-residual_score", "reference")


@dataclass(frozen=True)
class RiskRow:
    """A risk as the register shows it: its levels and flags worked out once."""

    risk: Risk
    level: scoring.Level
    inherent_level: scoring.Level
    overdue: bool
    above_appetite: bool
    accepted_until: datetime.date | None

    @property
    def is_open(self) -> bool:
        return self.risk.status == RiskStatus.OPEN


def risk_row(
    *,
    risk: Risk,
    matrix: scoring.Matrix,
    today: datetime.date,
    accepted_until: datetime.date | None = None,
) -> RiskRow:
    """``accepted_until`` is the end of the acceptance covering the risk, if any."""
    is_open = risk.status == RiskStatus.OPEN
    return RiskRow(
        risk=risk,
        level=scoring.level_of(matrix, risk.residual_score),
        inherent_level=scoring.level_of(matrix, risk.inherent_score),
        overdue=scoring.is_overdue(
            is_open=is_open, next_review_on=risk.next_review_on, today=today
        ),
        above_appetite=is_open and scoring.above_appetite(matrix, risk.residual_score),
        accepted_until=accepted_until,
    )


def risk_rows(*, risks: list[Risk], matrix: scoring.Matrix, today: datetime.date) -> list[RiskRow]:
    """Rows for risks from ``risk_list_for`` (which annotates each one's acceptance)."""
    return [
        risk_row(
            risk=risk,
            matrix=matrix,
            today=today,
            accepted_until=getattr(risk, "accepted_until", None),
        )
        for risk in risks
    ]


def risk_owner_choices() -> list[User]:
    """People who own at least one risk, for the register's filter."""
    return list(
        User.objects.filter(Exists(Risk.objects.filter(owner=OuterRef("pk")))).order_by(
            "full_name", "email"
        )
    )


def risk_owner_candidates() -> list[User]:
    """Who may own a risk: active administrators and executive members."""
    return list(
        User.objects.filter(
            Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"), role__in=[Role.ADMINISTRATOR, Role.EXECUTIVE]
                )
            ),
            is_active=True,
        ).order_by("full_name", "email")
    )


def risk_get(*, pk: int) -> Risk:
    risk = Risk.objects.select_related("owner").filter(pk=pk).first()
    if risk is None:
        raise Http404("No such risk.")
    return risk


@dataclass(frozen=True)
class RiskPage:
    row: RiskRow
    controls: list[RiskControl]
    actions: list[Action]
    assessments: list[RiskAssessment]  # newest first
    acceptances: list[RiskAcceptance]  # newest first
    current_acceptance: RiskAcceptance | None
    chart: scoring.Chart | None
    inherent_text: str
    residual_text: str
    review_days: int


def _score_text(matrix: scoring.Matrix, likelihood: int, impact: int) -> str:
    return (
        f"{scoring.score(likelihood, impact)} (likelihood "
        f"{scoring.likelihood_label(matrix, likelihood).lower()}, impact "
        f"{scoring.impact_label(matrix, impact).lower()})"
    )


def _in_force(
    risk: Risk, acceptances: list[RiskAcceptance], today: datetime.date
) -> RiskAcceptance | None:
    """The acceptance that covers the risk as it stands (as ``accepted_until`` decides)."""
    if not acceptances:
        return None
    newest = max(acceptances, key=lambda item: (item.accepted_on, item.pk))
    covers = newest.until >= today and newest.residual_score >= risk.residual_score
    return newest if covers else None


def risk_acceptance_in_force(*, risk: Risk, today: datetime.date) -> RiskAcceptance | None:
    return _in_force(risk, list(risk.acceptances.select_related("accepted_by")), today)


def risk_page(*, risk: Risk, matrix: scoring.Matrix, today: datetime.date) -> RiskPage:
    acceptances = list(risk.acceptances.select_related("accepted_by"))
    current = _in_force(risk, acceptances, today)
    history = list(risk.assessments.select_related("assessed_by"))
    row = risk_row(
        risk=risk, matrix=matrix, today=today, accepted_until=current.until if current else None
    )
    return RiskPage(
        row=row,
        controls=risk_controls(risk=risk),
        actions=risk_mitigations(risk=risk),
        assessments=history[::-1],
        acceptances=acceptances,
        current_acceptance=current,
        chart=scoring.score_chart(
            matrix,
            (
                scoring.ChartPoint(
                    day=item.assessed_on,
                    inherent=scoring.score(item.inherent_likelihood, item.inherent_impact),
                    residual=scoring.score(item.residual_likelihood, item.residual_impact),
                )
                for item in history
            ),
        ),
        inherent_text=_score_text(matrix, risk.inherent_likelihood, risk.inherent_impact),
        residual_text=_score_text(matrix, risk.residual_likelihood, risk.residual_impact),
        review_days=matrix.review_days(row.level),
    )


def risk_heat_map(*, matrix: scoring.Matrix, scores: str) -> scoring.HeatMap:
    """Open risks counted in each cell of the matrix, by their residual or inherent scores:
    one grouped count over the risks table alone."""
    stage = scores if scores in SCORES else "residual"
    grouped = (
        Risk.objects.filter(status=RiskStatus.OPEN)
        .order_by()
        .values_list(f"{stage}_likelihood", f"{stage}_impact")
        .annotate(n=Count("pk"))
    )
    return scoring.heat_map(matrix, {(lik, imp): n for lik, imp, n in grouped})


def risk_largest_scores() -> tuple[int, int]:
    """The highest likelihood and impact any open risk is scored at, inherent or residual."""
    found = Risk.objects.filter(status=RiskStatus.OPEN).aggregate(
        il=Max("inherent_likelihood"),
        rl=Max("residual_likelihood"),
        ii=Max("inherent_impact"),
        ri=Max("residual_impact"),
    )
    return (
        max(found["il"] or 0, found["rl"] or 0),
        max(found["ii"] or 0, found["ri"] or 0),
    )


def risk_controls(*, risk: Risk) -> list[RiskControl]:
    return list(risk.controls.all())


def risk_mitigations(*, risk: Risk) -> list[Action]:
    """The learning tracker's actions linked to the risk, soonest due first."""
    return list(risk.actions.select_related("agency").order_by("due_date", "reference"))


def risk_action_get(*, risk: Risk, pk: int) -> Action:
    action = risk.actions.filter(pk=pk).first()
    if action is None:
        raise Http404("That action is not linked to this risk.")
    return action


EXPORT_HEADER = (
    "Reference",
    "Title",
    "Category",
    "Owner",
    "Status",
    "Cause",
    "Consequence",
    "Inherent likelihood",
    "Inherent impact",
    "Inherent score",
    "Residual likelihood",
    "Residual impact",
    "Residual score",
    "Level",
    "Above appetite",
    "Accepted until",
    "Opened",
    "Last reviewed",
    "Next review",
    "Review overdue",
    "Closed",
    "Controls",
    "Mitigating actions",
)


def risk_export_rows(
    *, user: Any, filters: RiskFilters, matrix: scoring.Matrix, today: datetime.date
) -> Iterator[list[Any]]:
    """The register as spreadsheet rows: four queries whatever the number of risks."""
    risks = list(risk_list_for(user=user, filters=filters, matrix=matrix, today=today))
    ids = [risk.pk for risk in risks]
    controls: dict[int, list[str]] = defaultdict(list)
    actions: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        for risk_id, description, effectiveness in (
            RiskControl.objects.filter(risk_id__in=chunk)
            .order_by("risk", "pk")
            .values_list("risk_id", "description", "effectiveness")
        ):
            label = RiskControl.Effectiveness(effectiveness).label.lower()
            controls[risk_id].append(f"{description} ({label})")
        for risk_id, reference in (
            Risk.actions.through.objects.filter(risk_id__in=chunk)
            .order_by("action__reference")
            .values_list("risk_id", "action__reference")
        ):
            actions[risk_id].append(reference)
    for row in risk_rows(risks=risks, matrix=matrix, today=today):
        risk = row.risk
        yield [
            risk.reference,
            risk.title,
            RiskCategory(risk.category).label,
            risk.owner.full_name or risk.owner.email,
            RiskStatus(risk.status).label,
            risk.cause,
            risk.consequence,
            risk.inherent_likelihood,
            risk.inherent_impact,
            risk.inherent_score,
            risk.residual_likelihood,
            risk.residual_impact,
            risk.residual_score,
            row.level.label,
            "Yes" if row.above_appetite else "No",
            row.accepted_until,  # dates stay dates: a workbook holds them as dates
            risk.opened_on,
            risk.last_reviewed_on,
            risk.next_review_on,
            "Yes" if row.overdue else "No",
            risk.closed_on,
            "; ".join(controls[risk.pk]),
            "; ".join(actions[risk.pk]),
        ]


# --- As they stood on a date ------------------------------------------------------------


def risk_matrix_as_at(*, on: datetime.date) -> scoring.Matrix:
    """The matrix, bands, appetite and review frequencies in force at the end of ``on``: the
    latest settings change effective by then; before the first, the first one's (the
    settings held when the history began); with no history, the settings held now."""
    # A handful of rows in a partnership's life: read in one query and chosen here.
    changes = list(RiskSettingsChange.objects.order_by("effective_on", "pk"))
    if changes:
        in_force = [change for change in changes if change.effective_on <= on]
        return scoring.Matrix.of(in_force[-1] if in_force else changes[0])
    settings_row = RiskSettings.objects.order_by("pk").first()
    return scoring.Matrix.of(settings_row) if settings_row is not None else scoring.Matrix()


@dataclass(frozen=True)
class RiskPosition:
    """A risk as it stood at the end of a day: its scores then (from its latest assessment
    by then), the appetite then, whether an acceptance covered it then and whether its
    review was overdue then."""

    risk_id: int
    reference: str
    title: str
    category: str
    category_label: str
    owner: str
    on: datetime.date
    inherent_score: int
    residual_score: int
    level: scoring.Level
    appetite: int
    above_appetite: bool
    accepted: bool
    accepted_until: datetime.date | None
    accepted_by: str
    last_reviewed_on: datetime.date
    next_review_on: datetime.date
    review_overdue: bool


def _assessed_then(field: str, on: datetime.date) -> Subquery:
    """``field`` of the risk's latest assessment on or before ``on`` (reviews are recorded
    in date order, so the latest date is the latest recorded)."""
    return Subquery(
        RiskAssessment.objects.filter(risk=OuterRef("pk"), assessed_on__lte=on)
        .order_by("-assessed_on", "-pk")
        .values(field)[:1]
    )


def risk_positions_as_at(*, on: datetime.date) -> list[RiskPosition]:
    """Every risk open at the end of ``on`` (opened by then, not closed by then), as it
    stood then, highest residual score first. A risk with no assessment by then (written
    outside the services) is read by its current scores. Two queries (three before the
    settings have a history), whatever the number of risks.

    The next review then is the one its latest assessment by then set, brought forward to
    that assessment's date plus the level's frequency under the settings then (a change of
    settings that shortens the frequency brings reviews forward); assessments made before
    the history kept it are given that frequency alone, or, for a risk's latest, the date
    the register holds."""
    matrix = risk_matrix_as_at(on=on)
    latest_overall = Subquery(
        RiskAssessment.objects.filter(risk=OuterRef("pk"))
        .order_by("-assessed_on", "-pk")
        .values("pk")[:1]
    )
    rows = (
        Risk.objects.filter(opened_on__lte=on)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        .annotate(
            then_pk=_assessed_then("pk", on),
            then_on=_assessed_then("assessed_on", on),
            then_il=_assessed_then("inherent_likelihood", on),
            then_ii=_assessed_then("inherent_impact", on),
            then_rl=_assessed_then("residual_likelihood", on),
            then_ri=_assessed_then("residual_impact", on),
            then_next=_assessed_then("next_review_on", on),
            latest_pk=latest_overall,
            until=newest_acceptance("until", on_or_before=on),
            accepted_score=newest_acceptance("residual_score", on_or_before=on),
            accepted_by_name=newest_acceptance("accepted_by__full_name", on_or_before=on),
        )
        .values(
            "pk",
            "reference",
            "title",
            "category",
            "owner__full_name",
            "owner__email",
            "inherent_score",
            "residual_score",
            "last_reviewed_on",
            "next_review_on",
            "then_pk",
            "then_on",
            "then_il",
            "then_ii",
            "then_rl",
            "then_ri",
            "then_next",
            "latest_pk",
            "until",
            "accepted_score",
            "accepted_by_name",
        )
    )
    categories = dict(RiskCategory.choices)
    positions = []
    for row in rows:
        if row["then_pk"] is None:
            inherent, residual = row["inherent_score"], row["residual_score"]
            reviewed, next_review = row["last_reviewed_on"], row["next_review_on"]
        else:
            inherent = scoring.score(row["then_il"], row["then_ii"])
            residual = scoring.score(row["then_rl"], row["then_ri"])
            reviewed = row["then_on"]
            set_then = row["then_next"] or (
                row["next_review_on"] if row["then_pk"] == row["latest_pk"] else None
            )
            latest_allowed = scoring.next_review(matrix, residual, reviewed)
            next_review = min(set_then, latest_allowed) if set_then else latest_allowed
        accepted = (
            row["until"] is not None
            and row["until"] >= on
            and row["accepted_score"] is not None
            and row["accepted_score"] >= residual
        )
        positions.append(
            RiskPosition(
                risk_id=row["pk"],
                reference=row["reference"],
                title=row["title"],
                category=row["category"],
                category_label=categories.get(row["category"], ""),
                owner=row["owner__full_name"] or row["owner__email"],
                on=on,
                inherent_score=inherent,
                residual_score=residual,
                level=scoring.level_of(matrix, residual),
                appetite=matrix.appetite,
                above_appetite=scoring.above_appetite(matrix, residual),
                accepted=accepted,
                accepted_until=row["until"] if accepted else None,
                accepted_by=(row["accepted_by_name"] or "") if accepted else "",
                last_reviewed_on=reviewed,
                next_review_on=next_review,
                review_overdue=next_review < on,
            )
        )
    return sorted(positions, key=lambda item: (-item.residual_score, item.reference))


@dataclass(frozen=True)
class RiskAttention:
    """Open risks needing the Executive's attention, as the register's filters count them."""

    above_appetite: int
    unaccepted: int  # above appetite with no acceptance covering today
    overdue_review: int


def risk_attention(*, today: datetime.date) -> RiskAttention:
    """The open risks above appetite, those of them not accepted, and those overdue for
    review, counted in one query (and one for the appetite)."""
    # Read only (a home page must not write): before the partnership sets its matrix, the
    # default appetite applies.
    settings_row = RiskSettings.objects.order_by("pk").only("appetite").first()
    appetite = (settings_row or RiskSettings()).appetite
    above = Q(residual_score__gt=appetite)
    counts = with_accepted_until(Risk.objects.filter(status=RiskStatus.OPEN), today).aggregate(
        above=Count(Value(1), filter=above),
        unaccepted=Count(Value(1), filter=above & Q(accepted_until__isnull=True)),
        overdue=Count(Value(1), filter=Q(next_review_on__lt=today)),
    )
    return RiskAttention(
        above_appetite=counts["above"],
        unaccepted=counts["unaccepted"],
        overdue_review=counts["overdue"],
    )


def risk_appetite() -> int:
    """The highest residual score the partnership accepts. Read only: a partnership that has
    not set its matrix yet has the default appetite."""
    settings_row = RiskSettings.objects.order_by("pk").only("appetite").first()
    return settings_row.appetite if settings_row is not None else RiskSettings().appetite


@dataclass(frozen=True)
class RiskAboveAppetite:
    """An open risk above the appetite, with the acceptance covering it, if any."""

    pk: int
    reference: str
    title: str
    category: str  # the category's label
    owner: str
    residual_score: int
    next_review_on: datetime.date
    accepted_until: datetime.date | None
    accepted_by: str


def risks_above_appetite_on(*, day: datetime.date, appetite: int) -> list[RiskAboveAppetite]:
    """Risks open on ``day`` with a residual score (as it stands now) above ``appetite``,
    highest first, each with the acceptance covering ``day``, decided as the register decides
    it (the newest acceptance made by then). One query."""
    risks = (
        Risk.objects.filter(residual_score__gt=appetite, opened_on__lte=day)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        .order_by("-residual_score", "reference")
    )
    rows = (
        with_accepted_until(risks, day, made_by=day)
        .annotate(
            accepted_by=Case(
                When(
                    accepted_until__isnull=False,
                    then=newest_acceptance("accepted_by__full_name", on_or_before=day),
                ),
                default=Value(""),
            )
        )
        .values_list(
            "pk",
            "reference",
            "title",
            "category",
            "owner__full_name",
            "residual_score",
            "next_review_on",
            "accepted_until",
            "accepted_by",
        )
    )
    categories = dict(RiskCategory.choices)
    return [
        RiskAboveAppetite(
            pk=pk,
            reference=reference,
            title=title,
            category=categories.get(category, ""),
            owner=owner or "",
            residual_score=score,
            next_review_on=next_review,
            accepted_until=until,
            accepted_by=accepted_by or "",
        )
        for pk, reference, title, category, owner, score, next_review, until, accepted_by in rows
    ]


@dataclass(frozen=True)
class OwnedRisk:
    """An open risk as its owner needs it on their dashboard."""

    pk: int
    reference: str
    title: str
    residual_score: int
    next_review_on: datetime.date
    accepted_until: datetime.date | None
    above_appetite: bool
    review_overdue: bool

    @property
    def needs_acceptance(self) -> bool:
        return self.above_appetite and self.accepted_until is None


def risks_owned_by(*, user: Any, appetite: int, today: datetime.date) -> list[OwnedRisk]:
    """The open risks ``user`` owns, highest residual score first. One query."""
    risks = with_accepted_until(
        Risk.objects.filter(owner_id=user.pk, status=RiskStatus.OPEN), today
    ).order_by("-residual_score", "reference")
    return [
        OwnedRisk(
            pk=pk,
            reference=reference,
            title=title,
            residual_score=score,
            next_review_on=next_review,
            accepted_until=until,
            above_appetite=score > appetite,
            review_overdue=next_review < today,
        )
        for pk, reference, title, score, next_review, until in risks.values_list(
            "pk", "reference", "title", "residual_score", "next_review_on", "accepted_until"
        )
    ]


@dataclass(frozen=True)
class RiskDecision:
    """An open risk above the appetite that no acceptance covers today: the Executive is to
    decide whether to accept it."""

    pk: int
    reference: str
    title: str
    owner: str
    residual_score: int


def risks_awaiting_acceptance(
    *, appetite: int, today: datetime.date, limit: int
) -> tuple[list[RiskDecision], int]:
    """The first ``limit`` open risks above ``appetite`` with no acceptance covering them
    today (the register's "above appetite and not accepted"), highest first, and how many
    there are. Two queries."""
    risks = with_accepted_until(
        Risk.objects.filter(status=RiskStatus.OPEN, residual_score__gt=appetite), today
    ).filter(accepted_until__isnull=True)
    rows = risks.order_by("-residual_score", "reference").values_list(
        "pk", "reference", "title", "owner__full_name", "residual_score"
    )[:limit]
    decisions = [
        RiskDecision(
            pk=pk, reference=reference, title=title, owner=owner or "", residual_score=score
        )
        for pk, reference, title, owner, score in rows
    ]
    return decisions, risks.order_by().count()


# Two rows, summed: the risks by their assessments in force each day, then the risks never
# assessed, by their score now. Every risk opened by the last day is read once.
_ABOVE_APPETITE_SQL = """
SELECT {assessed} FROM (
    SELECT a.residual_likelihood * a.residual_impact AS score, a.assessed_on,
           LEAD(a.assessed_on) OVER in_order AS next_on,
           ROW_NUMBER() OVER in_order AS position,
           r.opened_on, r.closed_on
    FROM {assessment} a JOIN {risk} r ON r.id = a.risk_id
    WHERE r.opened_on <= %s
    WINDOW in_order AS (PARTITION BY a.risk_id ORDER BY a.assessed_on, a.id)
) assessments
UNION ALL
SELECT {never} FROM {risk} r
WHERE r.residual_score > %s AND NOT EXISTS (SELECT 1 FROM {assessment} a WHERE a.risk_id = r.id)
"""


@dataclass(frozen=True)
class DatedCount:
    """A count as it stood on ``day``."""

    day: datetime.date
    count: int


def risks_above_appetite_counts(
    *, days: list[datetime.date], appetites: list[int]
) -> list[DatedCount]:
    """For each of ``days``: the risks open that day (opened on or before it, not closed by
    it) whose residual score then was above the appetite in force that day (``appetites``,
    one for each day). A risk's score on a day is that of
    its latest assessment made on or before the day; a risk with none by then (recorded
    before it was first assessed) counts at its first assessment's score, and one never
    assessed at its score now.

    One statement for every day together (``_ABOVE_APPETITE_SQL``). Each assessment is in
    force from its date until the risk's next assessment (its first also before its date),
    which window functions give in one pass over the assessments: a subquery for each risk
    and day would cost the planner so much that PostgreSQL compiles it first (JIT), which
    takes longer than the counting. Written in SQL rather than through the ORM: building
    the windows and a filtered count for each day took Django three times as long as
    PostgreSQL took to run them, on the executive's home page."""
    if not days:
        return []
    assessed = ", ".join(
        "COUNT(CASE WHEN opened_on <= %s AND (closed_on IS NULL OR closed_on > %s)"
        " AND (assessed_on <= %s OR position = 1) AND (next_on IS NULL OR next_on > %s)"
        " AND score > %s THEN 1 END)"
        for _ in days
    )
    never = ", ".join(
        "COUNT(CASE WHEN opened_on <= %s AND (closed_on IS NULL OR closed_on > %s)"
        " AND residual_score > %s THEN 1 END)"
        for _ in days
    )
    params: list[Any] = []
    for day, appetite in zip(days, appetites, strict=True):
        params += [day, day, day, day, appetite]
    params.append(max(days))
    for day, appetite in zip(days, appetites, strict=True):
        params += [day, day, appetite]
    params.append(min(appetites))
    sql = _ABOVE_APPETITE_SQL.format(
        assessed=assessed,
        never=never,
        risk=Risk._meta.db_table,
        assessment=RiskAssessment._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        DatedCount(day=day, count=sum(row[n] or 0 for row in rows)) for n, day in enumerate(days)
    ]

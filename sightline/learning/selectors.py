"""Reads of the learning tracker."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Case as Choose
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Upper
from django.http import Http404
from django.utils import timezone

from sightline.accounts.models import Agency, Membership, User
from sightline.core.counting import counts_of
from sightline.core.exceptions import NotVisibleError
from sightline.core.roles import Role
from sightline.core.selectors import cached_figures
from sightline.reviews.models import Case, PracticeTheme
from sightline.reviews.policies import sees_every_case
from sightline.reviews.selectors import visible_case_exists, visible_case_filter

from . import reporting
from .models import (
    WITHHELD_SOURCE,
    Action,
    ActionStatusChange,
    DisseminationReturn,
    Evidence,
    Recommendation,
    RecommendationDecision,
    case_withheld_from,
)
from .policies import runs_learning
from .vocabulary import OPEN_STATUSES as OPEN
from .vocabulary import ActionStatus, Decision, EvidenceKind, SourceType

# --- What someone sees of learning from a case they may not see ---------------------------
# One rule (docs/decisions/0013-what-an-agency-sees-of-a-case.md, ``policies.shares_source``),
# as conditions every list and page of learning is read through, so that lists and details
# agree. Each is empty for those who see every case, and otherwise built of uncorrelated
# ``IN`` subqueries, as ``visible_case_filter`` is.


def _acts_on(user: Any, prefix: str = "") -> Q:
    """Actions of the user's agencies, or owned by the user."""
    return Q(**{f"{prefix}agency_id__in": list(user.agency_ids)}) | Q(
        **{f"{prefix}owner_id": user.pk}
    )


def shared_source_filter(*, user: Any, prefix: str = "") -> Q:
    """Recommendations (``prefix`` leads to one) whose source the user may see: no case, or a
    case they may see."""
    if sees_every_case(user):
        return Q()
    return Q(**{f"{prefix}source_case__isnull": True}) | visible_case_filter(
        user=user, field=f"{prefix}source_case_id"
    )


def visible_recommendation_filter(*, user: Any, field: str = "pk") -> Q:
    """Recommendations (``field`` is their key, or a foreign key to one) the user may see:
    those whose source they may see, and those one of their agencies acts on."""
    if sees_every_case(user):
        return Q()
    prefix = "" if field == "pk" else field.removesuffix("_id") + "__"
    acting = Action.objects.filter(_acts_on(user)).values("recommendation_id")
    return shared_source_filter(user=user, prefix=prefix) | Q(**{f"{field}__in": acting})


def visible_action_filter(*, user: Any) -> Q:
    """Actions the user may see: every action on learning whose source they may see; on
    learning from a case they may not see, only their agencies' and their own."""
    if sees_every_case(user):
        return Q()
    return shared_source_filter(user=user, prefix="recommendation__") | _acts_on(user)


def withheld_annotations(*, user: Any, prefix: str = "") -> dict[str, Any]:
    """``case_withheld`` (the source is a case the user may not see) and the case's reference
    to take out of references (``withheld_case_reference``), for the models' ``shown_*``."""
    if sees_every_case(user):
        return {"case_withheld": Value(False)}
    return {
        "case_withheld": Choose(
            When(shared_source_filter(user=user, prefix=prefix), then=Value(False)),
            default=Value(True),
            output_field=models.BooleanField(),
        ),
        "withheld_case_reference": F(f"{prefix}source_case__reference"),
    }


def action_shown_annotations(*, user: Any) -> dict[str, Any]:
    """For a list of actions read from elsewhere (a plan, a meeting): ``shown`` (the user may
    see the action, ``visible_action_filter``) and what they may see of its source."""
    if sees_every_case(user):
        return {"shown": Value(True), "case_withheld": Value(False)}
    return {
        "shown": Choose(
            When(visible_action_filter(user=user), then=Value(True)),
            default=Value(False),
            output_field=models.BooleanField(),
        ),
        **withheld_annotations(user=user, prefix="recommendation__"),
    }


def recommendations_for(*, user: Any) -> QuerySet[Recommendation]:
    """Every recommendation the user may see, marked for what they may see of its source."""
    return Recommendation.objects.filter(visible_recommendation_filter(user=user)).annotate(
        **withheld_annotations(user=user)
    )


def actions_for(*, user: Any) -> QuerySet[Action]:
    """Every action the user may see, marked for what they may see of its source."""
    return Action.objects.filter(visible_action_filter(user=user)).annotate(
        **withheld_annotations(user=user, prefix="recommendation__")
    )


def hidden_case_references(*, user: Any, candidates: Iterable[str]) -> set[str]:
    """Of ``candidates``, the references of cases the user may not see (one query)."""
    wanted = {candidate for candidate in candidates if candidate}
    if sees_every_case(user) or not wanted:
        return set()
    return set(
        Case.objects.filter(reference__in=wanted)
        .exclude(visible_case_filter(user=user))
        .values_list("reference", flat=True)
    )


def _by_own_dates(as_at: datetime.date) -> models.Case:
    """An action's status at the end of ``as_at`` when no status change is dated by then:
    not started if it has a history (its first change came later); with none at all
    (written outside the services, as a bulk load is), read by its own dates, as the
    migration that began the history dated them: complete from its completed date, closed
    from its closed date (from the start when it has none)."""
    return models.Case(
        When(
            Exists(ActionStatusChange.objects.filter(action=OuterRef("pk"))),
            then=Value(ActionStatus.NOT_STARTED),
        ),
        When(
            status=ActionStatus.COMPLETE,
            completed_date__lte=as_at,
            then=Value(ActionStatus.COMPLETE),
        ),
        When(
            Q(status=ActionStatus.CLOSED_INCOMPLETE)
            & (Q(closed_date__isnull=True) | Q(closed_date__lte=as_at)),
            then=Value(ActionStatus.CLOSED_INCOMPLETE),
        ),
        default=Value(ActionStatus.NOT_STARTED),
        output_field=models.CharField(),
    )


def _status_then(as_at: datetime.date) -> dict[str, Any]:
    """Each action's status as it stood at the end of ``as_at`` (``status_then``) and the day
    that status took effect (``status_on``): the latest recorded status change dated on or
    before it, or else as ``_by_own_dates`` reads it."""
    latest = ActionStatusChange.objects.filter(action=OuterRef("pk"), on__lte=as_at).order_by("-pk")
    return {
        "status_then": Coalesce(
            Subquery(latest.values("status")[:1]),
            _by_own_dates(as_at),
            output_field=models.CharField(),
        ),
        # Read only with a status of complete then, so the completed date stands in for an
        # action with no history.
        "status_on": Coalesce(
            Subquery(latest.values("on")[:1]),
            F("completed_date"),
            output_field=models.DateField(),
        ),
    }


def actions_as_at(*, as_at: datetime.date) -> QuerySet[Action]:
    """Every action, with ``status_then`` (its status at the end of ``as_at``, as the
    learning report counts it) and ``status_on`` (the day that status took effect) to filter
    and count on: for other parts of Sightline that count actions as they stood on a day."""
    return Action.objects.alias(**_status_then(as_at))


# Each action's figures as they stood at the end of a day, grouped by the source (type, title
# and case review, by its id) and the agency (by its id): integer keys where there is one,
# the names looked up afterwards for the groups found. One pass: each action's latest status
# change dated by the day (``_LATEST``: read in the order of the (action, id descending)
# index, with no sort and no lookup per action), joined to the actions in one scan. An
# action with a history but no change dated by then had not started; one with no history at
# all (written outside the services, as a bulk load is) is read by its own dates, as
# ``_by_own_dates`` reads it. Evidence is read once for each kind, its action ids hashed.
_LATEST = {
    # The same rows either way: PostgreSQL's DISTINCT ON is the cheaper to run.
    "postgresql": """
    SELECT DISTINCT ON (action_id) action_id, status, "on"
    FROM learning_actionstatuschange WHERE "on" <= %s ORDER BY action_id, id DESC
""",
    "other": """
    SELECT action_id, status, "on" FROM (
        SELECT action_id, status, "on",
               ROW_NUMBER() OVER (PARTITION BY action_id ORDER BY id DESC) AS newest
        FROM learning_actionstatuschange WHERE "on" <= %s
    ) AS dated
    WHERE newest = 1
""",
}
_ACTION_FIGURES_SQL = """
WITH latest AS ({latest}),
states AS (
    SELECT r.source_type, r.source_title, r.source_case_id, a.agency_id, a.id, a.due_date,
        CASE
            WHEN l.status IS NOT NULL THEN l.status
            WHEN EXISTS (
                SELECT 1 FROM learning_actionstatuschange h WHERE h.action_id = a.id
            ) THEN 'not_started'
            WHEN a.status = 'complete' AND a.completed_date <= %s THEN 'complete'
            WHEN a.status = 'closed_incomplete'
                AND (a.closed_date IS NULL OR a.closed_date <= %s) THEN 'closed_incomplete'
            ELSE 'not_started'
        END AS state,
        COALESCE(l."on", a.completed_date) AS state_on
    FROM learning_action a
    JOIN learning_recommendation r ON r.id = a.recommendation_id
    LEFT JOIN latest l ON l.action_id = a.id
    WHERE r.made_date <= %s
)
SELECT figures.*, agency.name, "case".reference FROM (
SELECT source_type, source_title, source_case_id, agency_id,
    COUNT(*),
    SUM(CASE WHEN state = 'complete' THEN 1 ELSE 0 END),
    SUM(CASE WHEN state = 'complete' AND state_on <= due_date THEN 1 ELSE 0 END),
    SUM(CASE WHEN state = 'closed_incomplete' THEN 1 ELSE 0 END),
    SUM(CASE WHEN state NOT IN ('complete', 'closed_incomplete') AND due_date < %s
        THEN 1 ELSE 0 END),
    SUM(CASE WHEN state NOT IN ('complete', 'closed_incomplete') AND due_date >= %s
        THEN 1 ELSE 0 END),
    SUM(CASE WHEN id IN (
        SELECT action_id FROM learning_evidence WHERE kind = 'dissemination' AND dated <= %s
    ) THEN 1 ELSE 0 END),
    SUM(CASE WHEN id IN (
        SELECT action_id FROM learning_evidence WHERE kind = 'impact' AND dated <= %s
    ) THEN 1 ELSE 0 END)
FROM states
GROUP BY source_type, source_title, source_case_id, agency_id
) AS figures
JOIN accounts_agency agency ON agency.id = figures.agency_id
LEFT JOIN reviews_case "case" ON "case".id = figures.source_case_id
"""
# The report's one heavy query may sort and hash in memory (a few tens of MB, for one query
# of one request) rather than on disk; PostgreSQL's JIT would add more time than it saves.
_REPORT_SETTINGS = "SET LOCAL work_mem = '64MB'; SET LOCAL jit = off"


def _action_figures(as_at: datetime.date) -> list[dict[str, Any]]:
    """The actions on recommendations made by ``as_at`` counted for each source and agency
    as they stood at the end of ``as_at`` (``_ACTION_FIGURES_SQL``): source_type,
    source_title, source_case_id, agency_id, each of ``reporting.ACTION_FIGURES``, and the
    agency's name and the case review's reference."""
    columns = ("source_type", "source_title", "source_case_id", "agency_id")
    names = (*columns, *reporting.ACTION_FIGURES, "agency", "case_reference")
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_REPORT_SETTINGS)
        latest = _LATEST.get(connection.vendor, _LATEST["other"])
        cursor.execute(_ACTION_FIGURES_SQL.format(latest=latest), [as_at] * 8)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _decisions_then(as_at: datetime.date) -> dict[int, tuple[str, str]]:
    """For each recommendation with any decision history, its decision and reason as they
    stood at the end of ``as_at``: the latest recorded decision dated on or before it, or
    undecided (blank) when none is. One query, reading at most two decisions for each
    recommendation: its latest recorded, and its latest recorded dated by then. When the
    latest recorded is dated by then it is both; so the latest read that is dated by then
    is the one that stood."""
    latest = RecommendationDecision.objects.order_by().values("recommendation")
    rows = (
        RecommendationDecision.objects.filter(
            Q(pk__in=Subquery(latest.annotate(last=Max("pk")).values("last")))
            | Q(
                pk__in=Subquery(
                    latest.filter(decided_on__lte=as_at).annotate(last=Max("pk")).values("last")
                )
            )
        )
        .order_by("pk")
        .values_list("recommendation_id", "decided_on", "decision", "reason")
    )
    then: dict[int, tuple[str, str]] = {}
    for rec_id, decided_on, decision, reason in rows:
        then.setdefault(rec_id, ("", ""))
        if decided_on <= as_at:
            then[rec_id] = (decision, reason)  # in order of pk: the latest read wins
    return then


LEARNING_FIGURES = "learning"  # the topic of the learning report's cached figures


def learning_report(*, as_at: datetime.date) -> dict[str, Any]:
    """The learning report as at ``as_at`` (``learning_report_counted``), the same for
    everyone who may see it, so kept in the cache under the version of the learning
    tracker's records, which every write to them changes (``receivers``): a repeated request
    costs one read of that version and a cache hit."""
    return cached_figures(
        LEARNING_FIGURES,
        f"report:{as_at.isoformat()}",
        lambda: learning_report_counted(as_at=as_at),
    )


def learning_report_for(*, user: Any, as_at: datetime.date) -> dict[str, Any]:
    """The learning report as ``user`` may see it: the partnership's figures, with every case
    review they may not see named only as one not shared with them (one more query)."""
    report = learning_report(as_at=as_at)
    if sees_every_case(user):
        return report
    sources: set[str] = set()
    _collect_sources(report, sources)
    hidden = hidden_case_references(user=user, candidates=sources)
    return _withhold(report, hidden) if hidden else report


def _collect_sources(value: Any, into: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "source" and isinstance(item, str):
                into.add(item)
            else:
                _collect_sources(item, into)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect_sources(item, into)


def _withhold(value: Any, hidden: set[str]) -> Any:
    """``value`` (the report, or part of it) with each hidden case's reference taken out: a
    source that is one reads as ``WITHHELD_SOURCE``; any other text loses the reference."""
    if isinstance(value, dict):
        return {key: _withhold(item, hidden) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_withhold(item, hidden) for item in value)
    if isinstance(value, str):
        if value in hidden:
            return WITHHELD_SOURCE
        for reference in hidden:
            value = case_withheld_from(value, reference)
        return value
    return value


def learning_report_counted(*, as_at: datetime.date) -> dict[str, Any]:
    """The learning report as at ``as_at``, as things stood at the end of that day: each
    recommendation's decision then and each action's status then, from their dated history
    (a recommendation with no history at all, written outside the services, is read as
    decided when made, by its own decision). Actions are counted in the database, grouped
    by source and agency, so the work in Python grows with the groups, not the actions."""
    then = _decisions_then(as_at)
    rows = (
        Recommendation.objects.filter(made_date__lte=as_at)
        .order_by()
        .values_list(
            "pk",
            "reference",
            "source_type",
            "source_title",
            "source_case__reference",
            "decision",
            "decision_reason",
        )
    )
    recommendations = []
    for pk, reference, source_type, title, case_reference, decision, reason in rows:
        if pk in then:
            decision, reason = then[pk]
        recommendations.append(
            {
                "reference": reference,
                "source_type": source_type,
                "source": case_reference or title,
                "decision": decision,
                "decision_reason": reason,
            }
        )
    groups = [
        {
            "source_type": row["source_type"],
            "source": row["case_reference"] or row["source_title"],
            **{name: row[name] for name in ("agency", *reporting.ACTION_FIGURES)},
        }
        for row in _action_figures(as_at)
    ]
    report = reporting.report(recommendations, groups, as_at=as_at)
    # An extra key, allowed by the contract: returns asked for by the date, not yet made then.
    report["dissemination_returns_outstanding"] = [
        {"source": reference, "agency": agency, "requested_on": requested.isoformat()}
        for reference, agency, requested in DisseminationReturn.objects.filter(
            requested_on__lte=as_at
        )
        .filter(Q(returned_on__isnull=True) | Q(returned_on__gt=as_at))
        .order_by("case__reference", "agency__name")
        .values_list("case__reference", "agency__name", "requested_on")
    ]
    return report


@dataclass(frozen=True)
class RecommendationFilters:
    search: str = ""
    source_type: str = ""
    decision: str = ""
    theme: Any = None
    agency: Any = None


def _action_count(visible: Q, **conditions: Any) -> Any:
    actions = Action.objects.filter(visible, recommendation=OuterRef("pk"), **conditions)
    return Coalesce(
        Subquery(actions.order_by().values("recommendation").annotate(n=Count("pk")).values("n")), 0
    )


def recommendation_list(*, user: Any, filters: RecommendationFilters) -> QuerySet[Recommendation]:
    recs = recommendations_for(user=user).select_related("source_case")
    if filters.search:
        term = filters.search.strip()
        # A withheld case's reference finds nothing: searching for it must not tell which
        # learning came from it.
        recs = recs.filter(
            Q(text__icontains=term)
            | (
                shared_source_filter(user=user)
                & (
                    Q(reference__icontains=term)
                    | Q(source_title__icontains=term)
                    | Q(source_case__reference__icontains=term)
                )
            )
        )
    if filters.source_type:
        recs = recs.filter(source_type=filters.source_type)
    if filters.decision:
        recs = recs.filter(decision="" if filters.decision == "undecided" else filters.decision)
    if filters.theme:
        recs = recs.filter(
            Exists(
                Recommendation.themes.through.objects.filter(
                    recommendation=OuterRef("pk"), practicetheme=filters.theme
                )
            )
        )
    if filters.agency:
        recs = recs.filter(
            Exists(
                Action.objects.filter(
                    visible_action_filter(user=user),
                    recommendation=OuterRef("pk"),
                    agency=filters.agency,
                )
            )
        )
    today = timezone.localdate()
    # Counted as the recommendation's page lists them: only the actions the user may see.
    visible = visible_action_filter(user=user)
    return recs.annotate(
        action_total=_action_count(visible),
        action_done=_action_count(visible, status__in=["complete", "closed_incomplete"]),
        action_overdue=_action_count(visible, status__in=OPEN, due_date__lt=today),
    ).order_by("-made_date", "reference")


def recommendation_get(*, user: Any, pk: int) -> Recommendation:
    """The recommendation, or not found when it does not exist or the user may not see it."""
    rec = recommendations_for(user=user).select_related("source_case", "lead").filter(pk=pk).first()
    if rec is None:
        raise Http404("No such recommendation.")
    return rec


def recommendation_page(*, user: Any, recommendation: Recommendation) -> dict[str, Any]:
    return {
        "actions": list(
            actions_for(user=user)
            .filter(recommendation=recommendation)
            .select_related("agency", "owner")
            .order_by("due_date", "reference")
        ),
        "decisions": list(recommendation.decisions.select_related("recorded_by").order_by("-pk")),
        "themes": list(recommendation.themes.order_by("name")),
        "agencies": list(recommendation.agencies.order_by("name")),
        "today": timezone.localdate(),
    }


@dataclass(frozen=True)
class ActionFilters:
    agency: Any = None
    status: str = ""
    overdue: bool = False
    mine: bool = False
    due_soon: bool = False  # open and due from today to DUE_SOON_DAYS ahead


DUE_SOON_DAYS = 30


def _withheld_by_subquery(*, user: Any) -> dict[str, Any]:
    """``withheld_annotations`` for actions, read by scalar subqueries rather than joins, so
    that a count of the list (which leaves them out) reads the actions' index alone. Each is
    worked out for the page's rows only, by index probes (``visible_case_exists``): as an
    ``EXISTS`` over every recommendation, PostgreSQL hashed all 50,000 first."""
    if sees_every_case(user):
        return {"case_withheld": Value(False)}
    source = Recommendation.objects.filter(pk=OuterRef("recommendation_id"))
    shown = Q(source_case__isnull=True) | visible_case_exists(
        user=user, case=OuterRef("source_case_id")
    )
    withheld = ExpressionWrapper(~shown, output_field=models.BooleanField())
    return {
        "case_withheld": Subquery(
            source.order_by().annotate(withheld=withheld).values("withheld")[:1]
        ),
        "withheld_case_reference": Subquery(source.order_by().values("source_case__reference")[:1]),
    }


def action_list_for(*, user: Any, filters: ActionFilters) -> QuerySet[Action]:
    """Actions, soonest due first; ``mine`` keeps those of the user's own agencies."""
    if filters.mine:
        # The user may see every action of their own agencies (``visible_action_filter``), so
        # the agency lead's list is read from the (agency, due date) index with no other test.
        actions = Action.objects.filter(agency_id__in=user.agency_ids).annotate(
            **_withheld_by_subquery(user=user)
        )
    else:
        actions = actions_for(user=user)
    actions = actions.select_related("agency", "recommendation", "owner")
    if filters.agency:
        actions = actions.filter(agency=filters.agency)
    if filters.status:
        actions = actions.filter(status=filters.status)
    if filters.overdue:
        actions = actions.filter(status__in=OPEN, due_date__lt=timezone.localdate())
    if filters.due_soon:
        today = timezone.localdate()
        actions = actions.filter(
            status__in=OPEN,
            due_date__gte=today,
            due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
    return actions.order_by("due_date", "reference")


def overdue_by_agency(*, user: Any = None, own_agencies: bool = False) -> list[dict[str, Any]]:
    """Open actions past their due date, counted for each agency: one small count per agency
    that searches the (agency, status, due date) index, rather than grouping every action.
    Given ``user``, only the actions they may see are counted, as the action list shows;
    with ``own_agencies``, only the user's own agencies, every action of which they may
    see, so each count is read from the index alone ("My agency's actions")."""
    visible = Q() if user is None or own_agencies else visible_action_filter(user=user)
    overdue = (
        Action.objects.filter(
            visible, agency=OuterRef("pk"), status__in=OPEN, due_date__lt=timezone.localdate()
        )
        .order_by()
        .values("agency")
        # COUNT(*): PostgreSQL answers from the index alone, without visiting each action.
        .annotate(n=Count("*"))
        .values("n")
    )
    agencies = Agency.objects.all()
    if own_agencies:
        agencies = agencies.filter(pk__in=list(user.agency_ids))
    counted = agencies.annotate(overdue=Coalesce(Subquery(overdue), 0)).values_list(
        "pk", "name", "overdue"
    )
    rows = [
        {"agency__pk": pk, "agency__name": name, "overdue": count}
        for pk, name, count in counted
        if count
    ]
    return sorted(rows, key=lambda row: (-row["overdue"], row["agency__name"]))


def action_get(*, user: Any, pk: int) -> Action:
    """The action, or not found when it does not exist or the user may not see it."""
    action = (
        actions_for(user=user)
        .select_related(
            "agency",
            "owner",
            "recommendation",
            "recommendation__source_case",
            "recommendation__lead",
        )
        .filter(pk=pk)
        .first()
    )
    if action is None:
        raise Http404("No such action.")
    return action


def action_signers(*, action: Action) -> list[Any]:
    """Who may close ``action`` and sign it off, by name: the recommendation's lead and the
    partnership's administrators, never the action's owner (as the sign-off policy says)."""
    people = User.objects.filter(
        Q(memberships__role=Role.ADMINISTRATOR) | Q(pk=action.recommendation.lead_id),
        is_active=True,
    )
    if action.owner_id:
        people = people.exclude(pk=action.owner_id)
    return list(people.distinct().order_by("full_name"))


def action_page(*, action: Action) -> dict[str, Any]:
    return {
        "signers": action_signers(action=action),
        "updates": list(action.updates.select_related("recorded_by")),
        "evidence": list(action.evidence.select_related("recorded_by").order_by("-dated", "-id")),
        "sign_offs": list(action.sign_offs.select_related("signed_by")),
        "status_changes": list(action.status_changes.select_related("recorded_by").order_by("-pk")),
        "today": timezone.localdate(),
    }


def theme_progress(*, user: Any) -> list[dict[str, Any]]:
    """For each practice theme: the recommendations the user may see and how far their
    actions got, counted in the database for each theme (two grouped queries), not action by
    action in Python."""
    through = Recommendation.themes.through
    recs_by_theme: dict[int, int] = {
        row["practicetheme_id"]: row["n"]
        for row in through.objects.filter(
            visible_recommendation_filter(user=user, field="recommendation_id")
        )
        .order_by()
        .values("practicetheme_id")
        .annotate(n=Count("*"))
    }
    today = timezone.localdate()
    counts: dict[int, Any] = {
        row["theme"]: row
        for row in Action.objects.filter(visible_action_filter(user=user))
        .filter(recommendation__themes__isnull=False)
        .order_by()
        .values(theme=F("recommendation__themes"))
        .annotate(
            actions=Count("*"),
            complete=Count(Value(1), filter=Q(status=ActionStatus.COMPLETE)),
            closed=Count(Value(1), filter=Q(status=ActionStatus.CLOSED_INCOMPLETE)),
            overdue=Count(Value(1), filter=Q(status__in=OPEN, due_date__lt=today)),
        )
    }
    rows = []
    for theme in PracticeTheme.objects.order_by("name"):
        found = counts.get(theme.pk, {})
        rows.append(
            {
                "theme": theme,
                "recommendations": recs_by_theme.get(theme.pk, 0),
                **{
                    name: found.get(name, 0)
                    for name in ("actions", "complete", "closed", "overdue")
                },
            }
        )
    return [row for row in rows if row["recommendations"]]


def tracker_rows(*, user: Any) -> Any:
    """The learning tracker in the contract's columns, one row per action (a recommendation
    with no action has one row with the action columns blank): it imports back unchanged.
    Only what ``user`` may see is in it, a case review they may not see withheld."""
    dissemination: dict[int, str] = {}
    impact: dict[int, str] = {}
    for action_id, kind, description in Evidence.objects.filter(imported=True).values_list(
        "action_id", "kind", "description"
    ):
        (dissemination if kind == EvidenceKind.DISSEMINATION else impact)[action_id] = description
    actions: dict[int, list[Action]] = {}
    for action in actions_for(user=user).select_related("agency").order_by("reference"):
        actions.setdefault(action.recommendation_id, []).append(action)
    for rec in recommendations_for(user=user).select_related("source_case").order_by("reference"):
        own = [
            rec.shown_reference,
            rec.source_type,
            rec.shown_source,
            rec.text,
            rec.made_date,  # dates stay dates: a workbook holds them as dates
            rec.decision,
            rec.decision_reason,
        ]
        if not actions.get(rec.pk):
            yield [*own] + [""] * 10
        for action in actions.get(rec.pk, []):
            yield [
                *own,
                action.shown_reference,
                action.agency.name,
                action.description,
                action.owner_email,
                action.due_date,
                action.status,
                action.completed_date,
                action.closed_reason,
                dissemination.get(action.pk, ""),
                impact.get(action.pk, ""),
            ]


def agency_lead_emails(*, agency_ids: list[int]) -> dict[int, list[str]]:
    """The active agency leads' addresses of each agency."""
    leads: dict[int, list[str]] = {}
    rows = Membership.objects.filter(
        agency_id__in=set(agency_ids), role=Role.AGENCY_LEAD, user__is_active=True
    ).values_list("agency_id", "user__email")
    for agency_id, email in rows.order_by("user__email"):
        leads.setdefault(agency_id, []).append(email)
    return leads


def returns_for(
    *, user: Any, outstanding_only: bool = False, agency: Any = None
) -> QuerySet[DisseminationReturn]:
    """Dissemination returns: every one for the business unit, their agencies' for others
    (``agency``'s alone when given)."""
    items = DisseminationReturn.objects.select_related("case", "agency", "returned_by")
    if not runs_learning(user):
        items = items.filter(agency_id__in=user.agency_ids)
        items = items.filter(visible_case_filter(user=user, field="case_id"))
    if agency is not None:
        items = items.filter(agency=agency)
    if outstanding_only:
        items = items.filter(returned_on__isnull=True)
    return items.order_by(
        F("returned_on").asc(nulls_first=True), "-requested_on", "case__reference", "agency__name"
    )


def return_get(*, user: Any, pk: int) -> DisseminationReturn:
    item = returns_for(user=user).filter(pk=pk).first()
    if item is None:
        raise NotVisibleError("No such dissemination return.")
    return item


def actions_owned_by(*, user: Any) -> QuerySet[Action]:
    """The open actions ``user`` owns, soonest due first: theirs to open whatever their role.
    An owner sees every action they own (``visible_action_filter`` holds them through
    ``_acts_on``), so only what they may see of each source is worked out."""
    return (
        Action.objects.filter(owner_id=user.pk, status__in=OPEN)
        .annotate(**withheld_annotations(user=user, prefix="recommendation__"))
        .order_by("due_date", "reference")
    )


def review_learning(*, case: Any) -> list[Recommendation]:
    """The learning an agency is asked to spread from a review: its recommendations, apart
    from those the partnership did not accept."""
    return list(
        Recommendation.objects.filter(source_case=case)
        .exclude(decision=Decision.NOT_ACCEPTED)
        .order_by("reference")
    )


def published_cases_without_returns() -> list[Any]:
    """Published reviews with an involved agency not yet asked for a return."""
    asked = DisseminationReturn.objects.filter(
        case=OuterRef("case_id"), agency=OuterRef("agency_id")
    )
    unasked = Case.agencies.through.objects.filter(case=OuterRef("pk")).exclude(Exists(asked))
    return list(
        Case.objects.filter(published_date__isnull=False)
        .filter(Exists(unasked))
        .order_by("-published_date")[:50]
    )


def actions_by_reference(*, references: Iterable[str]) -> dict[str, Action]:
    """Actions under their references in capitals (references ignore letter case), for
    other parts of Sightline that link to actions by reference."""
    keys = sorted({reference.strip().upper() for reference in references if reference.strip()})
    found: dict[str, Action] = {}
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        actions = Action.objects.select_related("agency").annotate(key=Upper("reference"))
        for action in actions.filter(key__in=chunk):
            found[action.reference.upper()] = action
    return found


@dataclass(frozen=True)
class CaseAgencyActions:
    """One agency's actions on a case's recommendations: how many, how many complete, and
    what they are (descriptions only: no owner, for use in published learning)."""

    agency: str
    total: int
    complete: int
    descriptions: tuple[str, ...]


def case_actions_by_agency(*, case_id: int) -> list[CaseAgencyActions]:
    """The actions agencies took on a case's accepted recommendations, by agency name, in one
    query."""
    rows = (
        Action.objects.filter(recommendation__source_case_id=case_id)
        .exclude(recommendation__decision=Decision.NOT_ACCEPTED)
        .order_by("agency__name", "reference")
        .values_list("agency__name", "status", "description")
    )
    grouped: dict[str, list[tuple[str, str]]] = {}
    for agency, status, description in rows:
        grouped.setdefault(agency, []).append((status, description))
    return [
        CaseAgencyActions(
            agency=agency,
            total=len(actions),
            complete=sum(1 for status, _ in actions if status == ActionStatus.COMPLETE),
            descriptions=tuple(description for _, description in actions),
        )
        for agency, actions in grouped.items()
    ]


@dataclass(frozen=True)
class NotAcceptedRecommendation:
    reference: str
    source_type: str
    source: str
    reason: str


def adult_review_recommendations_not_accepted(
    *, as_at: datetime.date
) -> list[NotAcceptedRecommendation]:
    """Recommendations of safeguarding adult reviews (recorded as such, or made by a case on
    the adult route) made by ``as_at`` and not accepted, with the reasons, by reference."""
    rows = (
        Recommendation.objects.filter(made_date__lte=as_at, decision=Decision.NOT_ACCEPTED)
        .filter(Q(source_type=SourceType.SAR) | Q(source_case__route="adult"))
        .order_by("reference")
        .values_list(
            "reference", "source_type", "source_case__reference", "source_title", "decision_reason"
        )
    )
    return [
        NotAcceptedRecommendation(reference, source_type, case_reference or title, reason)
        for reference, source_type, case_reference, title, reason in rows
    ]


@dataclass(frozen=True)
class AgencyActionCounts:
    """One agency's learning actions: open, past their due date, and due soon."""

    agency_id: int
    open: int
    overdue: int
    due_soon: int


def action_counts_by_agency(
    *, today: datetime.date, within_days: int = 30, agency_ids: Iterable[int] | None = None
) -> list[AgencyActionCounts]:
    """Open actions counted for each agency in one grouped query: all open, overdue (due
    before ``today``) and due soon (from ``today`` to ``within_days`` days ahead)."""
    horizon = today + datetime.timedelta(days=within_days)
    actions = Action.objects.filter(status__in=OPEN)
    if agency_ids is not None:
        actions = actions.filter(agency_id__in=list(agency_ids))
    rows = (
        actions.order_by()
        .values("agency_id")
        .annotate(
            # COUNT(*), not COUNT(id): PostgreSQL can then answer from the (agency, status,
            # due date) index alone.
            open=Count("*"),
            overdue=Count(Value(1), filter=Q(due_date__lt=today)),
            due_soon=Count(Value(1), filter=Q(due_date__gte=today, due_date__lte=horizon)),
        )
        .values_list("agency_id", "open", "overdue", "due_soon")
    )
    return [AgencyActionCounts(*row) for row in rows]


@dataclass(frozen=True)
class AgencyReturnCounts:
    """One agency's returns (dissemination or audit): asked for, made, and still to make."""

    agency_id: int
    requested: int
    returned: int

    @property
    def outstanding(self) -> int:
        return self.requested - self.returned


def dissemination_return_counts_by_agency() -> list[AgencyReturnCounts]:
    """Dissemination returns asked of each agency and made, in one grouped query."""
    rows = (
        DisseminationReturn.objects.order_by()
        .values("agency_id")
        .annotate(
            requested=Count("*"), returned=Count(Value(1), filter=Q(returned_on__isnull=False))
        )
        .values_list("agency_id", "requested", "returned")
    )
    return [AgencyReturnCounts(*row) for row in rows]


def undecided_recommendations() -> QuerySet[Recommendation]:
    """Recommendations the partnership has not decided on yet: the practice review group's
    to accept, or not."""
    return Recommendation.objects.filter(decision="")


@dataclass(frozen=True)
class GroupLearningCounts:
    """What the practice review group's dashboard counts of the learning: recommendations
    waiting for its decision, and its member's agencies' open actions overdue and due soon."""

    undecided: int
    actions_overdue: int
    actions_due_soon: int


def group_learning_counts(
    *, user: Any, today: datetime.date, within_days: int
) -> GroupLearningCounts:
    """``GroupLearningCounts`` for ``user``'s agencies in one query (``counts_of``): the
    actions' counts read the ``(agency, status, due date)`` index alone."""
    agency_ids = list(user.agency_ids)
    counting: dict[str, QuerySet[Any]] = {"undecided": undecided_recommendations()}
    if agency_ids:  # someone in no agency has no agency's actions (``IN ()`` is no count)
        actions = Action.objects.filter(agency_id__in=agency_ids, status__in=OPEN)
        horizon = today + datetime.timedelta(days=within_days)
        counting["overdue"] = actions.filter(due_date__lt=today)
        counting["due_soon"] = actions.filter(due_date__gte=today, due_date__lte=horizon)
    counts = counts_of(User.objects.filter(pk=user.pk), **counting)
    return GroupLearningCounts(
        undecided=counts["undecided"],
        actions_overdue=counts.get("overdue", 0),
        actions_due_soon=counts.get("due_soon", 0),
    )


@dataclass(frozen=True)
class AgencyOverdue:
    """How many of an agency's learning actions were overdue."""

    agency: str
    overdue: int


def _open_on(day: datetime.date) -> Q:
    """Actions neither complete nor closed on ``day``: a completion or closing dated later
    had not happened yet (a closing with no date counts as done)."""
    complete = Q(status=ActionStatus.COMPLETE, completed_date__lte=day)
    closed = Q(status=ActionStatus.CLOSED_INCOMPLETE) & (
        Q(closed_date__isnull=True) | Q(closed_date__lte=day)
    )
    return ~complete & ~closed


def _overdue_on(day: datetime.date) -> Q:
    """Actions of recommendations made by ``day``, due before it and open on it."""
    return Q(recommendation__made_date__lte=day, due_date__lt=day) & _open_on(day)


def _could_be_overdue(days: list[datetime.date]) -> Q:
    """What ``_overdue_on`` implies for every one of ``days``, and costs little to test: due
    before the last day, and open now or completed or closed (with a date) after the first.
    It leaves out the many actions finished long before, so that the database tests each
    day's conditions (and joins the recommendation) for the few that could be overdue."""
    first, last = min(days), max(days)
    return Q(due_date__lt=last) & (
        Q(status__in=OPEN)
        | Q(status=ActionStatus.COMPLETE, completed_date__gt=first)
        | Q(status=ActionStatus.CLOSED_INCOMPLETE, closed_date__gt=first)
    )


def overdue_actions_by_agency_on(
    *, day: datetime.date, today: datetime.date
) -> list[AgencyOverdue]:
    """Overdue learning actions for each agency with any: today's count, as the tracker
    counts it, when ``day`` is today or later; otherwise those overdue and open on ``day``
    (one grouped query)."""
    if day >= today:
        return [
            AgencyOverdue(agency=row["agency__name"], overdue=row["overdue"])
            for row in overdue_by_agency()
        ]
    rows = (
        Action.objects.filter(_could_be_overdue([day]), _overdue_on(day))
        .order_by()
        .values("agency__name")
        .annotate(overdue=Count("pk"))
        .values_list("agency__name", "overdue")
    )
    return [AgencyOverdue(agency=agency, overdue=count) for agency, count in rows]


@dataclass(frozen=True)
class OverdueOn:
    """How many learning actions were overdue on ``day``."""

    day: datetime.date
    overdue: int


def overdue_action_counts(*, days: list[datetime.date]) -> list[OverdueOn]:
    """For each of ``days``: the actions of recommendations made by then, due before the day
    and neither complete nor closed on it. One query for every day together."""
    if not days:
        return []
    today = timezone.localdate()
    past = [day for day in days if day < today]
    counts = (
        Action.objects.filter(_could_be_overdue(past))
        .order_by()
        .aggregate(**{f"overdue_{day}": Count("pk", filter=_overdue_on(day)) for day in past})
        if past
        else {}
    )
    if len(past) < len(days):
        # Today (or later) is counted as the tracker counts it, from the actions' status
        # now: an index-only count, rather than every action's dates checked.
        counts["now"] = _overdue_now_count(today=today)
    return [
        OverdueOn(day=day, overdue=counts[f"overdue_{day}" if day < today else "now"])
        for day in days
    ]


def _overdue_now_count(*, today: datetime.date) -> int:
    """Open actions due before ``today``, as the tracker counts them."""
    return Action.objects.filter(status__in=OPEN, due_date__lt=today).order_by().count()

"""Every write to inspections: atomic, audited in the same transaction. An inspection's
recommendations are the learning tracker's, made through its service and linked here in the
same transaction, so their actions and evidence are tracked like any other."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from sightline.core.models import AuditEvent
from sightline.core.services import audit_record, changes_between, snapshot
from sightline.learning.models import Recommendation
from sightline.learning.services import recommendation_save
from sightline.learning.vocabulary import SourceType

from ..models import Audit, Inspection
from ..vocabulary import InspectionType, Inspectorate

INSPECTION_FIELDS = (
    "inspectorate",
    "kind",
    "title",
    "started_on",
    "published_on",
    "judgement",
    "report_url",
    "summary",
)
# Which inspectorates carry out each type of inspection; any may make an "other" one.
INSPECTORATES_FOR = {
    InspectionType.ILACS: (Inspectorate.OFSTED,),
    InspectionType.FOCUSED_VISIT: (Inspectorate.OFSTED,),
    InspectionType.JTAI: (
        Inspectorate.JOINT,
        Inspectorate.OFSTED,
        Inspectorate.CQC,
        Inspectorate.HMICFRS,
    ),
    InspectionType.PEEL: (Inspectorate.HMICFRS,),
    InspectionType.NCPI: (Inspectorate.HMICFRS,),
    InspectionType.CQC_ASSESSMENT: (Inspectorate.CQC,),
}
FURTHEST_START = datetime.timedelta(days=365)
_report_link = URLValidator(schemes=["http", "https"])


def _long(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _values(data: dict[str, Any]) -> dict[str, Any]:
    values = {name: data.get(name) for name in INSPECTION_FIELDS}
    for name in ("title", "judgement", "report_url"):
        values[name] = " ".join((values[name] or "").split())
    values["summary"] = (values["summary"] or "").strip()
    return values


def _check(values: dict[str, Any], inspection: Inspection | None = None) -> None:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    started, published = values["started_on"], values["published_on"]
    if not values["title"]:
        errors["title"] = "Enter the inspection's title"
    if values["inspectorate"] not in Inspectorate.values:
        errors["inspectorate"] = "Choose the inspectorate"
    if values["kind"] not in InspectionType.values:
        errors["kind"] = "Choose the type of inspection"
    if started is None:
        raise ValidationError({"started_on": "Enter the date the inspection started", **errors})
    if started > today + FURTHEST_START:
        errors["started_on"] = (
            "The start date cannot be more than a year from today: check the year"
        )
    if published is not None:
        if published > today:
            errors["published_on"] = "The date the report was published must be today or earlier"
        elif published < started:
            errors["published_on"] = (
                "The report must be published on or after the day the inspection started"
            )
    if values["report_url"]:
        try:
            _report_link(values["report_url"])
        except ValidationError:
            errors["report_url"] = (
                "Enter the link to the report as a full web address, starting https://"
            )
    allowed = INSPECTORATES_FOR.get(values["kind"])
    if allowed and "inspectorate" not in errors and values["inspectorate"] not in allowed:
        labels = [Inspectorate(item).label for item in allowed]
        names = " or ".join([", ".join(labels[:-1]), labels[-1]] if len(labels) > 1 else labels)
        errors["inspectorate"] = (
            f"{InspectionType(values['kind']).label} is carried out by {names}: "
            "change the inspectorate or the type of inspection"
        )
    if inspection is not None and inspection.pk:
        earliest = (
            inspection.recommendations.order_by("made_date")
            .values_list("made_date", flat=True)
            .first()
        )
        if earliest is not None and earliest < started:
            errors["started_on"] = (
                f"A recommendation from this inspection was made on {_long(earliest)}, "
                "before this date: check the dates"
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def inspection_create(*, actor: Any, data: dict[str, Any]) -> Inspection:
    values = _values(data)
    _check(values)
    inspection = Inspection(**values, created_by=actor, updated_by=actor)
    inspection.save()
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=inspection,
        changes=changes_between({}, snapshot(inspection, INSPECTION_FIELDS)),
    )
    return inspection


@transaction.atomic
def inspection_edit(*, actor: Any, inspection: Inspection, data: dict[str, Any]) -> Inspection:
    """Change an inspection. A new title is carried to its recommendations' source, through
    the learning tracker's service."""
    values = _values(data)
    _check(values, inspection)
    before = snapshot(inspection, INSPECTION_FIELDS)
    old_title = inspection.title
    for name, value in values.items():
        setattr(inspection, name, value)
    changes = changes_between(before, snapshot(inspection, INSPECTION_FIELDS))
    if not changes:
        return inspection
    inspection.updated_at, inspection.updated_by = timezone.now(), actor
    inspection.save()
    audit_record(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=inspection, changes=changes)
    if inspection.title != old_title:
        sources_retitle(
            actor=actor,
            recommendations=inspection.recommendations.filter(source_type=SourceType.INSPECTION),
            old=old_title,
            new=inspection.title,
        )
    return inspection


def sources_retitle(
    *, actor: Any, recommendations: QuerySet[Recommendation], old: str, new: str
) -> None:
    """Name the renamed inspection or audit as the source of the recommendations made from
    it, through the learning tracker's service (which audits each change)."""
    for rec in recommendations.filter(source_title=old).select_related("lead"):
        recommendation_save(
            actor=actor,
            recommendation=rec,
            data={
                "reference": rec.reference,
                "source_type": rec.source_type,
                "source": new,
                "text": rec.text,
                "made_date": rec.made_date,
                "decision": rec.decision,
                "decision_reason": rec.decision_reason,
                "lead": rec.lead,
            },
        )


def recommendation_from_source(
    *,
    actor: Any,
    source_type: SourceType,
    source: str,
    data: dict[str, Any],
    themes: list[Any] | None = None,
) -> Recommendation:
    """A new learning tracker recommendation from an inspection or an audit, made by the
    learning tracker's service (which checks the reference is new, and audits it)."""
    return recommendation_save(
        actor=actor,
        recommendation=None,
        data={
            "reference": data["reference"],
            "source_type": source_type,
            "source": source,
            "text": data["text"].strip(),
            "made_date": data["made_date"],
            "decision": "",
            "decision_reason": "",
            "lead": data.get("lead"),
            "agencies": list(data.get("agencies") or []),
            "themes": list(themes or []),
        },
    )


@transaction.atomic
def recommendation_link(
    *,
    actor: Any,
    owner: Inspection | Audit,
    source_type: SourceType,
    data: dict[str, Any],
    not_before: datetime.date,
    too_early: str,
    change: str,
    themes: list[Any] | None = None,
) -> Recommendation:
    """Make a learning tracker recommendation from ``owner`` (an inspection or an audit),
    dated no earlier than ``not_before``, and link it, audited as ``change`` on ``owner``:
    all in one transaction, so a refused recommendation leaves no link behind."""
    if data["made_date"] < not_before:
        raise ValidationError({"made_date": f"{too_early} ({_long(not_before)})"})
    rec = recommendation_from_source(
        actor=actor, source_type=source_type, source=owner.title, data=data, themes=themes
    )
    owner.recommendations.add(rec)
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=owner,
        changes={change: {"from": None, "to": rec.reference}},
    )
    return rec


def inspection_recommendation_add(
    *, actor: Any, inspection: Inspection, data: dict[str, Any]
) -> Recommendation:
    """Add a recommendation (an area for improvement) to the learning tracker from this
    inspection, and link it; its actions are then added in the learning tracker."""
    return recommendation_link(
        actor=actor,
        owner=inspection,
        source_type=SourceType.INSPECTION,
        data=data,
        not_before=inspection.started_on,
        too_early="The date must be on or after the day the inspection started",
        change="recommendations",
    )

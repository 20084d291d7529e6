"""The case reviews' kinds of record for the retention registry: cases (anonymised, never
deleted), their restricted details, and referrals that did not become a case."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import F, Q
from django.db.models.functions import Coalesce, TruncDate

from sightline.core.retention import (
    Candidate,
    Disposal,
    RecordKind,
    SubjectQuery,
    SubjectRow,
    register,
    subject_filter,
)

from .lifecycle import Stage
from .models import Case, Referral, ReferralStatus

# What an anonymised case is called instead of its pseudonym.
ANONYMISED = "Anonymised"
FINISHED = (Stage.PUBLISHED, Stage.CLOSED)
NO_PERIOD = (
    "No national period: Working Together to Safeguard Children 2023 (chapter 5, child "
    "safeguarding practice reviews), the Care Act 2014 statutory guidance (chapter 14, "
    "safeguarding adults reviews) and the Home Office's statutory guidance for domestic "
    "homicide reviews require the reviews, not a period for keeping their records. Local "
    "authority schedules based on the IRMS Retention Guidelines for Local Authorities keep "
    "child protection records for decades. Partnership decision, with the local authority's "
    "records manager."
)


def _finished_cases(before: datetime.datetime) -> Any:
    return (
        Case.objects.filter(stage__in=FINISHED)
        .annotate(
            ended=Coalesce(
                "published_date", "decision_date", "opened_on", TruncDate(F("created_at"))
            )
        )
        .filter(ended__lt=before.date())
    )


def _candidate(case: Any) -> Candidate:
    return Candidate(
        object_type="reviews.case",
        object_id=str(case.pk),
        label=f"Case {case.reference}",
        dated=case.ended,
        case_reference=case.reference,
    )


def cases_past(*, before: datetime.datetime) -> Iterable[Candidate]:
    rows = _finished_cases(before).exclude(pseudonym=ANONYMISED).only("reference")
    return [_candidate(case) for case in rows.order_by("ended", "pk")]


def cases_anonymise(*, ids: list[str], actor: Any, before: datetime.datetime) -> int:
    """Keep the case (its route, milestones and outcome count in the figures) but remove
    what could identify the child or adult: pseudonym, lead reviewer, restricted details."""
    blank = dict.fromkeys(Case.RESTRICTED_FIELDS, "")
    return (
        _finished_cases(before)
        .filter(pk__in=ids)
        .update(pseudonym=ANONYMISED, lead_reviewer="", **blank)
    )


def _has_restricted() -> Q:
    return ~Q(**dict.fromkeys(Case.RESTRICTED_FIELDS, ""))


def restricted_past(*, before: datetime.datetime) -> Iterable[Candidate]:
    rows = _finished_cases(before).filter(_has_restricted()).only("reference")
    return [_candidate(case) for case in rows.order_by("ended", "pk")]


def restricted_remove(*, ids: list[str], actor: Any, before: datetime.datetime) -> int:
    blank = dict.fromkeys(Case.RESTRICTED_FIELDS, "")
    return _finished_cases(before).filter(pk__in=ids).update(**blank)


def _closed_referrals(before: datetime.datetime) -> Any:
    return Referral.objects.filter(
        status=ReferralStatus.CLOSED, case__isnull=True, decided_at__lt=before
    )


def referrals_past(*, before: datetime.datetime) -> Iterable[Candidate]:
    rows = _closed_referrals(before).only("pk", "decided_at", "referrer_id")
    return [
        Candidate(
            object_type="reviews.referral",
            object_id=str(referral.pk),
            label=f"Referral {referral.pk}, closed without a review",
            dated=referral.decided_at.date(),
            person_id=referral.referrer_id,
        )
        for referral in rows.order_by("decided_at", "pk")
    ]


def referrals_delete(*, ids: list[str], actor: Any, before: datetime.datetime) -> int:
    chosen = _closed_referrals(before).filter(pk__in=ids)
    for referral in chosen:
        referral.agencies.clear()
    deleted, _ = chosen.delete()
    return int(deleted)


def subject_rows(*, query: SubjectQuery) -> Iterable[SubjectRow]:
    """Cases by reference (with their restricted details: a subject access request may need
    them), and referrals by reference, contact email or the referrer's name or email."""
    rows: list[SubjectRow] = []
    if query.case_reference:
        for case in Case.objects.filter(reference__iexact=query.case_reference):
            for field in (
                "reference",
                "route",
                "pseudonym",
                "outcome",
                "opened_on",
                "lead_reviewer",
                *sorted(Case.RESTRICTED_FIELDS),
            ):
                rows.append(SubjectRow("Case", str(case.pk), field, str(getattr(case, field))))
    who = subject_filter(
        query,
        email=("contact_email", "referrer__email"),
        name=("referrer__full_name",),
        case_reference=("case__reference",),
    )
    fields = ("pseudonym", "aware_on", "what_happened", "why_review", "contact_email", "status")
    for referral in Referral.objects.filter(who).order_by("pk"):
        for field in fields:
            rows.append(
                SubjectRow("Referral", str(referral.pk), field, str(getattr(referral, field)))
            )
    return rows


register(
    RecordKind(
        key="cases",
        label="Cases",
        description="A case review's record: route, milestones, decisions, outcome.",
        default_months=None,
        source=NO_PERIOD,
        counts_from="Publication, else the decision, else when the case was opened; only "
        "cases published or closed without a review",
        disposal=Disposal.ANONYMISE,
        find="sightline.reviews.retention.cases_past",
        dispose="sightline.reviews.retention.cases_anonymise",
        subject="sightline.reviews.retention.subject_rows",
    )
)
register(
    RecordKind(
        key="restricted_details",
        label="Restricted details",
        description="A case's summary, age band, sex, ethnicity, disability and legal status.",
        default_months=None,
        source=NO_PERIOD,
        counts_from="As for cases",
        disposal=Disposal.ANONYMISE,
        find="sightline.reviews.retention.restricted_past",
        dispose="sightline.reviews.retention.restricted_remove",
    )
)
register(
    RecordKind(
        key="referrals",
        label="Referrals",
        description="Referrals closed without becoming a case (one that became a case is "
        "kept with it).",
        default_months=72,
        source="Suggested: six years, the period of the Limitation Act 1980 (section 2) for "
        "claims, which local authority schedules commonly use for contacts that did not "
        "proceed (check against the IRMS Retention Guidelines for Local Authorities). "
        "Partnership decision.",
        counts_from="When the referral was closed",
        disposal=Disposal.DELETE,
        find="sightline.reviews.retention.referrals_past",
        dispose="sightline.reviews.retention.referrals_delete",
    )
)

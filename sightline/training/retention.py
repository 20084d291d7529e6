"""Training's kind of record for the retention registry: bookings of sessions long past keep
their counts (who came from which agency and sector) but not the manager's address."""

import datetime
from collections.abc import Iterable
from typing import Any

from sightline.core.retention import (
    Candidate,
    Disposal,
    RecordKind,
    SubjectQuery,
    SubjectRow,
    register,
    subject_filter,
)

from .models import Booking


def _past(before: datetime.datetime) -> Any:
    return Booking.objects.filter(booked_at__lt=before).exclude(manager_email="")


def training_past(*, before: datetime.datetime) -> Iterable[Candidate]:
    rows = _past(before).only("pk", "booked_at", "delegate_id")
    return [
        Candidate(
            object_type="training.booking",
            object_id=str(booking.pk),
            label=f"Training booking {booking.pk}",
            dated=booking.booked_at.date(),
            person_id=booking.delegate_id,
        )
        for booking in rows.order_by("booked_at", "pk")
    ]


def training_anonymise(*, ids: list[str], actor: Any, before: datetime.datetime) -> int:
    return _past(before).filter(pk__in=ids).update(manager_email="")


def subject_rows(*, query: SubjectQuery) -> Iterable[SubjectRow]:
    who = subject_filter(
        query, email=("delegate__email", "manager_email"), name=("delegate__full_name",)
    )
    bookings = Booking.objects.filter(who).select_related("session__course").order_by("pk")
    return [
        SubjectRow("Training booking", str(booking.pk), field, str(value))
        for booking in bookings
        for field, value in (
            ("course", booking.session.course),
            ("status", booking.status),
            ("attendance", booking.attendance),
            ("manager_email", booking.manager_email),
            ("booked_at", booking.booked_at),
        )
    ]


register(
    RecordKind(
        key="training_records",
        label="Training records",
        description="Bookings and attendance. The attendance counts stay (reports count "
        "them); past the period the manager's address is removed.",
        default_months=72,
        source="Suggested: six years, the Limitation Act 1980 period commonly used for "
        "training records (check against the IRMS Retention Guidelines for Local "
        "Authorities). Partnership decision.",
        counts_from="When the place was booked",
        disposal=Disposal.ANONYMISE,
        find="sightline.training.retention.training_past",
        dispose="sightline.training.retention.training_anonymise",
        subject="sightline.training.retention.subject_rows",
    )
)

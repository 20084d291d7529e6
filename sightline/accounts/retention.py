"""Accounts' kind of record for the retention registry: the record of each sign-in (which
session belonged to whom, from when). Sign-ins and the addresses they came from are also in
the audit trail, which is kept and archived with it (see the core's kinds)."""

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

from .models import User, UserSession


def sign_ins_past(*, before: datetime.datetime) -> Iterable[Candidate]:
    rows = UserSession.objects.filter(created_at__lt=before).only("pk", "created_at", "user_id")
    return [
        Candidate(
            object_type="accounts.usersession",
            object_id=str(session.pk),
            label=f"Sign-in record {session.pk}",
            dated=session.created_at.date(),
            person_id=session.user_id,
        )
        for session in rows.order_by("created_at", "pk")
    ]


def sign_ins_delete(*, ids: list[str], actor: Any, before: datetime.datetime) -> int:
    deleted, _ = UserSession.objects.filter(created_at__lt=before, pk__in=ids).delete()
    return int(deleted)


def subject_rows(*, query: SubjectQuery) -> Iterable[SubjectRow]:
    who = subject_filter(query, email=("email",), name=("full_name",))
    rows: list[SubjectRow] = []
    for user in User.objects.filter(who).prefetch_related("sessions").order_by("pk"):
        rows += [
            SubjectRow("Account", str(user.pk), "full_name", user.full_name),
            SubjectRow("Account", str(user.pk), "email", user.email),
            SubjectRow("Account", str(user.pk), "is_active", str(user.is_active)),
        ]
        rows += [
            SubjectRow("Sign-in record", str(s.pk), "created_at", str(s.created_at))
            for s in user.sessions.all()
        ]
    return rows


register(
    RecordKind(
        key="sign_in_records",
        label="Sign-in records and addresses",
        description="Which session belonged to whom and from when. The sign-in events and "
        "their internet addresses are in the audit trail, kept for its period.",
        default_months=12,
        source="Suggested: UK GDPR Article 5(1)(e) (storage limitation) and the ICO's "
        "guidance on it; a year covers an investigation of a misused account. Partnership "
        "decision.",
        counts_from="The sign-in",
        disposal=Disposal.DELETE,
        find="sightline.accounts.retention.sign_ins_past",
        dispose="sightline.accounts.retention.sign_ins_delete",
        subject="sightline.accounts.retention.subject_rows",
    )
)

"""Accounts' kind of record for the retention registry: the record of each sign-in (who,
when, from which address, how: the account page's recent sign-ins). Sign-ins and the
addresses they came from are also in the audit trail, which is kept and archived with it
(see the core's kinds)."""

import datetime
from collections.abc import Iterable
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from sightline.core.retention import (
    Candidate,
    Disposal,
    RecordKind,
    SubjectQuery,
    SubjectRow,
    register,
    subject_filter,
)

from .models import SignInRecord, User, UserSession


def sign_ins_past(*, before: datetime.datetime) -> Iterable[Candidate]:
    rows = SignInRecord.objects.filter(at__lt=before).only("pk", "at", "user_id")
    return [
        Candidate(
            object_type="accounts.signinrecord",
            object_id=str(record.pk),
            label=f"Sign-in record {record.pk}",
            dated=record.at.date(),
            person_id=record.user_id,
        )
        for record in rows.order_by("at", "pk")
    ]


def sign_ins_delete(*, ids: list[str], actor: Any, before: datetime.datetime) -> int:
    records = SignInRecord.objects.filter(at__lt=before, pk__in=ids)
    # A session row as old as its record is a leftover of a session long expired.
    UserSession.objects.filter(
        created_at__lt=before, session_key__in=records.values("session_key")
    ).delete()
    deleted, _ = records.delete()
    return int(deleted)


def subject_rows(*, query: SubjectQuery) -> Iterable[SubjectRow]:
    who = subject_filter(query, email=("email",), name=("full_name",))
    rows: list[SubjectRow] = []
    users = list(
        User.objects.filter(who)
        .prefetch_related("sign_in_records", "passkeys", "external_identities")
        .order_by("pk")
    )
    apps: dict[int, list[TOTPDevice]] = {}
    for app in TOTPDevice.objects.filter(user__in=users).order_by("pk"):
        apps.setdefault(app.user_id, []).append(app)
    for user in users:
        rows += [
            SubjectRow("Account", str(user.pk), "full_name", user.full_name),
            SubjectRow("Account", str(user.pk), "email", user.email),
            SubjectRow("Account", str(user.pk), "is_active", str(user.is_active)),
            SubjectRow("Account", str(user.pk), "suspended_at", str(user.suspended_at or "")),
        ]
        for record in user.sign_in_records.all():
            rows += [
                SubjectRow("Sign-in record", str(record.pk), "at", str(record.at)),
                SubjectRow("Sign-in record", str(record.pk), "ip_address", record.ip_address or ""),
                SubjectRow("Sign-in record", str(record.pk), "method", record.method_label),
            ]
        # Second factors and linked work accounts: what they are called and when they were
        # added, never a key or a secret.
        rows += [
            SubjectRow("Authenticator app", str(app.pk), "name", app.name)
            for app in apps.get(user.pk, [])
        ]
        for key in user.passkeys.all():
            rows += [
                SubjectRow("Passkey", str(key.pk), "name", key.name),
                SubjectRow("Passkey", str(key.pk), "created_at", str(key.created_at)),
            ]
        for identity in user.external_identities.all():
            rows += [
                SubjectRow("Single sign-on", str(identity.pk), "provider", identity.provider_key),
                SubjectRow("Single sign-on", str(identity.pk), "subject", identity.subject),
            ]
    return rows


register(
    RecordKind(
        key="sign_in_records",
        label="Sign-in records and addresses",
        description="Each sign-in: who, when, from which internet address and how (the "
        "account page's recent sign-ins). The sign-in events are also in the audit trail, "
        "kept for its period.",
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

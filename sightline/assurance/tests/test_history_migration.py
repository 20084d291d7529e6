"""The migration that begins the settings, return, figure and audit history carries over
what is held."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("assurance", "0004_partnership_groups")]
AFTER = [("assurance", "0005_dated_history")]


@pytest.mark.django_db(transaction=True)
def test_the_settings_returns_and_audit_statuses_become_the_first_of_their_history():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    RiskSettings = apps.get_model("assurance", "RiskSettings")
    Group = apps.get_model("assurance", "Group")
    AssuranceReturn = apps.get_model("assurance", "AssuranceReturn")
    User = apps.get_model("accounts", "User")
    RiskSettings.objects.create(appetite=12)
    user = User.objects.create(email="chair@example.test", full_name="Chair")
    group = Group.objects.create(name="Migration group", kind="subgroup")
    submitted = datetime.datetime(2024, 4, 8, 9, tzinfo=datetime.UTC)
    item = AssuranceReturn.objects.create(
        group=group,
        quarter_start=datetime.date(2024, 1, 1),
        level="partial",
        summary="Gaps found.",
        exceptions="Chronologies.",
        submitted_by=user,
        submitted_at=submitted,
    )
    Audit = apps.get_model("assurance", "Audit")
    AuditEvent = apps.get_model("core", "AuditEvent")
    added = datetime.datetime(2024, 1, 5, 9, tzinfo=datetime.UTC)
    reported = Audit.objects.create(
        title="Audited", scope="Cases", quarter_start=datetime.date(2024, 1, 1), status="reported"
    )
    for kind, day, changes in (
        ("create", datetime.date(2024, 1, 5), {"status": {"from": None, "to": "planned"}}),
        ("update", datetime.date(2024, 2, 1), {"status": {"from": "planned", "to": "in_progress"}}),
        ("update", datetime.date(2024, 3, 1), {"summary": {"from": "", "to": "Found"}}),
        (
            "update",
            datetime.date(2024, 4, 15),
            {"status": {"from": "in_progress", "to": "reported"}},
        ),
    ):
        AuditEvent.objects.create(
            kind=kind,
            object_type="assurance.audit",
            object_id=str(reported.pk),
            changes=changes,
            occurred_at=datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.UTC),
        )
    unaudited = Audit.objects.create(
        title="Unaudited",
        scope="Cases",
        quarter_start=datetime.date(2024, 1, 1),
        status="in_progress",
        created_at=added,
    )

    Measure = apps.get_model("assurance", "Measure")
    DataPoint = apps.get_model("assurance", "DataPoint")
    measure = Measure.objects.create(code="M-1", name="Enquiries", dataset="SAC", group=group)
    point = DataPoint.objects.create(
        measure=measure,
        quarter_start=datetime.date(2024, 1, 1),
        value=42,
        note="Provisional",
        recorded_by=user,
        recorded_at=submitted,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    settings_history = apps.get_model("assurance", "RiskSettingsChange").objects.values_list(
        "appetite", "recorded_by_id"
    )
    assert list(settings_history) == [(12, None)]
    versions = list(
        apps.get_model("assurance", "AssuranceReturnVersion").objects.values_list(
            "assurance_return_id", "level", "exceptions", "submitted_by_id", "submitted_at"
        )
    )
    assert versions == [(item.pk, "partial", "Chronologies.", user.pk, submitted)]
    figures = apps.get_model("assurance", "DataPointVersion").objects.values_list(
        "data_point_id", "value", "note", "recorded_by_id", "recorded_at"
    )
    assert list(figures) == [(point.pk, 42, "Provisional", user.pk, submitted)]
    statuses = apps.get_model("assurance", "AuditStatusChange").objects.order_by("pk")
    assert list(statuses.filter(audit_id=reported.pk).values_list("status", "changed_on")) == [
        ("planned", datetime.date(2024, 1, 5)),
        ("in_progress", datetime.date(2024, 2, 1)),
        ("reported", datetime.date(2024, 4, 15)),
    ]
    assert list(statuses.filter(audit_id=unaudited.pk).values_list("status", "changed_on")) == [
        ("in_progress", datetime.date(2024, 1, 5))
    ]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

"""The migration that begins the settings and return history carries over what is held."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("assurance", "0004_partnership_groups")]
AFTER = [("assurance", "0005_risk_settings_and_return_history")]


@pytest.mark.django_db(transaction=True)
def test_the_settings_and_each_return_become_the_first_of_their_history():
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

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    changes = list(apps.get_model("assurance", "RiskSettingsChange").objects.all())
    assert [(change.appetite, change.recorded_by_id) for change in changes] == [(12, None)]
    versions = list(
        apps.get_model("assurance", "AssuranceReturnVersion").objects.values_list(
            "assurance_return_id", "level", "exceptions", "submitted_by_id", "submitted_at"
        )
    )
    assert versions == [(item.pk, "partial", "Chronologies.", user.pk, submitted)]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

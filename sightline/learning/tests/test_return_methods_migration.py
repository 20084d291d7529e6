"""The migration to several dissemination methods keeps the one already recorded."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("learning", "0006_action_list_indexes")]
AFTER = [("learning", "0007_return_methods_several")]


@pytest.mark.django_db(transaction=True)
def test_the_recorded_method_becomes_the_first_of_several():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Agency = apps.get_model("accounts", "Agency")
    Case = apps.get_model("reviews", "Case")
    DisseminationReturn = apps.get_model("learning", "DisseminationReturn")
    case = Case.objects.create(reference="MIG-1", route="child")
    told = DisseminationReturn.objects.create(
        case=case,
        agency=Agency.objects.create(name="Told agency", sector="police"),
        requested_on=datetime.date(2024, 1, 2),
        method="briefing",
    )
    silent = DisseminationReturn.objects.create(
        case=case,
        agency=Agency.objects.create(name="Silent agency", sector="police"),
        requested_on=datetime.date(2024, 1, 2),
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    DisseminationReturn = apps.get_model("learning", "DisseminationReturn")
    assert DisseminationReturn.objects.get(pk=told.pk).methods == ["briefing"]
    assert DisseminationReturn.objects.get(pk=silent.pk).methods == []

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

"""No restricted values in the audit trail; restricted details' own history behind the
need-to-know list; every read of a restricted value in the access log, and exports only when
delivered."""

import csv
import importlib
import io
import json

import pytest
from django.apps import apps as django_apps
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.models import AccessLogEntry, AuditEvent
from sightline.core.roles import Role
from sightline.core.services import (
    RESTRICTED_MARKER,
    audit_record,
    audit_record_many,
    redact_changes,
)
from sightline.reviews import services
from sightline.reviews.models import CalendarFeed, Case, Referral, RestrictedDetailsRevision
from sightline.reviews.tests.factories import CaseFactory, ReferralFactory
from tests.test_access_matrix import RULES, _url, world  # noqa: F401 (world: a fixture)

SUMMARY = "Restricted-summary-3f9c: what happened to the fictional child."
NARRATIVE = "Narrative-7c1e: a fictional account only the referrer and officers read."
REDACTED = {"from": RESTRICTED_MARKER, "to": RESTRICTED_MARKER}
RESTRICTED_DATA = {
    "restricted_summary": SUMMARY,
    "age_band": "1_4",
    "sex": "female",
    "ethnicity": "asian",
    "disability": "learning_disability",
    "legal_status": "looked_after",
}


@pytest.fixture
def home(db):
    return AgencyFactory.create(name="Home Agency")


@pytest.fixture
def admin(make_user, home):
    return make_user(Role.ADMINISTRATOR, home, full_name="Ada Admin")


def _trail_text() -> str:
    return json.dumps(list(AuditEvent.objects.values("changes", "detail", "object_repr")))


# --- The audit trail never holds a restricted value ---------------------------------------


def models_with_restricted_fields():
    return [
        model
        for model in django_apps.get_models()
        if getattr(model, "history_restricted_fields", ())
    ]


def test_the_models_with_restricted_values_declare_them():
    found = {model._meta.label_lower for model in models_with_restricted_fields()}
    assert found >= {"reviews.case", "reviews.referral"}
    for model in (Case, Referral):
        assert set(model.RESTRICTED_FIELDS) <= set(model.history_restricted_fields)


@pytest.mark.parametrize(
    "model", models_with_restricted_fields(), ids=lambda model: model._meta.label_lower
)
def test_redact_changes_replaces_every_restricted_value_of_every_model(model):
    restricted = sorted(model.history_restricted_fields)
    changes = {name: {"from": f"old {name}", "to": f"new {name}"} for name in restricted}
    changes["not_restricted"] = {"from": "a", "to": "b"}
    redacted = redact_changes(model(), changes)
    assert {name: redacted[name] for name in restricted} == dict.fromkeys(restricted, REDACTED)
    assert redacted["not_restricted"] == {"from": "a", "to": "b"}
    assert "old " not in json.dumps(redacted)
    assert "new " not in json.dumps(redacted)


def test_redact_changes_leaves_other_models_and_no_changes_alone(admin):
    changes = {"sex": {"from": "a", "to": "b"}}
    assert redact_changes(admin, changes) == changes
    assert redact_changes(None, changes) == changes
    assert redact_changes(Case(), None) == {}


def test_saving_a_case_records_that_restricted_details_changed_never_their_values(admin):
    case = services.case_save(
        actor=admin,
        case=None,
        data={"reference": "CR-1", "route": "child", "pseudonym": "Child A", **RESTRICTED_DATA},
    )
    services.case_save(
        actor=admin, case=case, data={"sex": "male", "restricted_summary": "Changed-9d2b"}
    )
    created, changed = AuditEvent.objects.filter(object_type="reviews.case").order_by("pk")
    assert created.changes["sex"] == REDACTED
    assert created.changes["pseudonym"] == {"from": None, "to": "Child A"}
    assert changed.changes == {"sex": REDACTED, "restricted_summary": REDACTED}
    assert (changed.actor, changed.kind) == (admin, AuditEvent.Kind.UPDATE)
    trail = _trail_text()
    for value in (SUMMARY, "Changed-9d2b", "female", "asian", "looked_after", "learning_dis"):
        assert value not in trail


def test_audit_record_many_redacts_each_event(admin):
    case, referral = CaseFactory.create(), ReferralFactory.create()
    audit_record_many(
        actor=admin,
        events=[
            {"kind": "update", "obj": case, "changes": {"ethnicity": {"from": "", "to": "white"}}},
            {
                "kind": "update",
                "obj": referral,
                "changes": {"what_happened": {"from": "", "to": NARRATIVE}},
            },
        ],
    )
    events = AuditEvent.objects.order_by("pk")
    assert [event.changes for event in events] == [
        {"ethnicity": REDACTED},
        {"what_happened": REDACTED},
    ]
    assert "white" not in _trail_text()
    assert NARRATIVE not in _trail_text()


def test_a_referral_and_the_case_made_of_it_leave_no_narrative_in_the_trail(make_user, home):
    officer = make_user(Role.REVIEW_OFFICER, home)
    referral = ReferralFactory.create(referring_agency=home, what_happened=NARRATIVE)
    audit_record(
        actor=officer,
        kind="update",
        obj=referral,
        changes={
            "why_review": {"from": "", "to": "Why-5e1a"},
            "age_band": {"from": "", "to": "5_9"},
        },
    )
    services.referral_convert(actor=officer, referral=referral, reference="CR-9", route="child")
    trail = _trail_text()
    assert NARRATIVE not in trail
    assert "Why-5e1a" not in trail
    assert "5_9" not in trail
    case = Case.objects.get(reference="CR-9")
    assert NARRATIVE in case.restricted_summary
    assert NARRATIVE in RestrictedDetailsRevision.objects.get(case=case).restricted_summary


# --- The restricted details' own history --------------------------------------------------


def test_saving_restricted_details_keeps_a_revision_of_them(client, admin):
    case = CaseFactory.create()
    client.force_login(admin)
    url = reverse("reviews:case_restricted", kwargs={"pk": case.pk})
    response = client.post(url, RESTRICTED_DATA)
    assert response.status_code == 302
    client.post(url, {**RESTRICTED_DATA, "sex": "male"})
    client.post(url, {**RESTRICTED_DATA, "sex": "male"})  # nothing changed: no revision
    latest, first = RestrictedDetailsRevision.objects.filter(case=case)
    assert (first.sex, first.restricted_summary, first.saved_by) == ("female", SUMMARY, admin)
    assert first.changed_fields == sorted(RESTRICTED_DATA)
    assert (latest.sex, latest.changed_fields) == ("male", ["sex"])


def test_changing_only_other_fields_keeps_no_revision(admin):
    case = CaseFactory.create()
    services.case_save(actor=admin, case=case, data={"pseudonym": "Child B"})
    assert not RestrictedDetailsRevision.objects.exists()


def test_the_history_page_shows_the_values_to_those_who_need_to_know_and_logs_it(
    client, admin, make_user, home
):
    case = CaseFactory.create()
    case.agencies.add(home)
    services.case_save(actor=admin, case=case, data=dict(RESTRICTED_DATA))
    services.case_save(actor=admin, case=case, data={"ethnicity": "black"})
    url = reverse("reviews:case_restricted_history", kwargs={"pk": case.pk})

    client.force_login(admin)
    page = client.get(url).content.decode()
    assert SUMMARY in page
    assert "Asian or Asian British" in page
    assert "Black, Black British" in page
    assert "Ada Admin" in page
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.object_id, entry.restricted_shown) == (admin, str(case.pk), True)
    assert entry.detail == "Restricted details history"

    lead = make_user(Role.AGENCY_LEAD, home)
    client.force_login(lead)
    assert client.get(url).status_code == 403  # sees the case, not its restricted details
    services.assignment_add(actor=admin, case=case, user=lead)
    assert SUMMARY in client.get(url).content.decode()  # on the case: needs to know
    assert AccessLogEntry.objects.filter(user=lead, restricted_shown=True).count() == 1

    client.force_login(make_user(Role.PRACTITIONER, home))
    assert client.get(url).status_code == 404
    assert AccessLogEntry.objects.count() == 2


def test_the_first_revisions_migration_keeps_what_cases_hold_now(admin):
    with_details = CaseFactory.create(**RESTRICTED_DATA, updated_by=admin)
    CaseFactory.create()  # nothing restricted recorded: no revision
    state = MigrationExecutor(connection).loader.project_state(
        ("reviews", "0007_restricted_history")
    )
    module = importlib.import_module("sightline.reviews.migrations.0007_restricted_history")
    module.first_revisions(state.apps, None)
    revision = RestrictedDetailsRevision.objects.get()
    assert (revision.case, revision.saved_by, revision.restricted_summary) == (
        with_details,
        admin,
        SUMMARY,
    )
    assert revision.saved_at == with_details.updated_at


# --- The migration that takes restricted values out of the trail ---------------------------


class _Editor:
    """What the migration's function uses of a schema editor, usable inside a test's
    transaction (SQLite's own refuses to open in one)."""

    def __init__(self):
        self.connection = connection

    def execute(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _run_redaction():
    state = MigrationExecutor(connection).loader.project_state(
        ("reviews", "0008_redact_restricted_audit")
    )
    module = importlib.import_module("sightline.reviews.migrations.0008_redact_restricted_audit")
    module.redact(state.apps, _Editor())


def _legacy(obj, changes, kind="update"):
    """An event as earlier versions wrote it, values and all (not through the service)."""
    return AuditEvent.objects.create(
        kind=kind,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        changes=changes,
    )


def test_the_migration_removes_restricted_values_already_in_the_trail(admin):
    case, referral = CaseFactory.create(), ReferralFactory.create()
    old_case = _legacy(
        case,
        {
            "restricted_summary": {"from": None, "to": SUMMARY},
            "sex": {"from": None, "to": "female"},
            "pseudonym": {"from": None, "to": "Child Z"},
        },
        kind="create",
    )
    old_referral = _legacy(referral, {"what_happened": {"from": "", "to": NARRATIVE}})
    # Another record's field that happens to share a name is not restricted: kept.
    other = AuditEvent.objects.create(
        kind="update",
        object_type="accounts.user",
        object_id=str(admin.pk),
        changes={"sex": {"from": "a", "to": "b"}},
    )
    already = _legacy(case, {"sex": REDACTED})

    _run_redaction()

    old_case.refresh_from_db()
    assert old_case.changes == {
        "restricted_summary": REDACTED,
        "sex": REDACTED,
        "pseudonym": {"from": None, "to": "Child Z"},
    }
    old_referral.refresh_from_db()
    assert old_referral.changes == {"what_happened": REDACTED}
    other.refresh_from_db()
    already.refresh_from_db()
    assert other.changes == {"sex": {"from": "a", "to": "b"}}
    assert already.changes == {"sex": REDACTED}
    trail = _trail_text()
    assert SUMMARY not in trail
    assert NARRATIVE not in trail
    assert "female" not in trail

    record = AuditEvent.objects.get(kind=AuditEvent.Kind.REDACTED)
    assert record.actor is None
    assert "Restricted values removed from 2 audit events" in record.detail
    assert record.get_kind_display() == "Restricted values removed"

    # The append-only triggers are back, under their names: an update is refused again.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET detail = 'forged' WHERE id = %s", [old_case.pk])
    names = {
        "postgresql": "SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_auditevent'::regclass",
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
    }
    with connection.cursor() as cursor:
        cursor.execute(names[connection.vendor])
        triggers = {row[0] for row in cursor.fetchall()}
    expected = {"postgresql": "core_auditevent_append_only", "sqlite": "core_auditevent_no_update"}
    assert expected[connection.vendor] in triggers

    # Run again, it finds nothing to remove and records nothing.
    _run_redaction()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.REDACTED).count() == 1


def test_the_migration_records_nothing_when_the_trail_holds_no_restricted_value(admin):
    CaseFactory.create()
    services.case_save(actor=admin, case=None, data={"reference": "CR-2", "route": "child"})
    _run_redaction()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.REDACTED).exists()


# --- Reads of restricted values: the access log -------------------------------------------


def test_the_case_page_log_says_whether_restricted_details_were_shown(client, admin, make_user):
    case = CaseFactory.create(**RESTRICTED_DATA)
    client.force_login(admin)
    assert SUMMARY in client.get(case.get_absolute_url()).content.decode()
    executive = make_user(Role.EXECUTIVE)
    client.force_login(executive)
    assert SUMMARY not in client.get(case.get_absolute_url()).content.decode()
    shown = dict(AccessLogEntry.objects.values_list("user", "restricted_shown"))
    assert shown == {admin.pk: True, executive.pk: False}
    client.force_login(admin)
    log = client.get(reverse("core:access_log")).content.decode()
    assert log.count("Restricted details shown") == 1


def test_the_restricted_details_form_is_a_logged_read(client, admin):
    case = CaseFactory.create(**RESTRICTED_DATA)
    client.force_login(admin)
    page = client.get(reverse("reviews:case_restricted", kwargs={"pk": case.pk}))
    assert SUMMARY in page.content.decode()
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.object_type, entry.restricted_shown) == (admin, "reviews.case", True)
    assert entry.detail == "Restricted details form"


def test_calendar_feed_fetches_are_logged_without_the_token(client, make_user, home):
    officer = make_user(Role.REVIEW_OFFICER, home)
    feed = CalendarFeed.objects.create(user=officer, token="secret-feed-token-4b7d")
    response = client.get(reverse("reviews:calendar_feed", kwargs={"token": feed.token}))
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.action, entry.object_type) == (
        officer,
        AccessLogEntry.Action.VIEW,
        "reviews.casedeadline",
    )
    logged = json.dumps(list(AccessLogEntry.objects.values()), default=str)
    assert "secret-feed-token-4b7d" not in logged
    wrong = client.get(reverse("reviews:calendar_feed", kwargs={"token": "no-such-token"}))
    assert wrong.status_code == 404
    assert AccessLogEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("reviews:case_export", {"fmt": "pdf"}),
        ("reviews:timeliness_export", {"fmt": "pdf"}),
        ("learning:export", {"fmt": "pdf"}),
    ],
)
def test_a_download_that_fails_is_not_logged_as_an_export(client, admin, name, kwargs):
    client.force_login(admin)
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 404
    assert not AccessLogEntry.objects.exists()
    delivered = client.get(reverse(name, kwargs={"fmt": "csv"}))
    assert delivered.status_code == 200
    assert AccessLogEntry.objects.get().action == AccessLogEntry.Action.EXPORT


def test_audit_pages_and_csv_never_show_restricted_values(client, admin):
    case = CaseFactory.create()
    services.case_save(actor=admin, case=case, data=dict(RESTRICTED_DATA))
    # Even an event written before redaction, values and all, shows only that they changed.
    _legacy(case, {"restricted_summary": {"from": "", "to": "Legacy-8a1f"}})
    client.force_login(admin)
    page = client.get(reverse("core:audit_trail")).content.decode()
    assert "<strong>Summary (restricted)</strong>: restricted detail changed" in page
    body = client.get(reverse("core:audit_trail_export")).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert any("restricted detail changed" in cell for row in rows for cell in row)
    for text in (page, body):
        assert SUMMARY not in text
        assert "Legacy-8a1f" not in text
        assert "Asian or Asian British" not in text
        assert "Looked after" not in text
    assert AccessLogEntry.objects.get().object_repr == "Audit trail (CSV)"


# --- Every page and export that can show a restricted value: 100% logged --------------------


def test_every_page_and_export_showing_a_restricted_value_is_logged(
    client,
    world,  # noqa: F811 (the access matrix's fixture, imported)
    make_user,
):
    """Walks every address an administrator may read (the access matrix's), with the world's
    case and referral holding restricted values no other text holds: each response that
    shows one of them must have written an access log entry that says restricted details
    were shown."""
    case, referral = world["case"], world["referral"]
    services.case_save(actor=None, case=case, data=dict(RESTRICTED_DATA))
    Referral.objects.filter(pk=referral.pk).update(what_happened=NARRATIVE)
    admin = make_user(Role.ADMINISTRATOR, world["home_agency"])
    client.force_login(admin)
    shown, logged, checked = [], [], 0
    for name, rule in sorted(RULES.items()):
        allowed = rule.allowed is None or Role.ADMINISTRATOR in rule.allowed
        if rule.method != "get" or not allowed or rule.redirects:
            continue
        before = AccessLogEntry.objects.count()
        response = client.get(_url(name, rule, world))
        checked += 1
        if response.status_code != 200 or response.streaming:
            continue
        body = response.content.decode("utf-8", "replace")
        if SUMMARY in body or NARRATIVE in body:
            shown.append(name)
            entries = AccessLogEntry.objects.order_by("pk")[before:]
            if any(entry.restricted_shown for entry in entries):
                logged.append(name)
    assert checked > 100
    assert {
        "reviews:case_detail",
        "reviews:case_restricted",
        "reviews:case_restricted_history",
        "reviews:referral_detail",
    } <= set(shown)
    assert logged == shown, f"Not logged: {sorted(set(shown) - set(logged))}"


def test_the_access_logs_new_column_kept_its_append_only_trigger(admin):
    """core 0009 adds ``restricted_shown`` without rebuilding the table (on SQLite a rebuild
    drops its triggers): the log still refuses an update, and an entry is False unless said."""
    entry = AccessLogEntry.objects.create(user=admin, action="view", object_type="reviews.case")
    entry.refresh_from_db()
    assert entry.restricted_shown is False
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_accesslogentry SET restricted_shown = %s WHERE id = %s", [True, entry.pk]
        )


def test_the_history_page_runs_the_same_queries_however_long_the_history(
    client, admin, django_assert_num_queries
):
    case = CaseFactory.create()
    url = reverse("reviews:case_restricted_history", kwargs={"pk": case.pk})
    client.force_login(admin)
    services.case_save(actor=admin, case=case, data={"sex": "female"})
    client.get(url)  # the session and caches warmed
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for sex in ("male", "not_known", "female", "male"):
        services.case_save(actor=admin, case=case, data={"sex": sex})
    with django_assert_num_queries(len(one.captured_queries)):
        assert "Not known" in client.get(url).content.decode()

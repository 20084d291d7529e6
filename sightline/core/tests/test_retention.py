"""Retention: the registry, periods, legal holds, the monthly review, disposal and subject
access, through the services."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sightline.accounts.models import ExternalIdentity, Passkey, SignInRecord
from sightline.accounts.tests.factories import UserFactory
from sightline.core import audit_seals
from sightline.core import retention_services as service
from sightline.core.models import (
    AccessLogEntry,
    AuditCheckpoint,
    AuditEvent,
    LegalHold,
    OutboxMessage,
    RetentionReview,
    RetentionReviewItem,
    RetentionSetting,
)
from sightline.core.retention import (
    ORDER,
    Candidate,
    Disposal,
    RecordKind,
    SubjectQuery,
    all_kinds,
    is_held,
    kind_named,
    months_before,
    register,
    subject_filter,
)
from sightline.core.schedules import schedule_named
from sightline.core.scheduling import Cadence, Schedule, due_slot
from sightline.reviews.lifecycle import Stage
from sightline.reviews.models import Case, Referral, ReferralStatus
from sightline.reviews.retention import ANONYMISED
from sightline.reviews.tests.factories import CaseFactory, ReferralFactory

pytestmark = pytest.mark.django_db
Status = RetentionReviewItem.Status
NOW = datetime.datetime(2030, 6, 1, 9, 0, tzinfo=datetime.UTC)


def old_case(**kwargs):
    """A case published in 2020, with restricted details."""
    values = {
        "stage": Stage.PUBLISHED,
        "published_date": datetime.date(2020, 1, 10),
        "restricted_summary": "A restricted account",
        "ethnicity": "white",
        "lead_reviewer": "A. Reviewer",
    }
    return CaseFactory.create(**(values | kwargs))


def set_period(key, months, actor=None):
    service.retention_setting_save(actor=actor, key=key, months=months)


# --- the registry (pure) ---


def test_every_kind_the_issue_names_is_registered_with_a_source_and_a_disposal():
    keys = [kind.key for kind in all_kinds()]
    assert keys == list(ORDER)
    for kind in all_kinds():
        assert kind.source.strip(), kind.key
        assert kind.disposal in Disposal.LABELS
        assert callable(kind.finder())
        assert callable(kind.disposer())
    disposals = {kind.key: kind.disposal for kind in all_kinds()}
    assert disposals["cases"] == Disposal.ANONYMISE
    assert disposals["audit_trail"] == Disposal.ARCHIVE
    assert disposals["access_log"] == Disposal.ARCHIVE


def test_a_kind_registered_twice_differently_or_outside_its_range_is_refused():
    cases = kind_named("cases")
    with pytest.raises(ValueError, match="registered twice"):
        register(RecordKind(**{**cases.__dict__, "label": "Other"}))
    with pytest.raises(ValueError, match="outside its range"):
        register(RecordKind(**{**cases.__dict__, "key": "x", "default_months": 5000}))
    with pytest.raises(ValueError, match="Unknown disposal"):
        register(RecordKind(**{**cases.__dict__, "key": "y", "disposal": "shred"}))
    assert kind_named("x") is None
    assert kind_named("y") is None


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime.datetime(2030, 6, 15), 1, datetime.datetime(2030, 5, 15)),
        (datetime.datetime(2030, 3, 31), 1, datetime.datetime(2030, 2, 28)),
        (datetime.datetime(2030, 1, 10), 13, datetime.datetime(2028, 12, 10)),
        (datetime.datetime(2032, 3, 31), 1, datetime.datetime(2032, 2, 29)),
        (datetime.datetime(2030, 6, 15), 72, datetime.datetime(2024, 6, 15)),
    ],
)
def test_months_before_counts_calendar_months(moment, months, expected):
    assert months_before(moment, months) == expected


def test_a_hold_covers_a_candidate_by_case_or_person():
    on_case = Candidate("reviews.case", "1", "Case A", datetime.date(2020, 1, 1), "cr-1")
    of_person = Candidate("x", "2", "X", datetime.date(2020, 1, 1), person_id=7)
    assert is_held(on_case, case_refs={"CR-1"}, person_ids=set())
    assert not is_held(on_case, case_refs={"CR-2"}, person_ids={7})
    assert is_held(of_person, case_refs=set(), person_ids={7})
    assert not is_held(of_person, case_refs={"CR-1"}, person_ids={8})


def test_the_monthly_cadence_falls_due_on_the_first_at_its_time():
    monthly = Schedule("t", "T", "x.y", Cadence.MONTHLY, datetime.time(4, 0))
    london = datetime.UTC  # December: London is on UTC
    before = datetime.datetime(2026, 12, 1, 3, 59, tzinfo=london)
    after = datetime.datetime(2026, 12, 1, 4, 0, tzinfo=london)
    later = datetime.datetime(2026, 12, 31, 23, 0, tzinfo=london)
    assert due_slot(monthly, now=before, run_at=datetime.time(4, 0)) == "2026-11"
    assert due_slot(monthly, now=after, run_at=datetime.time(4, 0)) == "2026-12"
    assert due_slot(monthly, now=later, run_at=datetime.time(4, 0)) == "2026-12"
    schedule = schedule_named("core.retention_review")
    assert schedule is not None
    assert schedule.cadence == Cadence.MONTHLY


# --- periods ---


def test_a_period_set_is_audited_and_going_back_to_the_default_removes_it(admin_user):
    assert service.retention_period("referrals") == 72
    set_period("referrals", 36, admin_user)
    assert service.retention_period("referrals") == 36
    event = AuditEvent.objects.get(detail="Retention period of Referrals")
    assert event.changes == {"retention_months": {"from": 72, "to": 36}}
    set_period("referrals", None, admin_user)
    assert service.retention_period("referrals") == 72
    assert not RetentionSetting.objects.filter(kind="referrals").exists()
    assert AuditEvent.objects.filter(detail="Retention period of Referrals").count() == 2


@pytest.mark.parametrize("months", [0, 11, 1201])
def test_a_period_outside_the_kinds_range_is_refused(admin_user, months):
    with pytest.raises(ValidationError):
        set_period("audit_trail", months, admin_user)
    assert not RetentionSetting.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_database_refuses_a_period_outside_the_range():
    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionSetting.objects.create(kind="cases", months=5000)


def test_an_unknown_kind_is_refused(admin_user):
    with pytest.raises(ValidationError):
        set_period("nonsense", 12, admin_user)


# --- the monthly review ---


def test_nothing_is_listed_for_a_kind_whose_period_the_partnership_has_not_set():
    old_case()
    service.retention_review_build(now=NOW)
    assert not RetentionReviewItem.objects.filter(kind="cases").exists()


def test_the_review_lists_records_past_their_period_once_and_emails_the_administrators(
    admin_user,
):
    past = old_case()
    CaseFactory.create(stage=Stage.PUBLISHED, published_date=datetime.date(2029, 12, 1))
    CaseFactory.create(stage=Stage.IN_REVIEW, opened_on=datetime.date(2015, 1, 1))
    set_period("cases", 60)

    result = service.retention_review_build(now=NOW)

    items = RetentionReviewItem.objects.filter(kind="cases")
    assert [(item.object_id, item.status) for item in items] == [(str(past.pk), Status.PENDING)]
    assert items[0].label == f"Case {past.reference}"
    assert result["pending"] >= 1
    mail = OutboxMessage.objects.get(kind="core.retention_review", recipient=admin_user.email)
    assert "2030-06" in mail.subject
    assert "/settings/retention/reviews/" in mail.body
    # Run again in the same month: nothing is listed or emailed twice.
    again = service.retention_review_build(now=NOW + datetime.timedelta(days=3))
    assert again["listed"] == 0
    assert RetentionReviewItem.objects.filter(kind="cases").count() == 1
    assert OutboxMessage.objects.filter(kind="core.retention_review").count() == 1
    assert RetentionReview.objects.get().month == "2030-06"


def test_the_schedule_builds_the_review():
    old_case()
    set_period("restricted_details", 12)
    schedule = schedule_named("core.retention_review")
    assert schedule is not None
    schedule.run(NOW)
    assert RetentionReviewItem.objects.filter(kind="restricted_details").count() == 1


def test_a_record_covered_by_a_legal_hold_is_listed_as_held(admin_user):
    held = old_case(reference="CR-HELD")
    set_period("cases", 12)
    service.legal_hold_add(
        actor=admin_user, covers="case", case_reference="cr-held", reason="A claim"
    )
    service.retention_review_build(now=NOW)
    item = RetentionReviewItem.objects.get(object_id=str(held.pk), kind="cases")
    assert item.status == Status.HELD


# --- disposal ---


def build_and_get(kind: str) -> tuple[RetentionReview, list[RetentionReviewItem]]:
    service.retention_review_build(now=timezone.now())
    review = RetentionReview.objects.get()
    return review, list(review.items.filter(kind=kind))


def test_approved_cases_are_anonymised_never_deleted_and_audited_by_kind_and_count(admin_user):
    case = old_case()
    set_period("cases", 12)
    review, items = build_and_get("cases")

    done = service.retention_dispose(actor=admin_user, review=review, item_ids=[items[0].pk])

    assert done == {"cases": 1}
    case.refresh_from_db()
    assert case.pseudonym == ANONYMISED
    assert case.restricted_summary == ""
    assert case.ethnicity == ""
    assert case.lead_reviewer == ""
    assert case.route
    assert case.published_date
    item = RetentionReviewItem.objects.get(pk=items[0].pk)
    assert item.status == Status.DISPOSED
    assert item.decided_by == admin_user
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.DELETE, object_type="core.retentionreview")
    assert event.changes == {
        "retention_kind": {"from": None, "to": "cases"},
        "records": {"from": None, "to": 1},
    }
    assert "restricted" not in str(event.changes)
    assert "A restricted account" not in event.detail
    # An anonymised case is not listed again.
    assert service.retention_review_build(now=timezone.now())["listed"] == 0


def test_a_hold_placed_after_the_list_was_made_still_stops_disposal(admin_user):
    case = old_case(reference="CR-LATE")
    set_period("restricted_details", 12)
    review, items = build_and_get("restricted_details")
    assert items[0].status == Status.PENDING
    service.legal_hold_add(
        actor=admin_user, covers="case", case_reference="CR-LATE", reason="Inquiry"
    )

    done = service.retention_dispose(actor=admin_user, review=review)

    assert not done
    case.refresh_from_db()
    assert case.restricted_summary == "A restricted account"
    assert RetentionReviewItem.objects.get(pk=items[0].pk).status == Status.HELD


def test_a_released_hold_no_longer_stops_disposal(admin_user):
    case = old_case(reference="CR-FREE")
    set_period("restricted_details", 12)
    hold = service.legal_hold_add(
        actor=admin_user, covers="case", case_reference="CR-FREE", reason="Inquiry"
    )
    service.legal_hold_release(actor=admin_user, hold=hold, reason="Inquiry ended")
    review, _ = build_and_get("restricted_details")
    assert service.retention_dispose(actor=admin_user, review=review) == {"restricted_details": 1}
    case.refresh_from_db()
    assert case.restricted_summary == ""
    assert case.pseudonym != ANONYMISED
    with pytest.raises(ValidationError, match="already released"):
        service.legal_hold_release(actor=admin_user, hold=hold, reason="Again")


def test_a_hold_on_a_person_keeps_their_records(admin_user):
    kept_user = UserFactory.create()
    gone_user = UserFactory.create()
    long_ago = timezone.now() - datetime.timedelta(days=800)
    kept = SignInRecord.objects.create(user=kept_user, session_key="k" * 40, at=long_ago)
    gone = SignInRecord.objects.create(user=gone_user, session_key="g" * 40, at=long_ago)
    service.legal_hold_add(actor=admin_user, covers="person", person=kept_user, reason="Claim")
    review, items = build_and_get("sign_in_records")
    assert {item.object_id: item.status for item in items} == {
        str(kept.pk): Status.HELD,
        str(gone.pk): Status.PENDING,
    }
    assert service.retention_dispose(actor=admin_user, review=review) == {"sign_in_records": 1}
    assert list(SignInRecord.objects.filter(pk__in=[kept.pk, gone.pk])) == [kept]


def test_a_record_no_longer_past_its_period_is_not_disposed_of(admin_user):
    case = old_case()
    set_period("restricted_details", 12)
    review, items = build_and_get("restricted_details")
    set_period("restricted_details", 1200)  # the partnership now keeps them for longer
    assert not service.retention_dispose(actor=admin_user, review=review)
    case.refresh_from_db()
    assert case.restricted_summary
    assert RetentionReviewItem.objects.get(pk=items[0].pk).status == Status.GONE


def test_closed_referrals_are_deleted_and_those_that_became_cases_are_not_listed(admin_user):
    decided = timezone.now() - datetime.timedelta(days=365 * 7)
    closed = ReferralFactory.create(
        status=ReferralStatus.CLOSED,
        decided_at=decided,
        decided_by=admin_user,
        closing_reason="Not a review case",
    )
    became = ReferralFactory.create(
        status=ReferralStatus.CASE,
        decided_at=decided,
        decided_by=admin_user,
        case=CaseFactory.create(),
    )
    review, items = build_and_get("referrals")
    assert [item.object_id for item in items] == [str(closed.pk)]
    service.retention_dispose(actor=admin_user, review=review)
    assert list(Referral.objects.values_list("pk", flat=True)) == [became.pk]


def test_sent_email_bodies_are_forgotten_but_the_record_of_sending_stays(admin_user):
    sent = OutboxMessage.objects.create(
        key="t:1",
        kind="t",
        recipient="a@example.test",
        subject="Hello",
        body="Secret body",
        status=OutboxMessage.Status.SENT,
        sent_at=timezone.now() - datetime.timedelta(days=200),
    )
    review, _ = build_and_get("outbox_bodies")
    service.retention_dispose(actor=admin_user, review=review)
    sent.refresh_from_db()
    assert sent.body == ""
    assert sent.subject == "Hello"
    assert sent.status == "sent"


def test_disposal_is_all_or_nothing(admin_user, monkeypatch):
    case = old_case()
    set_period("restricted_details", 12)
    long_ago = timezone.now() - datetime.timedelta(days=800)
    SignInRecord.objects.create(user=admin_user, session_key="s" * 40, at=long_ago)
    review, _ = build_and_get("restricted_details")
    assert set(review.items.values_list("kind", flat=True)) == {
        "restricted_details",
        "sign_in_records",
    }

    def broken(**kwargs):
        raise RuntimeError("disk full")

    # The restricted details are removed first, then the sign-in records fail.
    monkeypatch.setattr("sightline.accounts.retention.sign_ins_delete", broken)
    with pytest.raises(RuntimeError):
        service.retention_dispose(actor=admin_user, review=review)
    case.refresh_from_db()
    assert case.restricted_summary == "A restricted account"
    assert not review.items.exclude(status=Status.PENDING).exists()
    assert not AuditEvent.objects.filter(object_type="core.retentionreview").exists()


def test_nothing_chosen_is_refused(admin_user):
    review = RetentionReview.objects.create(month="2030-01")
    with pytest.raises(ValidationError, match="at least one"):
        service.retention_dispose(actor=admin_user, review=review)


def test_the_trails_are_archived_through_the_chain_never_edited(
    admin_user, settings, tmp_path, time_machine
):
    settings.RETENTION_ARCHIVE_DIR = str(tmp_path / "archive")
    old = timezone.now() - datetime.timedelta(days=365 * 7)
    event = AuditEvent.objects.create(kind=AuditEvent.Kind.SIGN_IN, occurred_at=old)
    review, items = build_and_get("audit_trail")
    assert len(items) == 1
    assert "1 entries" in items[0].label

    # Nothing sealed that long ago: refused with the reason, nothing removed.
    with pytest.raises(ValidationError, match="No sealed blocks"):
        service.retention_dispose(actor=admin_user, review=review)
    assert AuditEvent.objects.filter(pk=event.pk).exists()

    time_machine.move_to(old + datetime.timedelta(days=1), tick=False)
    audit_seals.seal()  # the worker sealed the event the day after it happened
    time_machine.move_to(timezone.now() + datetime.timedelta(days=365 * 7), tick=False)
    review, items = build_and_get("audit_trail")
    assert service.retention_dispose(actor=admin_user, review=review) == {"audit_trail": 1}
    assert not AuditEvent.objects.filter(pk=event.pk).exists()
    (archive,) = (tmp_path / "archive").iterdir()
    assert audit_seals.verify_export(archive)[2] >= 1  # the archive holds the event
    assert AuditCheckpoint.objects.count() == 1
    assert audit_seals.verify().mismatch is None  # the chain verifies from the checkpoint


def test_legal_hold_needs_what_it_covers_and_why(admin_user):
    with pytest.raises(ValidationError):
        service.legal_hold_add(actor=admin_user, covers="case", case_reference="", reason="x")
    with pytest.raises(ValidationError):
        service.legal_hold_add(actor=admin_user, covers="person", reason="x")
    with pytest.raises(ValidationError):
        service.legal_hold_add(actor=admin_user, covers="case", case_reference="A", reason=" ")
    with pytest.raises(ValidationError):
        service.legal_hold_add(actor=admin_user, covers="other", reason="x")
    assert not LegalHold.objects.exists()


# --- subject access ---


def test_a_subject_access_request_finds_the_person_in_every_part(admin_user):
    person = UserFactory.create(full_name="Jo Subject", email="jo.subject@example.test")
    ReferralFactory.create(referrer=person)
    case = CaseFactory.create(reference="CR-SAR-1")
    OutboxMessage.objects.create(
        key="t:sar", kind="t", recipient="jo.subject@example.test", subject="Yours", body="B"
    )
    AuditEvent.objects.create(kind="sign_in", actor=person, actor_email=person.email)

    rows = service.subject_access_rows(
        SubjectQuery(email="JO.SUBJECT@example.test", case_reference="cr-sar-1")
    )

    kinds = {kind for kind, _ in rows}
    assert {"Cases", "Sign-in records and addresses", "Email bodies in the outbox"} <= kinds
    assert "Audit trail" in kinds
    values = {(row.record, row.field, row.value) for _, row in rows}
    assert ("Account", "email", "jo.subject@example.test") in values
    assert ("Case", "reference", case.reference) in values
    assert any(record == "Referral" for record, _, _ in values)
    by_name = service.subject_access_rows(SubjectQuery(name="jo subj"))
    assert any(row.value == "Jo Subject" for _, row in by_name)
    assert service.subject_access_rows(SubjectQuery(name="Nobody Like This")) == []


def test_a_subject_access_request_names_second_factors_and_linked_work_accounts(db):
    person = UserFactory.create(email="jo.factors@example.test")
    TOTPDevice.objects.create(user=person, name="Work phone", confirmed=True)
    Passkey.objects.create(
        user=person,
        name="Office key",
        credential_id=b"id",
        credential_key="key-1",
        public_key=b"public",
    )
    ExternalIdentity.objects.create(
        provider_key="northshire", issuer="https://idp.example.test", subject="t1:o1", user=person
    )
    values = {
        (row.record, row.field, row.value)
        for _, row in service.subject_access_rows(SubjectQuery(email=person.email))
    }
    assert ("Authenticator app", "name", "Work phone") in values
    assert ("Passkey", "name", "Office key") in values
    assert ("Single sign-on", "subject", "t1:o1") in values
    # Names and dates only: never a key or a secret.
    assert not any(field in {"public_key", "key", "credential_id"} for _, field, _ in values)


def test_a_subject_access_export_is_recorded_in_the_access_log(admin_user):
    service.subject_access_exported(actor=admin_user, query=SubjectQuery(email="a@b.test"), rows=3)
    entry = AccessLogEntry.objects.get()
    assert entry.action == "export"
    assert entry.object_type == "core.subject_access"
    assert "3 values" in entry.detail
    assert "a@b.test" in entry.detail


def test_case_model_is_never_deleted_by_retention(admin_user):
    old_case()
    for key in ("cases", "restricted_details"):
        set_period(key, 12)
    review, _ = build_and_get("cases")
    count = Case.objects.count()
    service.retention_dispose(actor=admin_user, review=review)
    assert Case.objects.count() == count


def test_the_demo_sets_periods_holds_the_oldest_case_and_leaves_a_review_waiting(admin_user):
    from sightline.core.retention_demo import seed_retention

    oldest = old_case(published_date=datetime.date(2012, 1, 1))
    old_case(published_date=datetime.date(2013, 1, 1))
    out = io.StringIO()
    seed_retention(stdout=out)

    assert dict(RetentionSetting.objects.values_list("kind", "months")) == {
        "cases": 84,
        "restricted_details": 60,
    }
    hold = LegalHold.objects.get()
    assert hold.case_reference == oldest.reference
    assert hold.placed_by == admin_user
    review = RetentionReview.objects.get()
    assert review.items.filter(status=Status.PENDING).exists()
    assert review.items.filter(status=Status.HELD, case_reference=oldest.reference).count() == 2
    seed_retention(stdout=out)  # again: nothing added
    assert RetentionReview.objects.count() == 1
    assert "already" in out.getvalue()


def test_the_command_exports_a_subject_access_request_and_logs_it(admin_user, tmp_path):
    from django.core.management import CommandError, call_command

    UserFactory.create(full_name="Cam Command", email="cam@example.test")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "subject_access", actor=admin_user.email, email="cam@example.test", stdout=out, stderr=err
    )
    assert "cam@example.test" in out.getvalue()
    assert "values found" in err.getvalue()
    assert AccessLogEntry.objects.get().user == admin_user
    target = tmp_path / "sar.csv"
    call_command("subject_access", actor=admin_user.email, name="Cam", output=str(target))
    assert "Cam Command" in target.read_text(encoding="utf-8")
    with pytest.raises(CommandError, match="at least one"):
        call_command("subject_access", actor=admin_user.email)
    with pytest.raises(CommandError, match="administrator"):
        call_command("subject_access", actor="nobody@example.test", name="Cam")
    assert AccessLogEntry.objects.count() == 2


def test_the_subject_filter_matches_any_named_field_and_nothing_when_nothing_is_named():
    found = UserFactory.create(full_name="Sam Subject", email="sam.subject@example.test")
    UserFactory.create(full_name="Someone Else", email="else@example.test")
    User = type(found)

    def matches(query: SubjectQuery) -> set[int]:
        who = subject_filter(query, email=("email",), name=("full_name",))
        return set(User.objects.filter(who).values_list("pk", flat=True))

    assert matches(SubjectQuery(email="SAM.subject@example.test")) == {found.pk}
    assert matches(SubjectQuery(name="sam sub")) == {found.pk}
    assert matches(SubjectQuery(case_reference="CR-2020-01")) == set()  # no such field here
    assert matches(SubjectQuery()) == set()

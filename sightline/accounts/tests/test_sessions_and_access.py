"""Sign out everywhere, recent sign-ins, suspension of unused accounts, access reviews."""

import datetime
import re

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from sightline.accounts import services
from sightline.accounts.models import (
    AccessReview,
    AccessReviewItem,
    Membership,
    SignInMethod,
    SignInRecord,
    UserSession,
)
from sightline.accounts.selectors import user_memberships
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.models import AuditEvent, OutboxMessage
from sightline.core.roles import Role
from sightline.reviews.models import CaseAssignment
from sightline.reviews.tests.factories import CaseFactory


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("accounts:sign_in"), {"email": email, "password": password})


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- Sign out everywhere and recent sign-ins ------------------------------------------


def test_sign_out_everywhere_ends_every_session_and_is_audited(client, make_user):
    user = make_user(Role.PRACTITIONER)
    elsewhere = Client()
    assert sign_in(elsewhere, user.email).status_code == 302
    assert sign_in(client, user.email).status_code == 302
    assert UserSession.objects.filter(user=user).count() == 2

    url = reverse("accounts:sign_out_everywhere")
    assert "Sign out everywhere" in client.get(url).content.decode()
    response = client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:sign_in")
    assert "You have signed out everywhere: 2 sessions ended" in response.content.decode()
    assert not UserSession.objects.filter(user=user).exists()
    assert Session.objects.count() <= 1  # at most the new, signed-out session with the message
    assert elsewhere.get(reverse("accounts:home")).status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 302
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SESSION_ENDED, actor=user)
    assert "Signed out everywhere: 2 open sessions ended" in event.detail
    # The lasting records stay; their sessions are no longer open.
    assert SignInRecord.objects.filter(user=user).count() == 2


def test_the_account_page_shows_recent_sign_ins_and_which_are_open(client, make_user):
    user = make_user(Role.PRACTITIONER)
    old = SignInRecord.objects.create(
        user=user, ip_address="192.0.2.7", session_key="gone", at=timezone.now()
    )
    SignInRecord.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=2))
    sign_in(client, user.email)
    key = client.session.session_key
    services.session_method_set(
        session_key=key, method=SignInMethod.SINGLE_SIGN_ON, detail="Northshire Council"
    )

    page = client.get(reverse("accounts:account")).content.decode()

    assert "Recent sign-ins" in page
    assert "192.0.2.7" in page
    assert "Single sign-on via Northshire Council" in page
    assert "Password" in page
    assert re.findall(r">\s*(Open|Ended)\s*<", page) == ["Open", "Ended"]
    assert reverse("accounts:sign_out_everywhere") in page
    assert SignInRecord.objects.get(session_key=key).method == SignInMethod.SINGLE_SIGN_ON
    assert UserSession.objects.get(session_key=key).method == SignInMethod.SINGLE_SIGN_ON


def test_only_the_last_ten_sign_ins_are_shown_and_the_query_count_is_pinned(client, make_user):
    user = make_user(Role.PRACTITIONER)
    client.force_login(user)

    def grow(n):
        SignInRecord.objects.bulk_create(
            SignInRecord(user=user, ip_address="198.51.100.1", session_key=f"k{i}")
            for i in range(n)
        )

    grow(2)
    small = queries(client, reverse("accounts:account"))
    grow(30)
    assert queries(client, reverse("accounts:account")) == small
    page = client.get(reverse("accounts:account")).content.decode()
    assert page.count("198.51.100.1") == 10


# --- Suspension ---------------------------------------------------------------------------


def _long_unused(user, days=91):
    then = timezone.now() - datetime.timedelta(days=days)
    type(user).objects.filter(pk=user.pk).update(last_login=then, date_joined=then)
    user.refresh_from_db()
    return user


def test_the_schedule_suspends_unused_accounts_ends_sessions_and_tells_people(
    client, make_user, agency
):
    person = make_user(Role.PRACTITIONER, agency=agency)
    lead = make_user(Role.AGENCY_LEAD, agency=agency)
    recent = make_user(Role.PRACTITIONER, agency=agency)
    sign_in(client, person.email)
    _long_unused(person)
    never_signed_in = _long_unused(make_user(Role.TRAINER), days=100)
    type(never_signed_in).objects.filter(pk=never_signed_in.pk).update(last_login=None)

    result = services.inactive_suspensions_scheduled(now=timezone.now())

    assert result == {"suspended": 2}
    person.refresh_from_db()
    assert person.suspended_at is not None
    assert person.suspended_reason == "inactive"
    assert person.is_active  # suspended, not deactivated
    recent.refresh_from_db()
    lead.refresh_from_db()
    assert recent.suspended_at is None
    assert lead.suspended_at is None
    assert not UserSession.objects.filter(user=person).exists()
    assert client.get(reverse("accounts:home")).status_code == 302
    event = AuditEvent.objects.get(object_id=str(person.pk), changes__suspended__to=True)
    assert "not used for 90 days" in event.detail
    recipients = set(
        OutboxMessage.objects.filter(kind="accounts.suspended").values_list("recipient", flat=True)
    )
    assert {person.email, lead.email} <= recipients
    # Run again: nobody is suspended twice, nothing is sent twice.
    assert services.inactive_suspensions_scheduled(now=timezone.now()) == {"suspended": 0}


def test_the_last_administrator_is_never_suspended(make_user):
    first = _long_unused(make_user(Role.ADMINISTRATOR))
    second = _long_unused(make_user(Role.ADMINISTRATOR))
    assert services.inactive_suspensions_scheduled(now=timezone.now()) == {"suspended": 1}
    first.refresh_from_db()
    second.refresh_from_db()
    assert [first.suspended_at is None, second.suspended_at is None].count(True) == 1


def test_a_suspended_person_is_told_why_and_whom_to_ask(client, make_user, agency):
    person = _long_unused(make_user(Role.PRACTITIONER, agency=agency))
    make_user(Role.AGENCY_LEAD, agency=agency, full_name="Lena Lead")
    services.user_suspend(user=person)

    response = sign_in(client, person.email)

    assert response.status_code == 403
    page = response.content.decode()
    assert "suspended because it was not used for 90 days" in page
    assert "Lena Lead" in page
    # A wrong password says nothing about the account.
    wrong = sign_in(client, person.email, password="not the password")
    assert wrong.status_code == 400
    assert "suspended" not in wrong.content.decode()


def test_demo_accounts_are_never_suspended_in_demo_mode(make_user, monkeypatch):
    demo = _long_unused(make_user(Role.PRACTITIONER, email="sam@demo.sightline.test"))
    monkeypatch.setenv("SIGHTLINE_DEMO", "1")
    assert services.inactive_suspensions_scheduled(now=timezone.now()) == {"suspended": 0}
    monkeypatch.delenv("SIGHTLINE_DEMO")
    assert services.inactive_suspensions_scheduled(now=timezone.now()) == {"suspended": 1}
    demo.refresh_from_db()
    assert demo.suspended_at is not None


def test_an_agency_lead_lifts_a_suspension_and_a_lead_elsewhere_cannot(client, make_user, agency):
    person = _long_unused(make_user(Role.PRACTITIONER, agency=agency))
    services.user_suspend(user=person)
    other_lead = make_user(Role.AGENCY_LEAD)
    client.force_login(other_lead)
    url = reverse("accounts:user_suspension_lift", kwargs={"pk": person.pk})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404

    lead = make_user(Role.AGENCY_LEAD, agency=agency)
    client.force_login(lead)
    agency_page = client.get(reverse("accounts:agency_detail", kwargs={"pk": agency.pk}))
    assert url in agency_page.content.decode()
    assert "lift the suspension" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.suspended_at is None
    assert AuditEvent.objects.filter(
        actor=lead, object_id=str(person.pk), changes__suspended__to=False
    ).exists()
    # Lifting counts as use: the next day's schedule does not suspend them again.
    assert services.inactive_suspensions_scheduled(now=timezone.now()) == {"suspended": 0}
    client.logout()
    assert sign_in(client, person.email).status_code == 302


def test_the_user_list_tags_and_filters_suspended_people(admin_client, make_user):
    person = _long_unused(make_user(Role.PRACTITIONER, full_name="Sid Suspended"))
    make_user(Role.PRACTITIONER, full_name="Ada Active")
    services.user_suspend(user=person)
    page = admin_client.get(reverse("accounts:user_list"), {"status": "suspended"})
    text = page.content.decode()
    assert "Sid Suspended" in text
    assert "Ada Active" not in text
    assert re.search(r"govuk-tag--orange\">\s*Suspended\s*<", text)
    detail = admin_client.get(reverse("accounts:user_detail", kwargs={"pk": person.pk}))
    assert reverse("accounts:user_suspension_lift", kwargs={"pk": person.pk}) in (
        detail.content.decode()
    )


# --- Access reviews -----------------------------------------------------------------------


@pytest.fixture
def reviewed(make_user, agency):
    lead = make_user(Role.AGENCY_LEAD, agency=agency, full_name="Lee Lead")
    member = make_user(Role.PRACTITIONER, agency=agency, full_name="Mo Member")
    MembershipFactory(user=member, agency=agency, role=Role.TRAINER)
    case = CaseFactory.create()
    assignment = CaseAssignment.objects.create(case=case, user=member)
    return {"lead": lead, "member": member, "agency": agency, "assignment": assignment}


APRIL = datetime.datetime(2026, 4, 1, 7, 0, tzinfo=datetime.UTC)


def _opened(reviewed) -> AccessReview:
    services.access_reviews_scheduled(now=APRIL)
    return AccessReview.objects.get(agency=reviewed["agency"])


def test_the_schedule_opens_reviews_with_roles_and_need_to_know_lists(reviewed):
    with time_machine.travel(APRIL):
        result = services.access_reviews_scheduled(now=APRIL)
    review = AccessReview.objects.get(agency=reviewed["agency"])
    assert result["opened"] >= 1
    assert review.period_start == datetime.date(2026, 4, 1)
    assert review.status == "open"
    labels = set(review.items.filter(member=reviewed["member"]).values_list("label", flat=True))
    case = reviewed["assignment"].case
    assert labels == {"Practitioner, Trainer", f"On the need-to-know list of case {case.reference}"}
    assert (
        OutboxMessage.objects.filter(
            kind="accounts.access_review", recipient=reviewed["lead"].email
        ).count()
        == 1
    )
    # Later the same day and the next: nothing new opens, nobody is emailed again.
    later = APRIL + datetime.timedelta(days=1)
    assert services.access_reviews_scheduled(now=later) == {"opened": 0, "emails": 0}
    # A week on, one reminder; again the same week, none.
    week = APRIL + datetime.timedelta(days=7, hours=1)
    assert services.access_reviews_scheduled(now=week)["emails"] == 1
    assert services.access_reviews_scheduled(now=week)["emails"] == 0
    reminder = OutboxMessage.objects.filter(kind="accounts.access_review").latest("pk")
    assert reminder.subject.startswith("Reminder:")


def test_the_half_year_is_found_from_the_months():
    assert services.access_review_period(on=datetime.date(2026, 3, 31)) == datetime.date(
        2025, 10, 1
    )
    assert services.access_review_period(on=datetime.date(2026, 4, 1)) == datetime.date(2026, 4, 1)
    assert services.access_review_period(on=datetime.date(2026, 12, 4)) == datetime.date(
        2026, 10, 1
    )


def test_the_lead_keeps_and_removes_and_completes_and_it_is_audited(client, reviewed):
    review = _opened(reviewed)
    lead, member = reviewed["lead"], reviewed["member"]
    client.force_login(lead)
    url = review.get_absolute_url()
    page = client.get(url).content.decode()
    assert "Mo Member" in page
    assert "need-to-know" in page

    done = reverse("accounts:access_review_complete", kwargs={"pk": review.pk})
    refused = client.post(done, follow=True).content.decode()
    assert "Choose keep or remove for every item first" in refused

    roles = review.items.get(member=member, source=AccessReviewItem.ROLES)
    listed = review.items.get(member=member, source="reviews.need_to_know")
    decide = "accounts:access_review_decide"
    for item in review.items.exclude(pk__in=[roles.pk, listed.pk]):
        client.post(
            reverse(decide, kwargs={"pk": review.pk, "item_pk": item.pk}), {"decision": "keep"}
        )
    client.post(
        reverse(decide, kwargs={"pk": review.pk, "item_pk": roles.pk}), {"decision": "keep"}
    )
    response = client.post(
        reverse(decide, kwargs={"pk": review.pk, "item_pk": listed.pk}), {"decision": "remove"}
    )
    assert response.status_code == 302
    assert not CaseAssignment.objects.filter(pk=reviewed["assignment"].pk).exists()
    assert Membership.objects.filter(user=member, agency=reviewed["agency"]).count() == 2
    assert (
        client.post(
            reverse(decide, kwargs={"pk": review.pk, "item_pk": roles.pk}), {"decision": "nonsense"}
        ).status_code
        == 302
    )
    roles.refresh_from_db()
    assert roles.decision == "keep"
    assert roles.decided_by == lead

    assert client.post(done).status_code == 302
    review.refresh_from_db()
    assert review.status == "done"
    assert review.completed_by == lead
    assert review.completed_at
    events = AuditEvent.objects.filter(
        object_type="accounts.accessreview", object_id=str(review.pk)
    )
    assert events.filter(actor=lead, detail__contains="(remove)").exists()
    assert events.filter(actor=lead, detail="Access review completed.").exists()
    assert AuditEvent.objects.filter(
        actor=lead, object_type="reviews.case", changes__has_key="people on the case"
    ).exists()
    # Done is done: no more decisions.
    client.post(
        reverse(decide, kwargs={"pk": review.pk, "item_pk": roles.pk}), {"decision": "remove"}
    )
    assert Membership.objects.filter(user=member, agency=reviewed["agency"]).count() == 2


def test_removing_roles_asks_first_then_ends_the_membership_through_the_service(client, reviewed):
    review = _opened(reviewed)
    client.force_login(reviewed["lead"])
    roles = review.items.get(member=reviewed["member"], source=AccessReviewItem.ROLES)
    url = reverse("accounts:access_review_remove", kwargs={"pk": review.pk, "item_pk": roles.pk})
    assert url in client.get(review.get_absolute_url()).content.decode()
    asked = client.get(url).content.decode()
    assert "Are you sure you want to remove this from Mo Member?" in asked
    assert Membership.objects.filter(user=reviewed["member"], agency=reviewed["agency"]).exists()
    assert client.post(url).status_code == 302
    assert not Membership.objects.filter(
        user=reviewed["member"], agency=reviewed["agency"]
    ).exists()
    assert (
        AuditEvent.objects.filter(
            actor=reviewed["lead"],
            object_id=str(reviewed["member"].pk),
            detail__startswith="Role removed",
        ).count()
        == 2
    )


def test_the_home_page_tells_the_lead_of_their_open_review(client, reviewed):
    review = _opened(reviewed)
    client.force_login(reviewed["lead"])
    page = client.get(reverse("accounts:home")).content.decode()
    assert "Access reviews to finish" in page
    assert review.get_absolute_url() in page
    review.status, review.completed_at = "done", timezone.now()
    review.save()
    assert "Access reviews to finish" not in client.get(reverse("accounts:home")).content.decode()


def test_the_lead_of_another_agency_is_refused(client, reviewed, make_user):
    review = _opened(reviewed)
    client.force_login(make_user(Role.AGENCY_LEAD))
    item = review.items.all()[0]
    assert client.get(review.get_absolute_url()).status_code == 404
    url = reverse("accounts:access_review_decide", kwargs={"pk": review.pk, "item_pk": item.pk})
    assert client.post(url, {"decision": "remove"}).status_code == 404
    done = reverse("accounts:access_review_complete", kwargs={"pk": review.pk})
    assert client.post(done).status_code == 404
    item.refresh_from_db()
    assert item.decision == ""
    listed = client.get(reverse("accounts:access_review_list")).content.decode()
    assert reviewed["agency"].name not in listed


def test_administrators_see_every_agencys_review_from_settings(admin_client, reviewed):
    _opened(reviewed)
    settings_page = admin_client.get(reverse("core:settings")).content.decode()
    assert reverse("accounts:access_review_list") in settings_page
    page = admin_client.get(reverse("accounts:access_review_list")).content.decode()
    assert reviewed["agency"].name in page


def test_the_access_review_list_query_count_is_pinned(admin_client, db):
    def grow(n, start):
        for i in range(n):
            agency = AgencyFactory.create()
            MembershipFactory(agency=agency, user=UserFactory(), role=Role.AGENCY_LEAD)
            services.access_review_open(
                agency=agency, period_start=datetime.date(2020 + start + i, 4, 1)
            )

    grow(2, 0)
    small = queries(admin_client, reverse("accounts:access_review_list"))
    grow(20, 2)
    assert queries(admin_client, reverse("accounts:access_review_list")) == small


def test_the_access_review_page_query_count_is_pinned(admin_client, db):
    agency = AgencyFactory.create()

    def grow(n):
        for _ in range(n):
            MembershipFactory(agency=agency, user=UserFactory(), role=Role.PRACTITIONER)

    grow(2)
    small_review = services.access_review_open(
        agency=agency, period_start=datetime.date(2025, 4, 1)
    )
    assert small_review is not None
    small = queries(admin_client, small_review.get_absolute_url())
    grow(20)
    big_review = services.access_review_open(agency=agency, period_start=datetime.date(2025, 10, 1))
    assert big_review is not None
    assert queries(admin_client, big_review.get_absolute_url()) == small


@pytest.mark.parametrize("roles", [[Role.TRAINER], [Role.AGENCY_LEAD, Role.PRACTITIONER]])
def test_the_home_page_reads_the_persons_roles_once(db, client, roles):
    """The home page lists the person's roles and asks what they may do: one read of their
    memberships serves both (``User.remember_memberships``), and both see every role."""
    user = UserFactory.create()
    agencies = AgencyFactory.create_batch(len(roles))
    for agency, role in zip(agencies, roles, strict=True):
        MembershipFactory.create(user=user, agency=agency, role=role)
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("accounts:home"))
    assert page.status_code == 200
    reads = [q["sql"] for q in captured if 'FROM "accounts_membership"' in q["sql"]]
    assert len(reads) == 1, reads
    text = page.content.decode()
    for agency in agencies:
        assert agency.name in text
    assert page.wsgi_request.user.role_set == frozenset(roles)


def test_roles_remembered_from_memberships_are_the_ones_a_query_gives(db):
    user = UserFactory.create()
    MembershipFactory.create(user=user, role=Role.TRAINER)
    MembershipFactory.create(user=user, role=Role.EXECUTIVE)
    fresh = type(user).objects.get(pk=user.pk)
    user_memberships(user=fresh)
    assert fresh.role_set == type(user).objects.get(pk=user.pk).role_set
    assert fresh.agency_ids == type(user).objects.get(pk=user.pk).agency_ids

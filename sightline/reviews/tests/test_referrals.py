"""Referrals for review: the model's rules, the services (making, converting, closing), who
sees what, and the pages, with their messages for bad input and their query counts."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory
from sightline.core.models import AccessLogEntry, AuditEvent, OutboxMessage
from sightline.core.roles import Role
from sightline.reviews import selectors, services
from sightline.reviews.models import Case, Referral, ReferralStatus
from sightline.reviews.tests.factories import CaseFactory, ReferralFactory

D = datetime.date


def today():
    return timezone.localdate()


@pytest.fixture
def home(db):
    return AgencyFactory.create(name="Northfield Police")


@pytest.fixture
def practitioner(make_user, home):
    return make_user(Role.PRACTITIONER, home, email="pat@example.test", full_name="Pat Fictional")


@pytest.fixture
def officer(make_user, home):
    return make_user(Role.REVIEW_OFFICER, home, email="ro@example.test", full_name="Rae Officer")


def referral_data(**overrides):
    data = {
        "route": "child",
        "pseudonym": "Child P",
        "age_band": "1_4",
        "aware_on": today() - datetime.timedelta(days=3),
        "what_happened": "A fictional infant was admitted with injuries.",
        "why_review": "Agencies did not share what they knew.",
        "contact_email": "pat@example.test",
        "contact_phone": "01632 960 001",
    }
    return data | overrides


def make(actor, agency, *, key="form-1", **overrides):
    return services.referral_make(
        actor=actor, agency=agency, submission_key=key, data=referral_data(**overrides)
    )


# --- The model's rules ---------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"status": ReferralStatus.CLOSED, "closing_reason": ""},
        {"status": ReferralStatus.CASE},
        {"aware_on": D(1, 1, 1)},
        {"aware_on": D(2101, 1, 1)},
        {"pseudonym": ""},
        {"what_happened": "x" * 5001},
        {"route": "nonsense"},
        {"status": "nonsense"},
    ],
    ids=str,
)
def test_the_database_refuses_a_referral_breaking_its_rules(db, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory.create(**fields)


def test_one_form_makes_one_referral_in_the_database(db):
    first = ReferralFactory.create(submission_key="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory.create(referrer=first.referrer, submission_key="same")


def test_a_reference_names_the_year_and_number(db):
    referral = ReferralFactory.create()
    year = timezone.localtime(referral.created_at).year
    assert referral.reference == f"REF-{year}-{referral.pk:04d}"


# --- Services ---------------------------------------------------------------------


def test_making_a_referral_audits_it_and_writes_two_kinds_of_email(practitioner, officer, home):
    referral, created = make(practitioner, home)
    assert created
    assert referral.status == ReferralStatus.NEW
    assert referral.referring_agency == home
    assert referral.referrer == practitioner
    event = AuditEvent.objects.get(object_type="reviews.referral", object_id=str(referral.pk))
    assert event.kind == AuditEvent.Kind.CREATE
    assert "injuries" not in str(event.changes) + event.detail  # no narrative in the trail
    mail = {m.recipient: m for m in OutboxMessage.objects.all()}
    assert set(mail) == {"pat@example.test", "ro@example.test"}
    assert referral.reference in mail["pat@example.test"].subject
    assert referral.reference in mail["ro@example.test"].subject
    # The narrative stays in Sightline: neither email carries it.
    assert all("injuries" not in message.body for message in mail.values())


def test_a_second_post_of_the_same_form_makes_no_second_referral(practitioner, officer, home):
    first, created = make(practitioner, home)
    again, created_again = make(practitioner, home)
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert Referral.objects.count() == 1
    assert OutboxMessage.objects.count() == 2
    other, _ = make(practitioner, home, key="form-2")
    assert other.pk != first.pk


def test_a_referral_is_made_only_for_ones_own_agency_and_a_past_date(practitioner, home):
    with pytest.raises(ValidationError) as error:
        make(practitioner, AgencyFactory.create())
    assert "referring_agency" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        make(practitioner, home, aware_on=today() + datetime.timedelta(days=1))
    assert "aware_on" in error.value.error_dict
    assert not Referral.objects.exists()


def test_making_a_child_case_carries_the_aware_date_agencies_and_summary(
    practitioner, officer, home
):
    other = AgencyFactory.create(name="Northfield Health")
    aware = today() - datetime.timedelta(days=10)
    referral, _ = make(practitioner, home, aware_on=aware, agencies=[other])
    OutboxMessage.objects.all().delete()

    case = services.referral_convert(
        actor=officer, referral=referral, reference="CR-2026-40", route="child"
    )

    assert (case.route, case.pseudonym, case.age_band) == ("child", "Child P", "1_4")
    assert case.incident_aware_date == aware
    assert case.opened_on == aware
    assert case.referral_date is None
    assert set(case.agencies.all()) == {home, other}
    assert referral.reference in case.restricted_summary
    assert "injuries" in case.restricted_summary
    referral.refresh_from_db()
    assert (referral.status, referral.case, referral.decided_by) == ("case", case, officer)
    assert referral.decided_at is not None
    assert AuditEvent.objects.filter(
        object_type="reviews.referral", kind=AuditEvent.Kind.UPDATE
    ).exists()
    assert AuditEvent.objects.filter(object_type="reviews.case", kind="create").exists()
    assert OutboxMessage.objects.get().recipient == "pat@example.test"


@pytest.mark.parametrize("route", ["adult", "dhr", "local"])
def test_other_routes_start_from_the_day_the_referral_was_sent(practitioner, officer, home, route):
    referral, _ = make(practitioner, home, route="")
    case = services.referral_convert(
        actor=officer, referral=referral, reference="SAR-1", route=route
    )
    sent = timezone.localtime(referral.created_at).date()
    assert (case.route, case.referral_date, case.incident_aware_date) == (route, sent, None)
    referral.refresh_from_db()
    assert referral.route == route


def test_a_decided_referral_is_not_decided_again(practitioner, officer, home):
    referral, _ = make(practitioner, home)
    services.referral_convert(actor=officer, referral=referral, reference="CR-1", route="child")
    with pytest.raises(ValidationError, match="already been decided: it became a case"):
        services.referral_convert(actor=officer, referral=referral, reference="CR-2", route="child")
    with pytest.raises(ValidationError, match="already been decided"):
        services.referral_close(actor=officer, referral=referral, reason="No")
    assert Case.objects.count() == 1


def test_a_case_the_rules_refuse_leaves_the_referral_new(practitioner, officer, home):
    CaseFactory.create(reference="CR-TAKEN")
    referral, _ = make(practitioner, home, aware_on=D(1950, 1, 1))
    with pytest.raises(ValidationError) as error:
        services.referral_convert(
            actor=officer, referral=referral, reference="cr-taken", route="child"
        )
    assert set(error.value.error_dict) == {"reference", "__all__"}
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW
    assert referral.case is None
    assert Case.objects.count() == 1


def test_closing_tells_the_referrer_why(practitioner, officer, home):
    referral, _ = make(practitioner, home)
    OutboxMessage.objects.all().delete()
    services.referral_close(
        actor=officer, referral=referral, reason="  It does not meet the criteria.  "
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CLOSED
    assert referral.closing_reason == "It does not meet the criteria."
    message = OutboxMessage.objects.get()
    assert message.recipient == "pat@example.test"
    assert "It does not meet the criteria." in message.body


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_closing_needs_a_bounded_reason(practitioner, officer, home, reason):
    referral, _ = make(practitioner, home)
    with pytest.raises(ValidationError):
        services.referral_close(actor=officer, referral=referral, reason=reason)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW


def test_considering_a_new_referral(practitioner, officer, home):
    referral, _ = make(practitioner, home)
    services.referral_consider(actor=officer, referral=referral)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CONSIDERING
    with pytest.raises(ValidationError):
        services.referral_consider(actor=officer, referral=referral)


# --- Who sees what --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "same_agency", "sees", "reads"),
    [
        (Role.REVIEW_OFFICER, False, True, True),
        (Role.ADMINISTRATOR, False, True, True),
        (Role.AGENCY_LEAD, True, True, False),
        (Role.AGENCY_LEAD, False, False, False),
        (Role.PRACTITIONER, True, False, False),
        (Role.EXECUTIVE, False, False, False),
        (Role.REVIEW_GROUP_MEMBER, True, False, False),
    ],
)
def test_who_sees_a_referral_and_who_reads_what_it_says(
    make_user, practitioner, home, role, same_agency, sees, reads
):
    referral = ReferralFactory.create(referrer=practitioner, referring_agency=home)
    user = make_user(role, home if same_agency else None)
    assert user.has_perm("reviews.view_referral", referral) is sees
    assert user.has_perm("reviews.view_referral_narrative", referral) is reads
    assert user.has_perm("reviews.decide_referral", referral) is (
        role in (Role.REVIEW_OFFICER, Role.ADMINISTRATOR)
    )
    assert practitioner.has_perm("reviews.view_referral_narrative", referral)


def test_someone_in_no_agency_cannot_refer(make_user):
    assert not make_user().has_perm("reviews.refer_case")
    assert make_user(Role.TRAINER).has_perm("reviews.refer_case")


def test_your_referrals_are_your_own_and_your_led_agencies(make_user, practitioner, home):
    mine = ReferralFactory.create(referrer=practitioner, referring_agency=home)
    colleague = ReferralFactory.create(referring_agency=home)
    elsewhere = ReferralFactory.create()
    lead = make_user(Role.AGENCY_LEAD, home)
    assert list(selectors.referral_list_own(user=practitioner)) == [mine]
    assert set(selectors.referral_list_own(user=lead)) == {mine, colleague}
    assert elsewhere not in selectors.referral_list_own(user=lead)


# --- Pages ----------------------------------------------------------------------------


def form_data(**overrides):
    """The referral form as a browser sends it."""
    aware = overrides.pop("aware_on", today() - datetime.timedelta(days=3))
    data = {
        "submission_key": "page-key-1",
        "pseudonym": "Child P",
        "age_band": "",
        "route": "",
        "what_happened": "A fictional account.",
        "why_review": "Learning about information sharing.",
        "contact_email": "pat@example.test",
        "contact_phone": "",
    }
    if isinstance(aware, datetime.date):
        data |= {
            "aware_on_day": str(aware.day),
            "aware_on_month": str(aware.month),
            "aware_on_year": str(aware.year),
        }
    else:
        data |= dict(zip(("aware_on_day", "aware_on_month", "aware_on_year"), aware, strict=True))
    return data | overrides


def test_the_form_warns_first_and_makes_a_referral(client, practitioner, officer):
    client.force_login(practitioner)
    page = client.get(reverse("reviews:referral_create")).content.decode()
    main = page.split('id="main-content"')[1]
    assert main.index("call 999") < main.index("<form")
    assert "not the local authority" in page
    assert "5 working days" in page
    assert "Which agency are you referring for?" not in page  # one agency: not asked

    response = client.post(reverse("reviews:referral_create"), form_data())
    referral = Referral.objects.get()
    assert response["Location"] == reverse("reviews:referral_done", args=[referral.pk])
    done = client.get(response["Location"]).content.decode()
    assert referral.reference in done
    assert "What happens next" in done

    again = client.post(reverse("reviews:referral_create"), form_data())
    assert again["Location"] == response["Location"]
    assert Referral.objects.count() == 1


def test_someone_in_two_agencies_chooses_which(client, practitioner, home):
    second = AgencyFactory.create(name="Northfield Council")
    MembershipFactory.create(user=practitioner, agency=second, role=Role.AGENCY_LEAD)
    client.force_login(practitioner)
    page = client.get(reverse("reviews:referral_create")).content.decode()
    assert "Which agency are you referring for?" in page
    missing = client.post(reverse("reviews:referral_create"), form_data())
    assert missing.status_code == 400
    assert "Choose the agency you are referring for" in missing.content.decode()
    client.post(reverse("reviews:referral_create"), form_data(referring_agency=second.pk))
    assert Referral.objects.get().referring_agency == second
    foreign = AgencyFactory.create()
    refused = client.post(
        reverse("reviews:referral_create"),
        form_data(referring_agency=foreign.pk, submission_key="k2"),
    )
    assert refused.status_code == 400
    assert "Choose one of your agencies from the list" in refused.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"aware_on": today() + datetime.timedelta(days=2)}, "must be today or in the past"),
        ({"aware_on": ("1", "1", "0001")}, "the year must be between 1900 and 2100"),
        ({"aware_on": ("1", "1", "1899")}, "the year must be between 1900 and 2100"),
        ({"aware_on": ("12345678901234567890", "1", "2024")}, "must be a real date"),
        ({"aware_on": ("1", "12345678901234567890", "2024")}, "must be a real date"),
        ({"aware_on": ("1", "1", "12345678901234567890")}, "the year must include 4 numbers"),
        ({"aware_on": ("31", "2", "2024")}, "must be a real date"),
        ({"aware_on": ("", "", "")}, "Enter when your agency became aware"),
        ({"what_happened": "x" * 5001}, "What happened must be 5,000 characters or fewer"),
        ({"why_review": ""}, "Enter why it may need a review"),
        ({"pseudonym": "x" * 81}, "80 characters or fewer"),
        ({"contact_email": "not an address"}, "Enter an email address in the correct format"),
        ({"contact_phone": "call me"}, "Enter a telephone number"),
        ({"route": "nonsense"}, "Choose a kind of review, or not sure"),
        ({"agencies": ["99999999999999999999"]}, "Choose agencies from the list"),
        ({"submission_key": ""}, "open it again"),
    ],
    ids=str,
)
def test_bad_input_is_refused_with_a_message(client, practitioner, overrides, message):
    client.force_login(practitioner)
    response = client.post(reverse("reviews:referral_create"), form_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Referral.objects.exists()


def test_the_detail_page_logs_every_read_of_the_narrative(
    client, make_user, practitioner, officer, home
):
    referral = ReferralFactory.create(referrer=practitioner, referring_agency=home)
    url = referral.get_absolute_url()
    client.force_login(practitioner)
    assert "A fictional account of what happened." in client.get(url).content.decode()
    # The referrer's own read is logged too: every read of the narrative is.
    mine = AccessLogEntry.objects.get()
    assert (mine.user, mine.restricted_shown) == (practitioner, True)

    client.force_login(officer)
    page = client.get(url).content.decode()
    assert "A fictional account of what happened." in page
    assert "Make it a case" in page
    entry = AccessLogEntry.objects.exclude(pk=mine.pk).get()
    assert (entry.user, entry.object_type) == (officer, "reviews.referral")

    client.force_login(make_user(Role.AGENCY_LEAD, home))
    page = client.get(url).content.decode()
    assert "A fictional account of what happened." not in page
    assert "seen only by the referrer" in page
    assert "Make it a case" not in page
    assert AccessLogEntry.objects.count() == 2


def test_triage_filters_by_status_and_agency(client, officer, home):
    new = ReferralFactory.create(referring_agency=home, pseudonym="Child New")
    other = ReferralFactory.create(pseudonym="Child Elsewhere")
    ReferralFactory.create(
        referring_agency=home,
        pseudonym="Child Closed",
        status=ReferralStatus.CLOSED,
        closing_reason="No",
        decided_by=officer,
        decided_at=timezone.now(),
    )
    client.force_login(officer)
    url = reverse("reviews:referral_list")
    page = client.get(url, {"status": "new"}).content.decode()
    assert "Child New" in page
    assert "Child Elsewhere" in page
    assert "Child Closed" not in page
    page = client.get(url, {"agency": other.referring_agency_id}).content.decode()
    assert "Child Elsewhere" in page
    assert "Child New" not in page
    assert new.reference in client.get(url).content.decode()
    bad = client.get(url, {"agency": "12345678901234567890", "status": "nope"})
    assert bad.status_code == 400
    assert "Choose a status from the list" in bad.content.decode()


def test_making_a_case_from_the_page_goes_to_the_case(client, practitioner, officer, home):
    referral = ReferralFactory.create(
        referrer=practitioner, referring_agency=home, route="child", aware_on=D(2026, 1, 5)
    )
    client.force_login(officer)
    url = reverse("reviews:referral_convert", args=[referral.pk])
    assert client.get(url).status_code == 200
    empty = client.post(url, {"reference": "", "route": ""})
    assert empty.status_code == 400
    assert "Enter the new case" in empty.content.decode()
    response = client.post(url, {"reference": "CR-2026-41", "route": "child"})
    case = Case.objects.get(reference="CR-2026-41")
    assert response["Location"] == case.get_absolute_url()
    assert case.incident_aware_date == D(2026, 1, 5)
    again = client.post(url, {"reference": "CR-2026-42", "route": "child"})
    assert again.status_code == 400
    assert "already been decided" in again.content.decode()


def test_closing_from_the_page(client, practitioner, officer, home):
    referral = ReferralFactory.create(referrer=practitioner, referring_agency=home)
    client.force_login(officer)
    url = reverse("reviews:referral_close", args=[referral.pk])
    long = client.post(url, {"reason": "x" * 1001})
    assert long.status_code == 400
    assert "1,000 characters or fewer" in long.content.decode()
    response = client.post(url, {"reason": "Single-agency learning only."})
    assert response["Location"] == referral.get_absolute_url()
    followed = client.get(response["Location"]).content.decode()
    assert "The referrer has been sent the reason" in followed
    assert "Single-agency learning only." in followed
    assert OutboxMessage.objects.filter(kind="reviews.referral_closed").count() == 1


def test_the_home_page_offers_the_form_and_officers_the_new_count(
    client, practitioner, officer, home
):
    ReferralFactory.create_batch(2, referring_agency=home)
    client.force_login(practitioner)
    page = client.get(reverse("accounts:home")).content.decode()
    assert reverse("reviews:referral_create") in page
    assert "new referrals" not in page
    client.force_login(officer)
    page = client.get(reverse("accounts:home")).content.decode()
    assert "2 new referrals" in page
    assert f"{reverse('reviews:referral_list')}?status=new" in page


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# Sign-in and session (the middleware's reads), then the page's own: the count, the page.
PINNED = {"reviews:referral_list": 6, "reviews:referral_mine": 5}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_list_query_counts_are_pinned(client, make_user, home, name):
    lead = make_user(Role.AGENCY_LEAD, home)
    MembershipFactory.create(user=lead, agency=home, role=Role.REVIEW_OFFICER)
    client.force_login(lead)

    def grow(count):
        for _ in range(count):
            referral = ReferralFactory.create(referring_agency=home, referrer=lead)
            referral.agencies.add(AgencyFactory.create())

    grow(2)
    assert _queries(client, reverse(name)) == PINNED[name]
    grow(20)
    assert _queries(client, reverse(name)) == PINNED[name]


def test_the_detail_page_query_count_does_not_grow_with_agencies(client, officer, home):
    referral = ReferralFactory.create(referring_agency=home)
    client.force_login(officer)
    small = _queries(client, referral.get_absolute_url())
    referral.agencies.add(*AgencyFactory.create_batch(8))
    assert _queries(client, referral.get_absolute_url()) == small


def test_referrals_by_agency_and_month(db):
    north, south = AgencyFactory.create(name="North"), AgencyFactory.create(name="South")
    moments = {
        (north, datetime.datetime(2026, 1, 3, 12, tzinfo=datetime.UTC)),
        (north, datetime.datetime(2026, 1, 30, 12, tzinfo=datetime.UTC)),
        (south, datetime.datetime(2026, 2, 2, 12, tzinfo=datetime.UTC)),
        # 23:30 on 31 May in UTC is already June in London (summer time).
        (south, datetime.datetime(2026, 5, 31, 23, 30, tzinfo=datetime.UTC)),
        (south, datetime.datetime(2025, 12, 31, 12, tzinfo=datetime.UTC)),  # before
    }
    for agency, moment in moments:
        ReferralFactory.create(referring_agency=agency, created_at=moment)
    rows = selectors.referrals_by_agency_and_month(since=D(2026, 1, 1), until=D(2026, 6, 30))
    assert [(row.agency_name, row.month, row.count) for row in rows] == [
        ("North", D(2026, 1, 1), 2),
        ("South", D(2026, 2, 1), 1),
        ("South", D(2026, 6, 1), 1),
    ]


def test_the_demo_has_referrals_new_converted_and_closed(db):
    out = StringIO()
    call_command("seed_demo", "--password", "demo-password-1", stdout=out)
    assert "5 demo referrals made." in out.getvalue()
    statuses = sorted(Referral.objects.values_list("status", flat=True))
    assert statuses == ["case", "closed", "considering", "new", "new"]
    assert Referral.objects.values("referring_agency").distinct().count() == 4
    converted = Referral.objects.get(status=ReferralStatus.CASE)
    assert converted.case is not None
    assert converted.case.referral_date == timezone.localtime(converted.created_at).date()
    call_command("seed_demo", "--password", "demo-password-1", stdout=out)
    assert Referral.objects.count() == 5


def test_a_second_post_racing_the_first_gets_the_first_referral(practitioner, home, monkeypatch):
    """The other post committed between this one's look for it and its insert."""
    first, _ = make(practitioner, home)
    looks = iter([None, first])
    monkeypatch.setattr(services, "referral_by_submission", lambda **_: next(looks))
    again, created = make(practitioner, home)
    assert not created
    assert again == first
    assert Referral.objects.count() == 1


def test_the_referrer_sees_the_case_reference_but_no_link_they_cannot_follow(
    client, practitioner, officer, home
):
    referral, _ = make(practitioner, home)
    case = services.referral_convert(
        actor=officer, referral=referral, reference="CR-2026-77", route="child"
    )
    client.force_login(practitioner)
    page = client.get(referral.get_absolute_url()).content.decode()
    assert "This referral became case CR-2026-77" in page
    assert case.get_absolute_url() not in page
    client.force_login(officer)
    assert case.get_absolute_url() in client.get(referral.get_absolute_url()).content.decode()

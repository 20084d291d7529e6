import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.urls import reverse

from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.outbox import outbox_deliver
from sightline.core.roles import Role
from sightline.learning import selectors, services
from sightline.learning.models import Action, DisseminationReturn, Recommendation
from sightline.reviews.tests.factories import CaseFactory

D = datetime.date


@pytest.fixture
def setting(make_user, django_capture_on_commit_callbacks):
    police, health = AgencyFactory.create(name="Police"), AgencyFactory.create(name="Health")
    lead = make_user(Role.AGENCY_LEAD, agency=police, email="lead@police.test")
    case = CaseFactory.create(published_date=D(2024, 9, 2))
    case.agencies.add(police, health)
    return {"police": police, "health": health, "lead": lead, "case": case}


def test_asking_for_returns_emails_each_agency_lead_once(
    admin_client, setting, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("learning:return_request", args=[setting["case"].pk])
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url)
    assert DisseminationReturn.objects.count() == 2
    assert [mail.to for mail in mailoutbox] == [["lead@police.test"]]
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url)
    assert DisseminationReturn.objects.count() == 2
    assert len(mailoutbox) == 1


def test_unpublished_reviews_are_not_asked(admin_user, db):
    case = CaseFactory.create()
    with pytest.raises(Exception, match="once the review is published"):
        services.returns_request(actor=admin_user, case=case)


def test_agency_lead_makes_the_return_and_the_tracker_shows_it(client, admin_user, setting):
    services.returns_request(actor=admin_user, case=setting["case"])
    item = DisseminationReturn.objects.get(agency=setting["police"])
    other = DisseminationReturn.objects.get(agency=setting["health"])
    client.force_login(setting["lead"])
    assert client.get(reverse("learning:return_submit", args=[other.pk])).status_code == 404
    early = client.post(
        reverse("learning:return_submit", args=[item.pk]),
        {
            "returned_on_day": "1",
            "returned_on_month": "9",
            "returned_on_year": "2024",
            "methods": "briefing",
            "staff_reached": "30",
            "summary": "Briefings",
        },
    )
    assert "before the review was published" in early.content.decode()
    client.post(
        reverse("learning:return_submit", args=[item.pk]),
        {
            "returned_on_day": "9",
            "returned_on_month": "9",
            "returned_on_year": "2024",
            "methods": ["briefing", "newsletter"],
            "staff_reached": "1,030",
            "summary": "Briefings",
        },
    )
    item.refresh_from_db()
    assert item.methods == ["briefing", "newsletter"]
    assert (item.returned_on, item.staff_reached, item.returned_by) == (
        D(2024, 9, 9),
        1030,
        setting["lead"],
    )
    report = selectors.learning_report(as_at=item.requested_on)
    assert report["dissemination_returns_outstanding"] == [
        {
            "source": setting["case"].reference,
            "agency": "Health",
            "requested_on": item.requested_on.isoformat(),
        }
    ]


def test_reminders_for_actions_and_returns_once_a_day_and_the_digest(
    admin_user, setting, mailoutbox
):
    rec = Recommendation.objects.create(
        reference="R1", source_type="other", source_title="Audit", text="T", made_date=D(2024, 1, 1)
    )
    Action.objects.create(
        reference="R1/A1",
        recommendation=rec,
        agency=setting["police"],
        description="Soon",
        due_date=D(2024, 10, 3),
    )
    Action.objects.create(
        reference="R1/A2",
        recommendation=rec,
        agency=setting["police"],
        description="Later",
        due_date=D(2024, 12, 31),
    )
    services.returns_request(actor=admin_user, case=setting["case"])
    mailoutbox.clear()

    sent = services.learning_reminders_send(today=D(2024, 10, 1), digest=False)  # a Tuesday
    assert sent == {"actions": 1, "returns": 1, "digests": 0}
    assert services.learning_reminders_send(today=D(2024, 10, 1), digest=False) == {
        "actions": 0,
        "returns": 0,
        "digests": 0,
    }
    monday = services.learning_reminders_send(today=D(2024, 10, 7))
    assert monday["digests"] == 1
    digest = mailoutbox[-1]
    assert "R1/A1" in digest.body
    assert "R1/A2" in digest.body


def test_emails_name_a_case_only_to_agencies_involved_in_it(setting, mailoutbox):
    """Decision 0013: an email leaves Sightline, so a reminder or digest about an action on a
    case its agency was not involved in names the action without the case's reference."""
    case = setting["case"]  # Police and Health were involved
    outsider = AgencyFactory.create(name="Housing")
    rec = Recommendation.objects.create(
        reference=f"{case.reference}/R1",
        source_type="case_review",
        source_case=case,
        text="T",
        made_date=D(2024, 1, 1),
    )
    for agency, number in ((setting["police"], 1), (outsider, 2)):
        Action.objects.create(
            reference=f"{case.reference}/R1/A{number}",
            recommendation=rec,
            agency=agency,
            description=f"Action {number}",
            due_date=D(2024, 10, 3),
        )
    housing_lead = UserFactory.create(email="lead@housing.test")
    MembershipFactory.create(user=housing_lead, agency=outsider, role=Role.AGENCY_LEAD)
    services.learning_reminders_send(today=D(2024, 10, 7))  # a Monday: reminders and digests
    police_mail = [m for m in mailoutbox if m.to == ["lead@police.test"]]
    housing_mail = [m for m in mailoutbox if m.to == ["lead@housing.test"]]
    # A reminder and a digest each.
    assert len(police_mail) == 2
    assert len(housing_mail) == 2
    for message in police_mail:
        assert f"{case.reference}/R1/A1" in message.subject + message.body
    for message in housing_mail:
        assert case.reference not in message.subject + message.body
        assert "Not shared/R1/A2" in message.subject + message.body


def test_one_refused_address_does_not_stop_the_other_learning_reminders(setting, monkeypatch):
    rec = Recommendation.objects.create(
        reference="R1", source_type="other", source_title="Audit", text="T", made_date=D(2024, 1, 1)
    )
    for number in (1, 2):
        Action.objects.create(
            reference=f"R1/A{number}",
            recommendation=rec,
            agency=setting["police"],
            description="Soon",
            due_date=D(2024, 10, 3),
        )
    real = locmem.EmailBackend.send_messages

    def refuse_the_first(self, messages):
        if "R1/A1" in messages[0].subject:
            raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (450, b"mailbox busy")})
        return real(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse_the_first)
    written = services.learning_reminders_send(today=D(2024, 10, 1), digest=False)
    assert written == {"actions": 2, "returns": 0, "digests": 0}
    result = outbox_deliver()
    assert (result.sent, result.retrying) == (1, 1)
    assert ["R1/A2" in m.subject for m in mail.outbox] == [True]
    assert services.learning_reminders_send(today=D(2024, 10, 1), digest=False)["actions"] == 0


def test_reminder_command(db, capsys):
    call_command("send_learning_reminders", "--digest")
    assert (
        "0 action reminders, 0 return reminders and 0 digests written." in capsys.readouterr().out
    )


def test_returns_page_query_count_does_not_grow(admin_client, admin_user, setting):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse("learning:returns")).status_code == 200
        return len(captured)

    services.returns_request(actor=admin_user, case=setting["case"])
    small = queries()
    for _n in range(10):
        case = CaseFactory.create(published_date=D(2024, 9, 2))
        case.agencies.add(setting["police"])
        services.returns_request(actor=admin_user, case=case)
    assert queries() == small


def test_agency_lead_home_panel_and_its_query_count(client, admin_user, setting):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rec = Recommendation.objects.create(
        reference="R9", source_type="other", source_title="Audit", text="T", made_date=D(2024, 1, 1)
    )

    def grow(start, count):
        for n in range(start, start + count):
            Action.objects.create(
                reference=f"R9/A{n}",
                recommendation=rec,
                agency=setting["police"],
                description="Late",
                due_date=D(2024, 2, 1),
            )

    client.force_login(setting["lead"])
    grow(0, 2)
    services.returns_request(actor=admin_user, case=setting["case"], notify=False)
    with CaptureQueriesContext(connection) as small:
        page = client.get(reverse("accounts:home")).content.decode()
    assert "R9/A0" in page
    assert setting["case"].reference in page
    grow(2, 20)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("accounts:home"))
    assert len(large) == len(small)


def test_an_agency_added_later_can_still_be_asked(admin_user, setting):
    services.returns_request(actor=admin_user, case=setting["case"], notify=False)
    assert setting["case"] not in selectors.published_cases_without_returns()
    late = AgencyFactory.create(name="Housing")
    setting["case"].agencies.add(late)
    assert setting["case"] in selectors.published_cases_without_returns()
    created = services.returns_request(actor=admin_user, case=setting["case"], notify=False)
    assert [item.agency for item in created] == [late]


def test_the_returns_list_links_only_returns_the_person_may_make(
    client, admin_user, make_user, setting
):
    services.returns_request(actor=admin_user, case=setting["case"], notify=False)
    police = DisseminationReturn.objects.get(agency=setting["police"])
    health = DisseminationReturn.objects.get(agency=setting["health"])
    client.force_login(setting["lead"])
    page = client.get(reverse("learning:returns")).content.decode()
    assert reverse("learning:return_submit", args=[police.pk]) in page
    assert reverse("learning:return_submit", args=[health.pk]) not in page
    client.force_login(make_user(Role.EXECUTIVE, agency=setting["police"]))
    page = client.get(reverse("learning:returns")).content.decode()
    assert reverse("learning:return_submit", args=[police.pk]) not in page


def test_a_return_shows_the_learning_the_agency_is_asked_to_spread(client, admin_user, setting):
    for reference, decision, reason in [
        ("R2", "accepted", ""),
        ("R1", "", ""),
        ("R3", "not_accepted", "Already done"),
    ]:
        Recommendation.objects.create(
            reference=reference,
            source_type="case_review",
            source_case=setting["case"],
            text=f"Recommendation {reference} text",
            made_date=D(2024, 9, 2),
            decision=decision,
            decision_reason=reason,
        )
    services.returns_request(actor=admin_user, case=setting["case"])
    item = DisseminationReturn.objects.get(agency=setting["police"])
    client.force_login(setting["lead"])
    page = client.get(reverse("learning:return_submit", args=[item.pk])).content.decode()
    assert "The learning to spread" in page
    assert page.index("Recommendation R1 text") < page.index("Recommendation R2 text")
    assert "Recommendation R3 text" not in page

"""Cases through the pages and services: validation, visibility, access log, tracker, deadlines."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.models import AccessLogEntry, AuditEvent, ClosureDay
from sightline.core.roles import Role
from sightline.core.services import closure_day_add
from sightline.reviews import services
from sightline.reviews.models import Case, CaseDeadline, PracticeTheme, TimelinessStandard
from sightline.reviews.tests.factories import CaseFactory
from sightline.reviews.vocabulary import MILESTONES

D = datetime.date


ROUTE_FIELDS = {"outcome", *MILESTONES}


def form_data(**overrides):
    """The case form as a browser sends it: the route's questions carry the route's prefix."""
    route = str(overrides.get("route", "child"))
    data: dict[str, object] = {
        "reference": "CR-2024-09",
        "route": route,
        "shown_route": route,
        "pseudonym": "Child Z",
        f"{route}-outcome": "",
    }
    for field, value in overrides.items():
        name = f"{route}-{field}" if field in ROUTE_FIELDS else field
        if isinstance(value, datetime.date):
            data |= {
                f"{name}_day": value.day,
                f"{name}_month": value.month,
                f"{name}_year": value.year,
            }
        else:
            data[name] = value
    return data


def test_creating_a_case_derives_stage_deadlines_and_audit(admin_client):
    response = admin_client.post(
        reverse("reviews:case_create"),
        form_data(incident_aware_date=D(2024, 3, 4), panel_notified_date=D(2024, 3, 6)),
    )
    case = Case.objects.get(reference="CR-2024-09")
    assert response["Location"] == case.get_absolute_url()
    assert (case.stage, case.opened_on) == ("rapid_review", D(2024, 3, 4))
    assert list(CaseDeadline.objects.filter(case=case).values_list("standard__code", "due")) == [
        ("child.rapid_review", D(2024, 3, 25))
    ]
    assert (
        AuditEvent.objects.get(object_type="reviews.case", kind="create").changes["reference"]["to"]
        == "CR-2024-09"
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"incident_aware_date": D(2999, 1, 1)}, "must be today or in the past"),
        (
            {"incident_aware_date": D(2024, 3, 4), "panel_notified_date": D(2024, 3, 1)},
            "Panel notified (1 March 2024) must be the same as or after local authority aware "
            "of the serious incident (4 March 2024)",
        ),
        ({"outcome": "dhr"}, "Choose an outcome from the list"),
        ({"route": "", "shown_route": ""}, "Choose the route the case is on"),
    ],
)
def test_impossible_cases_are_refused_and_nothing_is_saved(admin_client, overrides, message):
    response = admin_client.post(reverse("reviews:case_create"), form_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists()
    assert not AuditEvent.objects.filter(object_type="reviews.case").exists()


def test_duplicate_references_are_refused_whatever_their_case(admin_client):
    CaseFactory.create(reference="CR-2024-09")
    response = admin_client.post(reverse("reviews:case_create"), form_data(reference="cr-2024-09"))
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_changing_a_case_records_what_changed(admin_client, admin_user):
    case = CaseFactory.create()
    old_name = case.pseudonym
    data = form_data(
        reference=case.reference,
        pseudonym="Renamed",
        incident_aware_date=case.incident_aware_date,
        panel_notified_date=case.panel_notified_date,
        rapid_review_sent_date=D(2024, 3, 20),
    )
    admin_client.post(reverse("reviews:case_edit", args=[case.pk]), data)
    case.refresh_from_db()
    assert case.stage == "decision"
    event = AuditEvent.objects.get(object_type="reviews.case", kind="update")
    assert event.changes["pseudonym"] == {"from": old_name, "to": "Renamed"}
    assert event.changes["rapid_review_sent_date"] == {"from": None, "to": "2024-03-20"}
    assert not CaseDeadline.objects.filter(case=case).exists()


def _viewer(make_user, role, agency):
    return make_user(role, agency=agency)


def test_agency_scope_and_need_to_know(client, make_user):
    involved, other = AgencyFactory.create(), AgencyFactory.create()
    case = CaseFactory.create(restricted_summary="Sensitive words")
    case.agencies.add(involved)
    lead = make_user(Role.AGENCY_LEAD, agency=involved)
    outsider = make_user(Role.AGENCY_LEAD, agency=other)

    client.force_login(outsider)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert "TC-" not in client.get(reverse("reviews:case_list")).content.decode()

    client.force_login(lead)
    page = client.get(case.get_absolute_url()).content.decode()
    assert case.reference in page
    assert "Sensitive words" not in page
    services.assignment_add(actor=None, case=case, user=lead)
    assert "Sensitive words" in client.get(case.get_absolute_url()).content.decode()


def _history(client, case) -> str:
    page = client.get(case.get_absolute_url()).content.decode()
    return page.split(">History</h2>")[1].split("Who has viewed this case")[0]


def test_history_reads_in_words_and_never_shows_restricted_values(client, make_user, admin_user):
    agency = AgencyFactory.create()
    case = CaseFactory.create(harm_types=[])
    case.agencies.add(agency)
    services.case_save(
        actor=admin_user,
        case=case,
        data={
            "restricted_summary": "Hidden detail",
            "age_band": "under_1",
            "harm_types": ["physical"],
        },
    )
    lead = make_user(Role.AGENCY_LEAD, agency=agency)
    for viewer in (lead, admin_user):  # whether or not they may see the restricted details
        client.force_login(viewer)
        history = _history(client, case)
        assert "Harm types</strong>: none → Physical abuse" in history
        assert "Summary (restricted)</strong>: restricted detail changed" in history
        assert "Age band</strong>: restricted detail changed" in history
        assert "Hidden detail" not in history
        assert "Under 1" not in history
        assert "harm_types" not in history
        assert "restricted_summary" not in history


def test_every_case_page_view_is_logged_and_shown(admin_client, admin_user):
    case = CaseFactory.create()
    admin_client.get(case.get_absolute_url())
    page = admin_client.get(case.get_absolute_url()).content.decode()
    assert (
        AccessLogEntry.objects.filter(
            object_type="reviews.case", object_id=str(case.pk), user=admin_user
        ).count()
        == 2
    )
    viewers = page.split("Who has viewed this case")[1].split("</ul>")[0]
    assert viewers.count(admin_user.email) == 1  # one row for the day, with its count
    assert "2 views" in viewers


def test_tracker_filters(admin_client):
    theme = PracticeTheme.objects.get(name="Safer sleep")
    agency = AgencyFactory.create()
    tagged = CaseFactory.create(reference="TAGGED")
    tagged.themes.add(theme)
    tagged.agencies.add(agency)
    CaseFactory.create(
        reference="ADULT",
        route="adult",
        incident_aware_date=None,
        panel_notified_date=None,
        referral_date=D(2023, 1, 1),
        opened_on=D(2023, 1, 1),
        stage="decision",
    )

    def shown(**query):
        page = admin_client.get(reverse("reviews:case_list"), query).content.decode()
        return {ref for ref in ("TAGGED", "ADULT") if f">{ref}<" in page}

    assert shown() == {"TAGGED", "ADULT"}
    assert shown(route="adult") == {"ADULT"}
    assert shown(theme=theme.pk) == {"TAGGED"}
    assert shown(agency=agency.pk) == {"TAGGED"}
    assert shown(year="2023") == {"ADULT"}
    assert shown(stage="rapid_review") == {"TAGGED"}
    assert shown(search="tagg") == {"TAGGED"}


def test_overdue_filter_follows_the_deadlines(admin_client):
    late = CaseFactory.create(reference="LATE")
    services.deadlines_refresh(case_ids=[late.pk])
    CaseFactory.create(reference="DONE", rapid_review_sent_date=D(2024, 3, 20), stage="decision")
    page = admin_client.get(reverse("reviews:case_list"), {"overdue": "on"}).content.decode()
    assert ">LATE<" in page
    assert ">DONE<" not in page


def test_exports_neutralise_formulas_and_are_logged(admin_client):
    CaseFactory.create(pseudonym='=HYPERLINK("x")')
    csv_body = admin_client.get(reverse("reviews:case_export", args=["csv"])).content.decode()
    assert "'=HYPERLINK" in csv_body
    xlsx = admin_client.get(reverse("reviews:case_export", args=["xlsx"]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert admin_client.get(reverse("reviews:case_export", args=["pdf"])).status_code == 404
    assert AccessLogEntry.objects.filter(action="export").count() == 2


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url_name",
    [
        "reviews:case_list",
        "reviews:deadlines",
        "reviews:timeliness",
        "reviews:theme_list",
        "reviews:standard_list",
    ],
)
def test_list_query_counts_do_not_grow(admin_client, url_name):
    def grow(count):
        for _ in range(count):
            case = CaseFactory.create(officer=None)
            case.themes.add(PracticeTheme.objects.order_by("pk")[0])
            case.agencies.add(AgencyFactory.create())
        services.deadlines_refresh()

    grow(3)
    small = _queries(admin_client, reverse(url_name))
    grow(30)
    assert _queries(admin_client, reverse(url_name)) == small


def test_case_page_query_count_does_not_grow_with_its_records(admin_client, admin_user):
    case = CaseFactory.create()
    services.decision_record(
        actor=admin_user,
        case=case,
        decided_on=D(2024, 3, 20),
        decision="A",
        reasons="B",
        decided_by="Group",
    )
    small = _queries(admin_client, case.get_absolute_url())
    for index in range(5):
        services.decision_record(
            actor=admin_user,
            case=case,
            decided_on=D(2024, 3, 20),
            decision=f"A{index}",
            reasons="B",
            decided_by="Group",
        )
        services.pause_record(
            actor=admin_user, case=case, reason="inquest", started_on=D(2024, 4, 1)
        )
    assert _queries(admin_client, case.get_absolute_url()) == small + 0


def test_pause_is_shown_beside_the_status_and_never_changes_the_figure(admin_client, admin_user):
    case = CaseFactory.create()
    services.deadlines_refresh(case_ids=[case.pk])
    services.pause_record(
        actor=admin_user, case=case, reason="criminal_proceedings", started_on=D(2024, 3, 10)
    )
    page = admin_client.get(case.get_absolute_url()).content.decode()
    assert "Paused: parallel criminal proceedings" in page
    report = admin_client.get(reverse("reviews:timeliness")).content.decode()
    assert "Overdue" in report
    from sightline.reviews.selectors import timeliness_report

    rapid = next(
        s
        for s in timeliness_report(as_at=D(2024, 6, 1))["standards"]
        if s["code"] == "child.rapid_review"
    )
    assert rapid["overdue"] == 1


def test_pause_cannot_end_before_it_starts(admin_client):
    case = CaseFactory.create()
    data = {
        "reason": "inquest",
        "started_on_day": "10",
        "started_on_month": "4",
        "started_on_year": "2024",
        "ended_on_day": "1",
        "ended_on_month": "4",
        "ended_on_year": "2024",
    }
    response = admin_client.post(reverse("reviews:pause_create", args=[case.pk]), data)
    assert response.status_code == 400
    assert "must be on or after its start" in response.content.decode()


def test_closure_days_and_standard_changes_recount_deadlines(admin_user):
    case = CaseFactory.create()
    services.deadlines_refresh(case_ids=[case.pk])
    assert CaseDeadline.objects.get(case=case).due == D(2024, 3, 25)
    closure_day_add(actor=admin_user, date=D(2024, 3, 12), description="County closure")
    assert CaseDeadline.objects.get(case=case).due == D(2024, 3, 26)
    standard = TimelinessStandard.objects.get(code="child.rapid_review")
    data = {field: getattr(standard, field) for field in services.STANDARD_FIELDS} | {"amount": 20}
    services.standard_save(actor=admin_user, standard=standard, data=data)
    # 20 working days from Monday 4 March 2024, less the closure day and Easter.
    assert CaseDeadline.objects.get(case=case).due == D(2024, 4, 4)
    assert ClosureDay.objects.count() == 1


def test_local_standard_for_adult_decisions(admin_client):
    response = admin_client.post(
        reverse("reviews:standard_create"),
        {
            "code": "adult.decision",
            "route": "adult",
            "start_field": "referral_date",
            "done_field": "decision_date",
            "rule": "within_working_days",
            "amount": "20",
            "outcome": "",
            "description": "SAR decision within 20 working days",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    case = CaseFactory.create(
        route="adult",
        incident_aware_date=None,
        panel_notified_date=None,
        referral_date=D(2024, 1, 2),
        stage="decision",
    )
    services.deadlines_refresh(case_ids=[case.pk])
    assert CaseDeadline.objects.get(case=case).due == D(2024, 1, 30)
    bad = admin_client.post(
        reverse("reviews:standard_create"),
        {
            "code": "adult.bad",
            "route": "adult",
            "start_field": "incident_aware_date",
            "done_field": "decision_date",
            "rule": "within_working_days",
            "amount": "0",
        },
    )
    assert bad.status_code == 400
    assert "Enter a number of at least 1" in bad.content.decode()


def test_themes_are_editable(admin_client):
    admin_client.post(reverse("reviews:theme_list"), {"name": "Cost of living", "is_active": "on"})
    assert PracticeTheme.objects.filter(name="Cost of living").exists()
    clash = admin_client.post(
        reverse("reviews:theme_list"), {"name": "cost of LIVING", "is_active": "on"}
    )
    assert clash.status_code == 400


def test_deadlines_page_mine_and_partnership(client, make_user):
    officer = make_user(Role.REVIEW_OFFICER)
    other = CaseFactory.create(reference="OTHERS")
    mine = CaseFactory.create(reference="MINE", officer=officer)
    services.deadlines_refresh(case_ids=[other.pk, mine.pk])
    client.force_login(officer)
    with time_machine.travel(datetime.datetime(2024, 3, 20, 12, tzinfo=datetime.UTC)):
        everyone = client.get(reverse("reviews:deadlines")).content.decode()
        own = client.get(reverse("reviews:deadlines"), {"mine": "1"}).content.decode()
    assert "OTHERS" in everyone
    assert "MINE" in everyone
    assert "MINE" in own
    assert "OTHERS" not in own


@pytest.mark.parametrize("role", [Role.REVIEW_OFFICER, Role.AGENCY_LEAD, Role.EXECUTIVE])
def test_home_page_panels_and_their_query_count(client, make_user, role):
    agency = AgencyFactory.create()
    user = make_user(role, agency=agency)
    client.force_login(user)

    def grow(count):
        for _ in range(count):
            case = CaseFactory.create(
                officer=user,
                incident_aware_date=datetime.date.today() - datetime.timedelta(days=3),
                panel_notified_date=None,
                opened_on=datetime.date.today(),
            )
            case.agencies.add(agency)
        services.deadlines_refresh()

    grow(2)
    # The first request after a change works the timeliness out; the next one reads it from
    # the cache: both counts stay the same as the cases grow.
    small_cold = _queries(client, reverse("accounts:home"))
    small_warm = _queries(client, reverse("accounts:home"))
    grow(20)
    assert _queries(client, reverse("accounts:home")) == small_cold
    page = client.get(reverse("accounts:home")).content.decode()
    assert _queries(client, reverse("accounts:home")) == small_warm
    if role == Role.EXECUTIVE:
        assert small_warm < small_cold
        assert "Timeliness this financial year" in page
    else:
        assert "Case review deadlines" in page
        assert "TC-" in page


def test_saving_a_case_keeps_a_theme_no_longer_offered(admin_client):
    theme = PracticeTheme.objects.order_by("pk")[0]
    case = CaseFactory.create()
    case.themes.add(theme)
    theme.is_active = False
    theme.save()
    page = admin_client.get(reverse("reviews:case_edit", args=[case.pk])).content.decode()
    assert theme.name in page
    data = form_data(
        reference=case.reference,
        incident_aware_date=case.incident_aware_date,
        panel_notified_date=case.panel_notified_date,
        themes=str(theme.pk),
    )
    assert admin_client.post(reverse("reviews:case_edit", args=[case.pk]), data).status_code == 302
    assert list(case.themes.all()) == [theme]


def test_drill_down_lists_only_cases_the_person_may_know(client, make_user):
    agency = AgencyFactory.create()
    mine = CaseFactory.create(reference="MINE-1")
    mine.agencies.add(agency)
    CaseFactory.create(reference="OTHER-1")
    member = make_user(Role.REVIEW_GROUP_MEMBER, agency=agency)
    client.force_login(member)
    page = client.get(
        reverse("reviews:timeliness_cases", args=["child.rapid_review"]), {"as_at": "2024-12-31"}
    ).content.decode()
    assert "MINE-1" in page
    assert "OTHER-1" not in page
    assert "1 case outside your agencies is counted" in page


def test_command_line_imports_name_who_ran_them(db, tmp_path):
    from django.core.management import call_command

    file = tmp_path / "cases.csv"
    file.write_text("reference,route,incident_aware_date\nCR-1,child,2024-01-02\n")
    call_command("import_reviews", str(file))
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT)
    assert event.actor_email.startswith("command line (")


def test_recount_deadlines_command(db, capsys):
    from django.core.management import call_command

    CaseFactory.create()
    call_command("recount_deadlines")
    assert "1 open deadlines recounted." in capsys.readouterr().out


def test_administrators_find_the_settings_from_home(admin_client):
    page = admin_client.get(reverse("accounts:home")).content.decode()
    for url_name in ["reviews:standard_list", "reviews:theme_list", "core:closure_days"]:
        assert f'href="{reverse(url_name)}"' in page


def test_form_pages_name_the_case_and_offer_a_way_back(admin_client):
    case = CaseFactory.create(pseudonym="Child Q")
    page = admin_client.get(reverse("reviews:decision_create", args=[case.pk])).content.decode()
    assert f'govuk-caption-l">{case.reference}: Child Q' in page
    assert f'href="{case.get_absolute_url()}">Cancel' in page
    page = admin_client.get(reverse("reviews:standard_create")).content.decode()
    assert "Add a local standard</h1>" in page


def test_related_cases_link_a_known_reference_and_refuse_the_case_itself(admin_client, admin_user):
    case = CaseFactory.create()
    other = CaseFactory.create(reference="DHR-2022-01")
    url = reverse("reviews:related_add", args=[case.pk])
    admin_client.post(url, {"kind": "linked_dhr", "reference": "dhr-2022-01"})
    admin_client.post(url, {"kind": "national", "reference": "Out of routine (2020)"})
    page = admin_client.get(case.get_absolute_url()).content.decode()
    assert f'href="{other.get_absolute_url()}">dhr-2022-01</a>' in page
    assert "Out of routine (2020)" in page
    itself = admin_client.post(url, {"kind": "linked_case", "reference": case.reference})
    assert itself.status_code == 400
    assert "A case cannot be related to itself" in itself.content.decode()
    assert case.relations.count() == 2


def test_a_pause_ends_today_and_only_once(admin_client, admin_user):
    case = CaseFactory.create()
    pause = services.pause_record(
        actor=admin_user, case=case, reason="inquest", started_on=D(2024, 4, 1)
    )
    url = reverse("reviews:pause_end", args=[case.pk, pause.pk])
    admin_client.post(url)
    pause.refresh_from_db()
    assert pause.ended_on == timezone.localdate()
    again = admin_client.post(url, follow=True)
    assert "This pause has already ended" in again.content.decode()
    assert "Paused:" not in admin_client.get(case.get_absolute_url()).content.decode()


def test_removing_someone_from_a_case_ends_their_need_to_know(client, admin_user, make_user):
    agency = AgencyFactory.create()
    case = CaseFactory.create(restricted_summary="Sensitive words")
    case.agencies.add(agency)
    lead = make_user(Role.AGENCY_LEAD, agency=agency)
    assignment = services.assignment_add(actor=admin_user, case=case, user=lead)
    client.force_login(admin_user)
    remove = reverse("reviews:assignment_remove", args=[case.pk, assignment.pk])
    asked = client.get(remove).content.decode()
    assert f"Are you sure you want to take {lead.full_name} off {case.reference}?" in asked
    assert case.assignments.exists()
    client.post(remove)
    client.force_login(lead)
    assert "Sensitive words" not in client.get(case.get_absolute_url()).content.decode()
    changes = AuditEvent.objects.filter(object_id=str(case.pk)).values_list("changes", flat=True)
    assert {"people on the case": {"from": lead.email, "to": None}} in list(changes)

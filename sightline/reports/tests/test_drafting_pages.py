"""The yearly report's drafting pages: what they show, who may act, what bad addresses and
input get, and query counts that do not grow with the records."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from sightline.core.roles import Role
from sightline.reviews.tests.factories import CaseFactory

from .. import services
from ..models import (
    ChapterVersion,
    Circulation,
    ContentException,
    ReportChapter,
    ReportStatus,
    YearlyReport,
)
from ..selectors import drafts as selectors
from ..yearly.contents import CHAPTER_IDS
from .drafting_helpers import YEAR, all_approved, chapter_of, person, started

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2024, 7, 1, 10, tzinfo=datetime.UTC)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, **kwargs) -> str:
    return reverse(f"reports:{name}", kwargs={"year": YEAR.label, **kwargs})


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.mark.parametrize(
    "address",
    [
        "/reports/yearly/2023-25/",
        "/reports/yearly/nonsense/",
        "/reports/yearly/2019-20/",  # a year whose report was never started
        "/reports/yearly/2023-24/chapters/epilogue/",
        "/reports/yearly/2023-24/chapters/epilogue/history/",
        "/reports/yearly/2023-24/checklist/wt.nothing/missing/",
        "/reports/yearly/2023-24/checklist/wt.voice/missing/withdraw/",
    ],
)
def test_bad_years_chapters_and_contents_are_not_found(address):
    admin = person(Role.ADMINISTRATOR)
    started(admin)
    assert signed_in(admin).get(address).status_code == 404


def test_an_owner_sees_and_writes_their_chapter_only():
    admin, officer = person(Role.ADMINISTRATOR), person(Role.REVIEW_GROUP_MEMBER, "Olu Owner")
    report = started(admin)
    mine = chapter_of(report, "learning_embedded")
    services.chapter_owner_set(actor=admin, chapter=mine, owner=officer)
    client = signed_in(officer)
    listing = client.get(reverse("reports:yearly_list"))
    assert listing.status_code == 200
    assert url("yearly_chapter", chapter="learning_embedded") in listing.content.decode()
    page = client.get(url("yearly_chapter", chapter="learning_embedded"))
    assert page.status_code == 200
    assert "Save the text" in text(page)
    saved = client.post(
        url("yearly_chapter", chapter="learning_embedded"), {"text": "Shared.", "version": 0}
    )
    assert saved.status_code == 302
    assert mine.versions.get().written_by == officer
    assert client.get(url("yearly_chapter", chapter="introduction")).status_code == 403
    assert (
        client.post(url("yearly_chapter", chapter="introduction"), {"text": "x"}).status_code == 403
    )
    assert client.get(url("yearly_overview")).status_code == 403


def test_a_reader_who_may_not_write_sees_the_text_without_a_form():
    admin, officer = person(Role.ADMINISTRATOR), person(Role.REVIEW_OFFICER)
    chapter = chapter_of(started(admin), "introduction")
    services.chapter_write(actor=admin, chapter=chapter, text="First.\n\nSecond.")
    client = signed_in(officer)
    page = client.get(url("yearly_chapter", chapter="introduction"))
    assert "Save the text" not in text(page)
    assert "Second." in text(page)
    assert (
        client.post(url("yearly_chapter", chapter="introduction"), {"text": "x"}).status_code == 403
    )


def test_writing_too_much_says_what_to_do():
    admin = person(Role.ADMINISTRATOR)
    started(admin)
    response = signed_in(admin).post(
        url("yearly_chapter", chapter="introduction"), {"text": "x" * 20_001}
    )
    assert response.status_code == 400
    assert "characters or fewer: shorten it" in text(response)
    assert not ChapterVersion.objects.exists()


def test_the_chapter_page_shows_the_prompt_figures_and_approval():
    admin, executive = person(Role.ADMINISTRATOR, "Ada Admin"), person(Role.EXECUTIVE)
    CaseFactory.create()
    chapter = chapter_of(started(admin), "practice_reviews")
    services.chapter_write(actor=admin, chapter=chapter, text="Reviews this year.")
    mine = text(signed_in(admin).get(url("yearly_chapter", chapter="practice_reviews")))
    assert "What the reviews this year found" in mine  # the prompt
    assert "The chapter's figures" in mine
    assert "Approve version 1" not in mine
    assert "another administrator or executive member must approve it" in mine
    theirs = signed_in(executive)
    assert "Approve version 1" in text(
        theirs.get(url("yearly_chapter", chapter="practice_reviews"))
    )
    approved = theirs.post(
        url("yearly_chapter_approve", chapter="practice_reviews"), {"version": 1}
    )
    assert approved.status_code == 302
    chapter.refresh_from_db()
    assert chapter.approved_by == executive
    history = text(theirs.get(url("yearly_chapter_history", chapter="practice_reviews")))
    assert "Version 1 approved" in history
    assert "Version 1 written" in history


def test_approving_text_that_changed_meanwhile_says_so():
    admin, executive = person(Role.ADMINISTRATOR), person(Role.EXECUTIVE)
    chapter = chapter_of(started(admin), "introduction")
    services.chapter_write(actor=admin, chapter=chapter, text="One.")
    services.chapter_write(actor=admin, chapter=chapter, text="Two.")
    client = signed_in(executive)
    response = client.post(url("yearly_chapter_approve", chapter="introduction"), {"version": 1})
    assert response.status_code == 302
    assert "read the new text, then approve it" in text(client.get(response["Location"]))
    bad = client.post(url("yearly_chapter_approve", chapter="introduction"), {"version": "x"})
    assert bad.status_code == 302
    chapter.refresh_from_db()
    assert chapter.approved_version is None


def test_the_checklist_shows_each_content_and_records_a_reason():
    admin = person(Role.ADMINISTRATOR, "Ada Admin")
    report = started(admin)
    client = signed_in(admin)
    page = text(client.get(url("yearly_checklist")))
    assert "wt.voice" in page
    assert "How the partners sought and used feedback" in page
    assert "Missing" in page
    empty = client.post(url("yearly_exception", content="wt.voice"), {"content": "wt.voice"})
    assert empty.status_code == 400
    assert "Say why the report does not cover" in text(empty)
    saved = client.post(
        url("yearly_exception", content="wt.voice"),
        {"content": "wt.voice", "reason": "The survey of families was delayed."},
    )
    assert saved.status_code == 302
    page = text(client.get(url("yearly_checklist")))
    assert "The survey of families was delayed." in page
    assert "by Ada Admin" in page
    withdraw = url("yearly_exception_withdraw", content="wt.voice")
    assert "Withdraw the reason" in text(client.get(withdraw))
    assert client.post(withdraw).status_code == 302
    assert client.post(withdraw).status_code == 302  # a double submit is harmless
    assert ContentException.objects.get(report=report).withdrawn_by == admin


@time_machine.travel(NOW, tick=False)
def test_ready_publish_panel_and_circulation_through_the_pages():
    admin, executive = person(Role.ADMINISTRATOR), person(Role.EXECUTIVE)
    CaseFactory.create()
    report = started(admin)
    client = signed_in(admin)
    refused = client.post(url("yearly_ready"))
    assert "or record why the report does not" in text(client.get(refused["Location"]))
    report = all_approved(report, writer=admin, approver=executive)
    assert client.post(url("yearly_ready")).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    ask = client.get(url("yearly_publish"))
    assert ask.status_code == 200
    page = text(ask)
    assert "Cases received: child serious incident: 1 is safe to publish" in page
    unticked = client.post(url("yearly_publish"), {})
    assert unticked.status_code == 400
    assert "is safe to publish, or do not publish the report" in text(unticked)
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    ticks = re.findall(r'name="(confirm_\d+)"', ask.content.decode())
    done = client.post(url("yearly_publish"), dict.fromkeys(ticks, "on"))
    assert done.status_code == 302
    assert client.post(url("yearly_publish"), dict.fromkeys(ticks, "on")).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED
    overview = text(client.get(url("yearly_overview")))
    assert "To be sent to the national panel by 8 July 2024" in overview
    sent = {"sent_on_day": "1", "sent_on_month": "7", "sent_on_year": "2024"}
    assert client.post(url("yearly_panel"), sent).status_code == 302
    future = {"sent_on_day": "1", "sent_on_month": "8", "sent_on_year": "2024"}
    assert client.post(url("yearly_panel"), future).status_code == 400
    circulated = client.post(
        url("yearly_circulation"),
        {"recipient": "healthwatch", "organisation": "Healthwatch Northshire", **sent},
    )
    assert circulated.status_code == 302
    nameless = client.post(url("yearly_circulation"), {"recipient": "other", **sent})
    assert nameless.status_code == 400
    assert "Enter the name or role" in text(nameless)
    overview = text(client.get(url("yearly_overview")))
    assert "Healthwatch, Healthwatch Northshire" in overview
    assert "1 July 2024, recorded by" in overview


def test_the_panel_and_circulation_pages_wait_for_publication():
    admin = person(Role.ADMINISTRATOR)
    started(admin)
    client = signed_in(admin)
    assert client.get(url("yearly_panel")).status_code == 404
    assert client.get(url("yearly_circulation")).status_code == 404


def test_settings_page_saves_and_refuses_out_of_range():
    admin = person(Role.ADMINISTRATOR)
    client = signed_in(admin)
    address = reverse("reports:yearly_settings")
    assert client.get(address).status_code == 200
    bad = client.post(address, {"small_number_threshold": "0", "panel_days": "seven"})
    assert bad.status_code == 400
    page = text(bad)
    assert "The small number threshold must be 1 or more" in page
    assert "as a whole number" in page
    good = client.post(address, {"small_number_threshold": "3", "panel_days": "10"})
    assert good.status_code == 302
    settings_page = client.get(reverse("core:settings")).content.decode()
    assert address in settings_page


def test_starting_a_year_from_the_list():
    admin = person(Role.ADMINISTRATOR)
    client = signed_in(admin)
    page = client.get(reverse("reports:yearly_list")).content.decode()
    assert "Start the report" in page
    response = client.post(reverse("reports:yearly_start"), {"year": "2022-23"})
    assert response.status_code == 302
    assert YearlyReport.objects.get().start_year == 2022
    assert client.post(reverse("reports:yearly_start"), {"year": "2022-23"}).status_code == 302
    assert YearlyReport.objects.count() == 1
    bad = client.post(reverse("reports:yearly_start"), {"year": "twenty"})
    assert bad.status_code == 302
    assert YearlyReport.objects.count() == 1


# --- Query counts ---------------------------------------------------------------------------


def grow(report, admin, executive, times: int) -> None:
    """More of everything the pages list: reports, versions, approvals, exceptions, cases
    and, for a published report, circulation."""
    for n in range(times):
        YearlyReport.objects.get_or_create(start_year=2000 + len(CHAPTER_IDS) + n)
        CaseFactory.create(incident_aware_date=datetime.date(2023, 5, 1))
        for chapter_id in CHAPTER_IDS:
            chapter = chapter_of(report, chapter_id)
            version = services.chapter_write(actor=admin, chapter=chapter, text=f"{n} {chapter_id}")
            if n % 2 and version is not None:
                services.chapter_approve(actor=executive, chapter=chapter, version=version.number)
        content = ["wt.voice", "ca.members", "wt.impact", "ca.objective"][n % 4]
        if not ContentException.objects.filter(report=report, content=content).exists():
            services.content_exception_record(
                actor=admin, report=report, content=content, reason=f"Reason {n}"
            )


def figures_queries() -> int:
    """How many queries generating the year's figures takes (the other helper's selector):
    the pages' own queries are pinned on top of it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # the timeliness worked out afresh, as the pages measured just after a change
    with CaptureQueriesContext(connection) as figures:
        selectors.report_figures(report=YearlyReport(start_year=YEAR.start_year))
    return len(figures.captured_queries)


def flat(client, address, growing, assert_num_queries) -> int:
    selectors.report_settings()  # made on first reading: not a query of every page
    growing(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        assert client.get(address).status_code == 200
    growing(9)
    with assert_num_queries(len(first.captured_queries)):
        assert client.get(address).status_code == 200
    return len(first.captured_queries)


# Each signed-in request reads the session, the user and their memberships and saves the
# session. A page with the year's figures adds the queries that generating them takes.
@pytest.mark.parametrize(
    ("name", "kwargs", "own", "figures"),
    [
        ("yearly_list", {}, 5, False),
        ("yearly_overview", {"year": YEAR.label}, 12, True),
        ("yearly_chapter", {"year": YEAR.label, "chapter": "practice_reviews"}, 5, True),
        ("yearly_chapter_history", {"year": YEAR.label, "chapter": "practice_reviews"}, 7, False),
        ("yearly_checklist", {"year": YEAR.label}, 9, True),
    ],
)
def test_page_queries_do_not_grow(name, kwargs, own, figures, django_assert_num_queries):
    admin, executive = person(Role.ADMINISTRATOR), person(Role.EXECUTIVE)
    report = started(admin)
    for chapter in ReportChapter.objects.filter(report=report):
        services.chapter_owner_set(actor=admin, chapter=chapter, owner=executive)
    client = signed_in(admin)
    count = flat(
        client,
        reverse(f"reports:{name}", kwargs=kwargs),
        lambda times: grow(report, admin, executive, times),
        django_assert_num_queries,
    )
    assert count == own + (figures_queries() if figures else 0)


def test_published_overview_queries_do_not_grow(django_assert_num_queries):
    admin = person(Role.ADMINISTRATOR)
    report = started(admin)
    YearlyReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.PUBLISHED,
        published_at=NOW,
        published_by=admin,
        published_figures={},
        published_narratives={},
        panel_due_on=datetime.date(2024, 7, 8),
    )

    def circulate(times: int) -> None:
        for n in range(times):
            Circulation.objects.create(
                report=report,
                recipient="other",
                name=f"Person {Circulation.objects.count()} {n}",
                sent_on=datetime.date(2024, 7, 2),
                created_by=admin,
            )
            CaseFactory.create(incident_aware_date=datetime.date(2023, 5, 1))

    flat(signed_in(admin), url("yearly_overview"), circulate, django_assert_num_queries)

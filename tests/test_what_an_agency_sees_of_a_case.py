"""One rule for what someone without partnership-wide sight sees of a case they may not open
(docs/decisions/0013-what-an-agency-sees-of-a-case.md), across the case, learning and
assurance pages and their downloads: for one agency lead and one hidden case, no page or
download names the case, and the learning of a case they may see still shows."""

import io
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import openpyxl
import pytest
from django.urls import reverse

from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.assurance.models import Priority
from sightline.assurance.tests.factories import MeetingFactory
from sightline.core.roles import Role
from sightline.learning import selectors
from sightline.learning.models import WITHHELD_SOURCE, DisseminationReturn
from sightline.learning.policies import shares_source
from sightline.learning.tests.factories import ActionFactory, RecommendationFactory
from sightline.learning.vocabulary import SourceType
from sightline.reviews.policies import shares_case
from sightline.reviews.selectors import visible_cases
from sightline.reviews.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

HIDDEN = "CR-HIDDEN-77"
SHOWN = "CR-SHOWN-12"
LINK = re.compile(r'(?:href|action)="([^"#]+)"')
SKIP = ("/sign-out", "/signout", "/static/", "/accounts/sign-out")


@pytest.fixture
def world(db):
    own, other = AgencyFactory.create(name="Own agency"), AgencyFactory.create(name="Other agency")
    hidden = CaseFactory.create(reference=HIDDEN, pseudonym="Child Hidden")
    hidden.agencies.add(other)
    shown = CaseFactory.create(reference=SHOWN, pseudonym="Child Shown")
    shown.agencies.add(own)

    def rec(case, n, text):
        return RecommendationFactory.create(
            reference=f"{case.reference}/R{n}",
            source_type=SourceType.CASE_REVIEW,
            source_case=case,
            source_title="",
            text=text,
        )

    acted = rec(hidden, 1, "Hidden learning our agency acts on")
    ours_on_hidden = ActionFactory.create(
        recommendation=acted, agency=own, description="Our action"
    )
    ActionFactory.create(recommendation=acted, agency=other, description="Their secret action")
    untouched = rec(hidden, 2, "Hidden learning for another agency only")
    theirs = ActionFactory.create(
        recommendation=untouched, agency=other, description="Not ours at all"
    )
    visible = rec(shown, 1, "Visible learning from our case")
    ours = ActionFactory.create(recommendation=visible, agency=own, description="Visible action")
    national = RecommendationFactory.create(
        reference="NAT-1", source_type=SourceType.NATIONAL_REVIEW, text="National learning"
    )
    ActionFactory.create(recommendation=national, agency=other, description="National action")
    DisseminationReturn.objects.create(case=hidden, agency=other, requested_on=acted.made_date)
    DisseminationReturn.objects.create(case=shown, agency=own, requested_on=acted.made_date)
    priority = Priority.objects.order_by("pk").first()
    assert priority is not None
    priority.actions.add(theirs, ours, ours_on_hidden)
    meeting = MeetingFactory.create()
    meeting.actions.add(theirs, ours)

    lead = UserFactory.create()
    MembershipFactory.create(user=lead, agency=own, role=Role.AGENCY_LEAD)
    group_member = UserFactory.create()
    MembershipFactory.create(user=group_member, agency=own, role=Role.REVIEW_GROUP_MEMBER)
    return {
        "hidden": hidden,
        "shown": shown,
        "acted": acted,
        "untouched": untouched,
        "visible": visible,
        "ours_on_hidden": ours_on_hidden,
        "theirs": theirs,
        "ours": ours,
        "priority": priority,
        "meeting": meeting,
        "lead": lead,
        "group_member": group_member,
    }


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    ):
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return body.decode("utf-8", errors="replace")


def _walk(client, starts: list[str], limit: int = 600) -> dict[str, str]:
    """Every page reachable from ``starts`` by links and form addresses (GET only), with
    the text of each: pages, downloads and workbooks alike."""
    seen: dict[str, str] = {}
    queue = deque(starts)
    paths: dict[str, int] = {}
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        path = urlsplit(url).path
        # Filters, sorts and pages of one list: a few of each are enough.
        paths[path] = paths.get(path, 0) + 1
        if paths[path] > 6 and url not in starts:
            continue
        response = client.get(url)
        seen[url] = _text(response) if response.status_code == 200 else ""
        if "html" not in response.get("Content-Type", ""):
            continue
        for href in LINK.findall(seen[url]):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc or any(skip in parts.path for skip in SKIP):
                continue
            queue.append(target)
    return seen


def _starts(world) -> list[str]:
    return [
        reverse("accounts:home"),
        reverse("reviews:case_list"),
        reverse("reviews:case_detail", kwargs={"pk": world["hidden"].pk}),
        reverse("reviews:case_detail", kwargs={"pk": world["shown"].pk}),
        reverse("learning:recommendation_list"),
        reverse("learning:recommendation_list") + f"?search={HIDDEN}",
        reverse("learning:recommendation_detail", kwargs={"pk": world["acted"].pk}),
        reverse("learning:recommendation_detail", kwargs={"pk": world["untouched"].pk}),
        reverse("learning:action_list"),
        reverse("learning:action_detail", kwargs={"pk": world["ours_on_hidden"].pk}),
        reverse("learning:action_detail", kwargs={"pk": world["theirs"].pk}),
        reverse("learning:themes"),
        reverse("learning:returns"),
        reverse("learning:report"),
        reverse("learning:export", kwargs={"fmt": "csv"}),
        reverse("learning:export", kwargs={"fmt": "xlsx"}),
        reverse("assurance:priority_detail", kwargs={"pk": world["priority"].pk}),
        reverse("assurance:meeting_detail", kwargs={"pk": world["meeting"].pk}),
        reverse("hub:signed_in_search") + f"?q={HIDDEN}",
        reverse("hub:signed_in_search") + "?q=CR-",
    ]


@pytest.mark.parametrize("who", ["lead", "group_member"])
def test_no_page_or_download_names_a_case_the_user_may_not_see(client, world, who):
    client.force_login(world[who])

    pages = _walk(client, _starts(world))

    # A search for the reference shows what was typed in the box: not a leak.
    leaks = [
        url for url, text in pages.items() if HIDDEN.lower() in text.lower() and HIDDEN not in url
    ]
    assert leaks == []
    everything = "\n".join(pages.values())
    assert "Child Hidden" not in everything
    # Learning that came only to another agency, from the hidden case: nothing of it.
    assert "Hidden learning for another agency only" not in everything
    assert "Not ours at all" not in everything
    assert "Their secret action" not in everything
    # The visible case's learning, and learning from no case, still show.
    assert SHOWN in everything
    assert "Visible learning from our case" in everything
    assert "National learning" in everything


def test_learning_the_agency_acts_on_shows_without_the_case(client, world):
    client.force_login(world["lead"])

    page = client.get(reverse("learning:recommendation_detail", kwargs={"pk": world["acted"].pk}))
    listing = client.get(reverse("learning:recommendation_list")).content.decode()

    assert page.status_code == 200
    text = page.content.decode()
    assert "Hidden learning our agency acts on" in text
    assert WITHHELD_SOURCE in text
    assert "Our action" in text
    assert HIDDEN not in text
    assert "Hidden learning our agency acts on" in listing
    assert "Hidden learning for another agency only" not in listing


def test_lists_and_details_agree(client, world):
    client.force_login(world["lead"])

    def status(name, pk):
        return client.get(reverse(name, kwargs={"pk": pk})).status_code

    assert status("reviews:case_detail", world["hidden"].pk) == 404
    assert status("learning:recommendation_detail", world["untouched"].pk) == 404
    assert status("learning:action_detail", world["theirs"].pk) == 404
    assert status("learning:recommendation_detail", world["visible"].pk) == 200
    assert status("learning:action_detail", world["ours_on_hidden"].pk) == 200


def test_a_search_for_the_hidden_reference_finds_nothing(client, world):
    client.force_login(world["lead"])

    listing = client.get(reverse("learning:recommendation_list"), {"search": HIDDEN})

    assert "Hidden learning our agency acts on" not in listing.content.decode()


def test_the_policy_and_the_selectors_agree(world):
    for who in ("lead", "group_member"):
        user = world[who]
        listed = set(visible_cases(user=user))
        for case in (world["hidden"], world["shown"]):
            assert shares_case(user, case) is (case in listed)
        for rec in (world["acted"], world["untouched"], world["visible"]):
            shown = rec.pk in set(
                selectors.recommendations_for(user=user)
                .filter(case_withheld=False)  # type: ignore[misc]
                .values_list("pk", flat=True)
            )
            assert shares_source(user, rec) is shown


def test_those_who_see_every_case_see_it_all(client, world, admin_user):
    client.force_login(admin_user)

    text = client.get(reverse("learning:recommendation_list")).content.decode()

    assert HIDDEN in text
    assert WITHHELD_SOURCE not in text


def _more_learning(world, times: int) -> None:
    """``times`` more of each kind of recommendation and action in the world."""
    own = world["ours"].agency
    other = world["theirs"].agency
    for n in range(times):
        for case, agencies in ((world["hidden"], (own, other)), (world["shown"], (own, other))):
            rec = RecommendationFactory.create(
                reference=f"{case.reference}/X{n}",
                source_type=SourceType.CASE_REVIEW,
                source_case=case,
                source_title="",
            )
            for agency in agencies:
                ActionFactory.create(recommendation=rec, agency=agency)


PAGES: list[tuple[str, dict[str, int]]] = [
    ("learning:recommendation_list", {}),
    ("learning:action_list", {}),
    ("learning:themes", {}),
    ("learning:returns", {}),
    ("learning:report", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_the_withheld_pages_read_as_many_queries_however_many_rows(client, world, name, kwargs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world["group_member"])
    url = reverse(name, kwargs=kwargs)

    def count() -> int:
        client.get(url)  # warm the caches a first request fills (the report's figures)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    _more_learning(world, 10)
    assert count() == before


def test_a_lists_counts_are_of_what_its_pages_show(world):
    from sightline.learning.selectors import RecommendationFilters, recommendation_list

    lead = world["lead"]
    other = world["theirs"].agency
    rows = {rec.pk: rec for rec in recommendation_list(user=lead, filters=RecommendationFilters())}

    # Of the hidden case's learning the lead acts on: their agency's action alone.
    assert rows[world["acted"].pk].action_total == 1  # type: ignore[attr-defined]
    assert rows[world["visible"].pk].action_total == 1  # type: ignore[attr-defined]
    # Another agency's actions on it do not find it either.
    by_other = recommendation_list(user=lead, filters=RecommendationFilters(agency=other))
    assert world["acted"].pk not in {rec.pk for rec in by_other}

"""The search pages: the hub's public search, and the signed-in search across what a person
may see, by the same rules as the lists it searches."""

import re

import pytest
from django.urls import reverse

from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.models import AccessLogEntry
from sightline.core.roles import Role
from sightline.hub.selectors.search import SIGNED_IN_LIMIT
from sightline.hub.services.search import search_index_sync
from sightline.learning.tests.factories import ActionFactory, RecommendationFactory
from sightline.reviews.models import PracticeTheme
from sightline.reviews.tests.factories import CaseFactory
from sightline.training.tests.factories import CourseFactory

from .factories import NewsItemFactory, PublishedReviewFactory

pytestmark = pytest.mark.django_db
SEARCH = reverse("hub:search")
EVERYTHING = reverse("hub:signed_in_search")
SIGNED_IN_QUERIES = 12


def published(**fields):
    item = NewsItemFactory.create(**fields)
    search_index_sync(item=item)
    return item


# --- The public search -----------------------------------------------------------------


def test_public_search_finds_ranks_and_marks(client):
    published(title="Sessions", body="One on cuckooing.")
    published(title="Cuckooing explained", body="What to do.")
    response = client.get(SEARCH, {"q": "cuckooing"})
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    html = response.content.decode()
    assert "2 results for “cuckooing”" in html
    assert html.index("Cuckooing explained") < html.index(">Sessions<")
    assert "<mark>cuckooing</mark>" in html


def test_public_search_filters_by_type(client):
    published(title="A news item", body="Neglect.")
    review = PublishedReviewFactory.create(title="A review", summary="Neglect.")
    search_index_sync(item=review)
    html = client.get(SEARCH, {"q": "neglect", "type": "review"}).content.decode()
    assert "A review" in html
    assert "A news item" not in html


def test_nothing_found_gives_advice_and_punctuation_no_error(client):
    published(body="Words.")
    for query in ["zzzz", "!!!", '"(', "NEAR(*"]:
        response = client.get(SEARCH, {"q": query})
        assert response.status_code == 200
        assert "check the spelling" in response.content.decode()


def test_unpublished_words_are_never_shown(client):
    draft = NewsItemFactory.create(published=False, title="Draft", body="Embargoed words.")
    search_index_sync(item=draft)
    assert "Draft" not in client.get(SEARCH, {"q": "embargoed"}).content.decode()
    assert "Draft" not in client.get(SEARCH).content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 201}, "Search terms must be 200 characters or fewer"),
        ({"theme": "999999"}, "Select a practice theme from the list"),
        ({"year": "nineteen"}, "Select a year from the list"),
        ({"type": "secret"}, "Select a type from the list"),
    ],
)
def test_bad_input_is_a_clear_400(client, params, message):
    response = client.get(SEARCH, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_public_search_query_count_is_pinned(client, django_assert_num_queries):
    for n in range(3):
        published(body=f"Neglect {n}")
    # themes, years, the matches' ids in rank order (the count too), the page's entries, and
    # the page's view counted
    with django_assert_num_queries(5):
        client.get(SEARCH, {"q": "neglect", "theme": "", "year": ""})
    for n in range(40):
        published(body=f"Neglect {n}")
    with django_assert_num_queries(5):
        client.get(SEARCH, {"q": "neglect", "page": "2"})
    # No words: themes, years, count, the page, the view counted.
    with django_assert_num_queries(5):
        client.get(SEARCH, {"type": "news"})


# --- The signed-in search ----------------------------------------------------------------


@pytest.fixture
def two_agencies():
    return AgencyFactory.create(name="Northshire Police"), AgencyFactory.create(
        name="Southvale Health"
    )


def signed_in(client, make_user, role, agency=None):
    user = make_user(role, agency=agency)
    client.force_login(user)
    return user


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(EVERYTHING, {"q": "anything"})
    assert response.status_code == 302


def test_agency_lead_finds_own_agencys_cases_not_anothers(client, make_user, two_agencies):
    ours, theirs = two_agencies
    mine = CaseFactory.create(reference="CR-2025-01", pseudonym="Child Amber")
    mine.agencies.add(ours)
    other = CaseFactory.create(reference="CR-2025-02", pseudonym="Child Amberley")
    other.agencies.add(theirs)
    signed_in(client, make_user, Role.AGENCY_LEAD, ours)
    html = client.get(EVERYTHING, {"q": "amber"}).content.decode()
    assert "CR-2025-01" in html
    assert "CR-2025-02" not in html


def test_practitioner_finds_no_cases(client, make_user):
    CaseFactory.create(reference="CR-2025-03", pseudonym="Adult Beryl")
    signed_in(client, make_user, Role.PRACTITIONER)
    html = client.get(EVERYTHING, {"q": "Beryl"}).content.decode()
    assert "CR-2025-03" not in html
    assert not AccessLogEntry.objects.exists()


def test_cases_found_by_theme_never_by_restricted_details(client, make_user):
    theme = PracticeTheme.objects.get_or_create(name="Cuckooing")[0]
    themed = CaseFactory.create(reference="CR-2025-04")
    themed.themes.add(theme)
    CaseFactory.create(reference="CR-2025-05", restricted_summary="Cuckooing in the flat.")
    signed_in(client, make_user, Role.ADMINISTRATOR)
    html = client.get(EVERYTHING, {"q": "cuckoo"}).content.decode()
    assert "CR-2025-04" in html
    assert "CR-2025-05" not in html


def test_searches_that_find_cases_are_logged(client, make_user):
    CaseFactory.create(reference="CR-2025-06", pseudonym="Child Coral")
    user = signed_in(client, make_user, Role.REVIEW_OFFICER)
    client.get(EVERYTHING, {"q": "coral"})
    entry = AccessLogEntry.objects.get()
    assert entry.user == user
    assert entry.object_type == "reviews.case"
    assert entry.detail == "Searched for: coral"
    client.get(EVERYTHING, {"q": "nothing like it"})
    assert AccessLogEntry.objects.count() == 1


def test_learning_as_the_lists_show_it(client, make_user):
    rec = RecommendationFactory.create(reference="REC-HOARD", text="Hoarding protocols for all.")
    ActionFactory.create(
        recommendation=rec, reference="ACT-HOARD-1", description="Hoarding training."
    )
    practitioner = signed_in(client, make_user, Role.PRACTITIONER)
    ActionFactory.create(
        recommendation=rec,
        reference="ACT-HOARD-2",
        description="Hoarding leaflet.",
        owner=practitioner,
    )
    html = client.get(EVERYTHING, {"q": "hoarding"}).content.decode()
    assert "REC-HOARD<" not in html  # recommendations are for those who see the tracker
    assert "ACT-HOARD-2" in html  # but an owner finds their own action
    assert "ACT-HOARD-1" not in html
    signed_in(client, make_user, Role.EXECUTIVE)
    html = client.get(EVERYTHING, {"q": "hoarding"}).content.decode()
    assert "REC-HOARD" in html
    assert "ACT-HOARD-1" in html


def test_courses_and_published_learning_are_found(client, make_user):
    CourseFactory.create(title="Working with hoarding")
    review = PublishedReviewFactory.create(title="Adult H", summary="Hoarding and self-neglect.")
    search_index_sync(item=review)
    signed_in(client, make_user, Role.PRACTITIONER)
    html = client.get(EVERYTHING, {"q": "hoarding"}).content.decode()
    assert "Working with hoarding" in html
    assert "Adult H" in html


def test_signed_in_search_is_bounded_with_a_link_to_the_tracker(client, make_user):
    for n in range(SIGNED_IN_LIMIT + 2):
        CaseFactory.create(reference=f"CR-2024-{n:02d}")
    signed_in(client, make_user, Role.ADMINISTRATOR)
    html = client.get(EVERYTHING, {"q": "cr-2024"}).content.decode()
    assert len(re.findall(r'href="/cases/\d+/"', html)) == SIGNED_IN_LIMIT
    assert "See all matching cases in the tracker" in html


def test_signed_in_search_rejects_long_queries(client, make_user):
    signed_in(client, make_user, Role.PRACTITIONER)
    response = client.get(EVERYTHING, {"q": "x" * 201})
    assert response.status_code == 400
    assert "Search terms must be 200 characters or fewer" in response.content.decode()


def test_signed_in_search_query_count_is_pinned(client, make_user, django_assert_num_queries):
    def search():
        return client.get(EVERYTHING, {"q": "neglect"})

    signed_in(client, make_user, Role.ADMINISTRATOR)
    for n in range(2):
        CaseFactory.create(pseudonym=f"Neglect {n}")
        RecommendationFactory.create(text=f"Neglect {n}")
        CourseFactory.create(title=f"Neglect {n}")
        published(body=f"Neglect {n}")
    search()
    # The session and the user, their roles, then one query each: cases, recommendations,
    # actions, courses; the access log; published learning (ids, entries) and the learning
    # like the first recommendation (ids, entries).
    with django_assert_num_queries(SIGNED_IN_QUERIES):
        search()
    for n in range(2, 32):
        CaseFactory.create(pseudonym=f"Neglect {n}")
        RecommendationFactory.create(text=f"Neglect {n}")
        CourseFactory.create(title=f"Neglect {n}")
        published(body=f"Neglect {n}")
    with django_assert_num_queries(SIGNED_IN_QUERIES):
        search()

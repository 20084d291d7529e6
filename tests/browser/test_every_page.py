"""Every page each demo role can reach from their home page: axe finds nothing, and no page
scrolls sideways on a 320 CSS pixel wide screen (WCAG 2.2 reflow, 1.4.10)."""

import io
import re
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command

from conftest import PASSWORD
from sightline.accounts.demo import demo_email
from sightline.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)

# How far to follow links: the home page (depth 0), every page it links to, and every page
# those link to. Pages that differ only by a record's number count once (one case stands for
# all cases), and no role visits more than MAX_PAGES pages.
MAX_DEPTH = 2
MAX_PAGES = 100
SKIP = re.compile(r"/sign-out/|/assets/|/export|/download|\.(csv|xlsx|pdf|docx|pptx|ics)$", re.I)


def page_kind(path: str) -> str:
    """``/cases/12/edit/`` and ``/cases/40/edit/`` are the same kind of page, as are
    ``/hub/reviews/child-a/`` and ``/hub/reviews/adult-l/``."""
    path = re.sub(r"/\d+(?=/|$)", "/N", path)
    # The hub's items are addressed by slug: one review stands for all reviews.
    return re.sub(r"^/hub/(reviews|resources|news|briefings)/[^/]+/", r"/hub/\1/SLUG/", path)


@pytest.fixture
def demo():
    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())


def internal_links(visitor) -> list[str]:
    hrefs = visitor.page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
    origin = urlsplit(visitor.base_url)
    paths = []
    for href in hrefs:
        url = urlsplit(urldefrag(href).url)
        if (url.scheme, url.netloc) != (origin.scheme, origin.netloc) or SKIP.search(url.path):
            continue
        paths.append(url.path + (f"?{url.query}" if url.query else ""))
    return paths


def is_page(visitor, path: str) -> bool:
    """A web page, not a download (the browser would save it rather than show it)."""
    response = visitor.page.request.get(visitor.base_url + path)
    headers = response.headers
    return headers.get("content-type", "").startswith("text/html") and (
        "attachment" not in headers.get("content-disposition", "")
    )


def crawl(visitor, *, within: str = "/") -> list[str]:
    """Visit every kind of page reachable from the current one (under ``within``), checking
    each; the problems found."""
    home = urlsplit(visitor.page.url).path
    queue = [(link, 1) for link in internal_links(visitor) if link.startswith(within)]
    kinds = {page_kind(home)}
    failures = []
    while queue and len(visitor.checked) < MAX_PAGES:
        path, depth = queue.pop(0)
        kind = page_kind(path.split("?")[0])
        if kind in kinds:
            continue
        kinds.add(kind)
        if not is_page(visitor, path):
            continue
        response = visitor.page.goto(visitor.base_url + path)
        if response is not None and response.status >= 400:
            failures.append(f"{path} answered {response.status}")
        try:
            visitor.check()
        except AssertionError as problem:
            failures.append(str(problem))
        if depth < MAX_DEPTH:
            queue.extend(
                (link, depth + 1) for link in internal_links(visitor) if link.startswith(within)
            )
    return failures


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_every_page_a_role_reaches_is_accessible_and_reflows(visitor, demo, role):
    visitor.sign_in(demo_email(role), PASSWORD)
    failures = crawl(visitor)
    assert failures == [], "\n\n".join(failures)
    # The crawl reached well beyond the home page and the navigation.
    assert len(visitor.checked) >= 8


def test_every_public_hub_page_is_accessible_and_reflows(visitor, demo):
    """Signed out, from the hub's home page: the demo partnership's published learning."""
    visitor.goto("/hub/")
    failures = crawl(visitor, within="/hub/")
    assert failures == [], "\n\n".join(failures)
    assert len(visitor.checked) >= 12


def test_the_reflow_check_names_what_makes_a_page_too_wide(visitor, db):
    visitor.goto("/sign-in/")
    visitor.page.evaluate(
        """() => {
          const wide = document.createElement("div");
          wide.id = "too-wide";
          wide.style.width = "600px";
          wide.textContent = "A very wide thing";
          document.querySelector("main").append(wide);
        }"""
    )
    with pytest.raises(AssertionError, match=r"/sign-in/ is \d+px wide") as failure:
        visitor.check()
    assert "<div#too-wide> reaching 6" in str(failure.value)
    assert "A very wide thing" in str(failure.value)
    # The check leaves the window as it found it.
    assert visitor.page.viewport_size == {"width": 1280, "height": 720}

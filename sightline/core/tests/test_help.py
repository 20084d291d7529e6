"""Help in the service: the role guides in docs/roles/, rendered as GOV.UK pages."""

import pytest
from django.urls import reverse

from sightline.core.help import GUIDE_FILES, guide_for, guides_dir, render_markdown
from sightline.core.roles import Role


def test_every_role_has_a_guide_and_every_guide_a_role():
    assert set(GUIDE_FILES) == set(Role)
    assert sorted(GUIDE_FILES.values()) == sorted(path.name for path in guides_dir().glob("*.md"))


def test_markdown_becomes_govuk_html_with_text_escaped():
    html = render_markdown(
        "# Title\n\nA <b>bold</b> claim with **strong** words and `code <x>`.\n\n"
        "## What you can do\n\n- one\n  continued\n- two\n\n1. first\n2. second\n"
    )
    assert "Title" not in html  # the page's own heading shows the title
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<strong>strong</strong>" in html
    assert "<code>code &lt;x&gt;</code>" in html
    assert '<h2 class="govuk-heading-m" id="what-you-can-do">What you can do</h2>' in html
    assert (
        '<ul class="govuk-list govuk-list--bullet"><li>one continued</li><li>two</li></ul>' in html
    )
    assert '<ol class="govuk-list govuk-list--number"><li>first</li><li>second</li></ol>' in html


@pytest.mark.django_db
def test_links_to_other_role_guides_stay_in_the_service_and_others_keep_their_text():
    html = render_markdown(
        "See [the trainer's guide](trainer.md#emails), [case reviews](../case-reviews.md), "
        "[below](#more) and [GOV.UK](https://www.gov.uk/)."
    )
    trainer = reverse("core:help_role", args=[Role.TRAINER.slug])
    assert f'<a class="govuk-link" href="{trainer}#emails">the trainer\'s guide</a>' in html
    assert "case-reviews.md" not in html
    assert "case reviews" in html
    assert '<a class="govuk-link" href="#more">below</a>' in html
    assert '<a class="govuk-link" href="https://www.gov.uk/">GOV.UK</a>' in html


@pytest.mark.parametrize("role", list(Role))
def test_each_guide_is_read_from_its_file(role):
    guide = guide_for(role)
    source = (guides_dir() / GUIDE_FILES[role]).read_text(encoding="utf-8")
    assert source.startswith(f"# {guide.title}\n")
    assert guide.summary
    assert guide.summary.split()[0] in source
    assert "<h2" in guide.body


def test_help_pages_show_each_guide_and_own_roles_first(client, make_user):
    lead = make_user(Role.AGENCY_LEAD)
    client.force_login(lead)
    index = client.get(reverse("core:help")).content.decode()
    own = index.index("Your role")
    assert (
        own
        < index.index(reverse("core:help_role", args=["agency-lead"]))
        < index.index("Other roles")
    )
    page = client.get(reverse("core:help_role", args=["trainer"]))
    assert page.status_code == 200
    assert guide_for(Role.TRAINER).title in page.content.decode()
    assert client.get(reverse("core:help_role", args=["no-such-role"])).status_code == 404


def test_every_page_links_to_help_and_the_home_page_to_each_of_your_roles(client, make_user):
    user = make_user(Role.EXECUTIVE)
    client.force_login(user)
    home = client.get(reverse("accounts:home")).content.decode()
    assert f'href="{reverse("core:help")}"' in home
    assert reverse("core:help_role", args=["executive-member"]) in home
    assert "help for an executive member" in home

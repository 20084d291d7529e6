"""No lost update on a chapter's text: the form says which version it started from; a
missing or stale one gets the conflict page (409), the saved text is left as it was, and
the writer's own text is kept in the form to save again."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from sightline.core.roles import Role

from .. import services
from ..models import ChapterVersion
from .drafting_helpers import YEAR, chapter_of, person, started

pytestmark = pytest.mark.django_db


def url() -> str:
    return reverse("reports:yearly_chapter", kwargs={"year": YEAR.label, "chapter": "introduction"})


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def writer():
    admin = person(Role.ADMINISTRATOR, "Ada Writer")
    chapter = chapter_of(started(admin), "introduction")
    client = Client()
    client.force_login(admin)
    return admin, chapter, client


def test_the_form_carries_the_version_it_shows(writer):
    admin, chapter, client = writer
    assert 'name="version" value="0"' in client.get(url()).content.decode()
    services.chapter_write(actor=admin, chapter=chapter, text="First.")
    assert 'name="version" value="1"' in client.get(url()).content.decode()


def test_a_text_from_the_latest_version_is_saved(writer):
    _, chapter, client = writer
    assert client.post(url(), {"text": "First.", "version": 0}).status_code == 302
    assert client.post(url(), {"text": "Second.", "version": 1}).status_code == 302
    assert list(chapter.versions.order_by("number").values_list("text", flat=True)) == [
        "First.",
        "Second.",
    ]


def test_a_text_without_its_version_is_a_conflict_not_an_overwrite(writer):
    admin, chapter, client = writer
    services.chapter_write(actor=admin, chapter=chapter, text="Saved first.")
    response = client.post(url(), {"text": "Mine."})
    assert response.status_code == 409
    page = text(response)
    assert "did not say which version of the text you started from" in page
    assert "Saved first." in page
    assert "Mine." in page  # their own text is kept in the form
    assert list(ChapterVersion.objects.values_list("text", flat=True)) == ["Saved first."]


def test_a_text_from_a_stale_version_is_a_conflict_then_saving_again_replaces(writer):
    _, chapter, client = writer
    other = person(Role.ADMINISTRATOR, "Bea Other")
    opened = client.get(url()).content.decode()
    assert 'name="version" value="0"' in opened
    services.chapter_write(actor=other, chapter=chapter, text="Theirs.", based_on=0)
    stale = client.post(url(), {"text": "Mine.", "version": 0})
    assert stale.status_code == 409
    page = text(stale)
    assert "Someone else saved this chapter after you opened it (it is now version 1)" in page
    assert "Theirs." in page
    assert "Bea Other" in page
    assert 'name="version" value="1"' in stale.content.decode()
    assert list(ChapterVersion.objects.values_list("text", flat=True)) == ["Theirs."]
    assert client.post(url(), {"text": "Mine.", "version": 1}).status_code == 302
    assert chapter.versions.order_by("-number").first().text == "Mine."


@pytest.mark.parametrize("version", ["abc", "-1", "1000001"])
def test_a_version_that_is_not_one_is_refused_clearly(writer, version):
    _, _, client = writer
    response = client.post(url(), {"text": "Mine.", "version": version})
    assert response.status_code == 400
    assert "reload the page and write the text again" in text(response)
    assert not ChapterVersion.objects.exists()


def test_the_service_refuses_a_missing_or_stale_version(writer):
    admin, chapter, _ = writer
    with pytest.raises(services.StaleChapterError, match="did not say which version"):
        services.chapter_write(actor=admin, chapter=chapter, text="A.", based_on=None)
    services.chapter_write(actor=admin, chapter=chapter, text="A.", based_on=0)
    with pytest.raises(services.StaleChapterError, match="it is now version 1") as refused:
        services.chapter_write(actor=admin, chapter=chapter, text="B.", based_on=0)
    assert refused.value.current is not None
    assert refused.value.current.text == "A."
    assert chapter.versions.count() == 1

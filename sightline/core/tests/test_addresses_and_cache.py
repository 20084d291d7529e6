"""Remembered page addresses (``core.addresses``) and the file cache (``core.cache``)."""

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from sightline.core.addresses import address
from sightline.core.cache import FileCache


def test_an_address_is_what_reverse_gives_with_and_without_arguments():
    assert address("accounts:home") == reverse("accounts:home")
    assert address("reviews:case_detail", kwargs={"pk": 7}) == reverse(
        "reviews:case_detail", kwargs={"pk": 7}
    )
    assert address("reviews:case_detail", kwargs={"pk": 8}) != address(
        "reviews:case_detail", kwargs={"pk": 7}
    )


def test_an_unknown_name_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        address("no:such_page")


def test_an_argument_that_cannot_be_remembered_is_handed_to_reverse_as_it_is():
    # A list cannot be a key of the remembered addresses: reverse() judges it, and refuses.
    with pytest.raises(NoReverseMatch):
        address("reviews:case_detail", kwargs={"pk": [7]})


def test_a_changed_url_configuration_is_followed_and_the_old_one_again_after():
    assert address("health") == reverse("health") == "/health/"
    with override_settings(ROOT_URLCONF="sightline.core.tests.urls_other"):
        assert address("health") == "/somewhere-else/"
    assert address("health") == "/health/"


def test_the_file_cache_keeps_a_large_value_and_gives_it_back(tmp_path):
    cache = FileCache(str(tmp_path), {})
    value = {"cases": [{"reference": f"C-{n}", "due": "2026-01-01"} for n in range(5000)]}
    cache.set("report", value, 60)
    assert cache.get("report") == value
    (entry,) = [path for path in tmp_path.iterdir() if path.suffix == ".djcache"]
    # Compressed: far smaller than the value's text.
    assert entry.stat().st_size < len(repr(value)) / 5

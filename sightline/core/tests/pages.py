"""Helpers for tests that read pages as people do."""

import html
import re
from typing import Any

from django.test import Client


def page_html(response: Any) -> str:
    """The page's HTML with entities decoded, for checking markup and attributes."""
    return html.unescape(response.content.decode())


def page_text(response: Any) -> str:
    """The page as a person reads it: tags dropped, entities decoded, spaces collapsed, and
    no space left before punctuation that followed a tag."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r" ([:,.;)])(?= |$)", r"\1", " ".join(html.unescape(body).split()))


def client_for(user: Any) -> Client:
    """A test client signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client

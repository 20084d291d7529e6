"""The demo partnership's hub, seeded area by area."""

from typing import Any

from . import briefings, newsletter, publishing, search


def seed(*, password: str, stdout: Any) -> None:
    # Publishing first: the briefings, the index and the newsletter build on what it
    # publishes.
    for area in (publishing, briefings, search, newsletter):
        area.seed(password=password, stdout=stdout)

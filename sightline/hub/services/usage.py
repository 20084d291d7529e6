"""Usage without tracking: a count of views per public page per month, kept on the server.

Nothing about the reader is kept (no cookie, no address, no browser): only the page's path,
the month and how many times it was opened, so the business unit can see which learning is
read and which is not."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from ..models import PageView

PATH_MAX = 300


def page_view_count(*, path: str, on: datetime.date) -> None:
    """Add one view of ``path`` in the month of ``on``: an update of the month's row, or its
    insert on the first view. Two first views at once both try the insert; the unique
    constraint refuses one, which then updates the row the other made."""
    month = on.replace(day=1)
    path = path[:PATH_MAX]
    rows = PageView.objects.filter(path=path, month=month)
    if rows.update(views=F("views") + 1):
        return
    try:
        with transaction.atomic():
            PageView.objects.create(path=path, month=month, views=1)
    except IntegrityError:
        rows.update(views=F("views") + 1)

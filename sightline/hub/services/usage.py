"""Usage without tracking: a count of views per public page per month, kept on the server.

Nothing about the reader is kept (no cookie, no address, no browser): only the page's path,
the month and how many times it was opened, so the business unit can see which learning is
read and which is not."""

import datetime

from django.db import connection

from ..models import PageView

PATH_MAX = 300


def page_view_count(*, path: str, on: datetime.date) -> None:
    """Add one view of ``path`` in the month of ``on``, in one statement whatever came before:
    the month's first view inserts its row, every later one adds to it. An upsert (both
    PostgreSQL and SQLite have ``ON CONFLICT``), so two first views at once cannot collide
    and a page always costs the same single query."""
    table = connection.ops.quote_name(PageView._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (path, month, views) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (path, month) DO UPDATE SET views = {table}.views + 1",
            [path[:PATH_MAX], on.replace(day=1)],
        )

"""Usage without tracking: a count of views per public page per month, kept on the server.

Nothing about the reader is kept (no cookie, no address, no browser): only the page's path,
the month and how many times it was opened, so the business unit can see which learning is
read and which is not."""

import datetime

from django.db import connection

from ..models import PageView

PATH_MAX = 300


# On PostgreSQL, a count that is its own transaction commits without waiting for the
# write-ahead log to reach the disk (``synchronous_commit`` off for that transaction alone,
# set inside the statement): a reader's page does not wait for a flush, which a busy disk
# can stretch to milliseconds. Should the server crash, the views of its last fraction of a
# second are lost; the counts are never inconsistent. Inside a caller's transaction the
# setting would govern the caller's writes too, so there the count commits as they do.
_NO_FLUSH_WAIT = "(SELECT set_config('synchronous_commit', 'off', true)) AS no_flush_wait"


def page_view_count(*, path: str, on: datetime.date) -> None:
    """Add one view of ``path`` in the month of ``on``, in one statement whatever came before:
    the month's first view inserts its row, every later one adds to it. An upsert (both
    PostgreSQL and SQLite have ``ON CONFLICT``), so two first views at once cannot collide
    and a page always costs the same single query."""
    table = connection.ops.quote_name(PageView._meta.db_table)
    alone = connection.vendor == "postgresql" and not connection.in_atomic_block
    source = f" FROM {_NO_FLUSH_WAIT}" if alone else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (path, month, views) SELECT %s, %s, 1{source} "
            f"ON CONFLICT (path, month) DO UPDATE SET views = {table}.views + 1",
            [path[:PATH_MAX], on.replace(day=1)],
        )

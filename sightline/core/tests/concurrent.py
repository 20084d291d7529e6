"""Posting the same form from several threads at once, each on its own database connection
(for the tests of saving once on PostgreSQL)."""

import threading
from typing import Any

from django.db import connection, connections
from django.http import HttpResponse
from django.test import Client

ON_POSTGRESQL = connection.vendor == "postgresql"


def post_together(url: str, forms: list[dict[str, Any]], user: Any = None) -> list[HttpResponse]:
    """Each form posted by its own thread and client (signed in as ``user``, if given), all
    released together; the answers in the order of ``forms``. A server error is an answer
    (status 500), not an exception, so that a test can assert there was none."""
    start = threading.Barrier(len(forms))
    answers: list[Any] = [None] * len(forms)
    failures: list[BaseException] = []

    def post(index: int) -> None:
        try:
            client = Client(raise_request_exception=False)
            if user is not None:
                client.force_login(user)
            start.wait()
            answers[index] = client.post(url, forms[index])
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(index,)) for index in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return [answer for answer in answers if answer is not None]

"""A 100,000-row case file and learning tracker imported through the pages, each step run
by a real worker process: the check, the preview, the import, with the progress page's
status asked for every second, as the page's script does.

Not run by ``make bench`` (it needs a worker running beside it). On a database of its own:

    export DJANGO_SETTINGS_MODULE=config.settings.local SIGHTLINE_VAR_DIR=/tmp/sl-big
    export SIGHTLINE_IMPORT_MAX_ROWS=100000   # the limit for one import is 20,000 rows
    # and, for PostgreSQL, DATABASE_URL=postgres://...
    .venv/bin/sightline migrate
    .venv/bin/sightline db_worker &        # or the project's worker command
    PYTHONPATH=. .venv/bin/python bench/large_import_through_pages.py [ROWS] [cases,learning]

It prints each step's message and count as it changes, and the time each job took.
"""

import os
import sys
import time
from typing import Any

import django

# Beyond the default limit of 20,000 rows for one import: raised here for the pages, and by
# the export above for the worker.
os.environ.setdefault("SIGHTLINE_IMPORT_MAX_ROWS", sys.argv[1] if len(sys.argv) > 1 else "100000")
django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import OperationalError  # noqa: E402
from django.test import Client  # noqa: E402

from sightline.accounts.models import Agency, Membership, User  # noqa: E402
from sightline.core.models import BackgroundJob  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
PARTS = sys.argv[2] if len(sys.argv) > 2 else "cases,learning"
AGENCY = "Police"


def case_file(count: int) -> bytes:
    lines = [
        "reference,route,pseudonym,outcome,incident_aware_date,panel_notified_date,"
        "rapid_review_sent_date,review_initiated_date"
    ]
    lines += [
        f"NS-2021-{n:06d},child,Child {n},lcspr,2021-04-03,2021-04-08,2021-04-20,2021-06-01"
        for n in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


def tracker(count: int) -> bytes:
    # Short cells: 100,000 rows must fit in the 10 MB upload limit.
    lines = [
        "recommendation_ref,source_type,source,recommendation,made_date,action_ref,agency,"
        "action,due_date,status"
    ]
    lines += [
        f"R-{n // 5},other,Audit,Record the household,2024-01-01,R-{n // 5}/A{n},{AGENCY},"
        "Update,2025-01-01,not_started"
        for n in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


def wait(client: Client, job: BackgroundJob) -> dict[str, Any]:
    started, said, refused = time.monotonic(), "", 0
    while True:
        try:
            response = client.get(f"/jobs/{job.pk}/status/")
        except OperationalError:
            response = None
        if response is None or response.status_code != 200:
            refused += 1  # SQLite busy: ask again, as the page's script does
            time.sleep(2)
            continue
        state = response.json()
        line = f"{state['status']}: {state['message']} {state['done']:,} of {state['total']}"
        if line != said:
            print(f"  {time.monotonic() - started:7.1f} s  {line}", flush=True)
            said = line
        if state["finished"]:
            print(
                f"  {job.label}: {state['status']} in {time.monotonic() - started:.1f} s "
                f"(status requests refused while the database was busy: {refused})"
            )
            return state
        time.sleep(1)


def through_pages(client: Client, url: str, name: str, content: bytes) -> None:
    print(f"{name}: {ROWS:,} rows, {len(content) / 1024 / 1024:.1f} MB", flush=True)
    started = time.monotonic()
    upload = client.post(url, {"file": SimpleUploadedFile(name, content)})
    check = BackgroundJob.objects.get(pk=upload["Location"].split("/")[2])
    assert wait(client, check)["status"] == "done"
    check.refresh_from_db()
    assert client.get(check.result_url).status_code == 200
    confirm = client.post(url, {"checked": str(check.pk)})
    run = BackgroundJob.objects.get(pk=confirm["Location"].split("/")[2])
    assert wait(client, run)["status"] == "done"
    run.refresh_from_db()
    print(f"{name}: {run.message} In all {time.monotonic() - started:.1f} s", flush=True)


def main() -> None:
    user = User.objects.filter(email="large-import@example.test").first()
    if user is None:
        agency, _ = Agency.objects.get_or_create(name=AGENCY, defaults={"sector": "police"})
        user = User.objects.create_user(email="large-import@example.test", full_name="Bench")
        Membership.objects.create(user=user, agency=agency, role="administrator")
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    client.force_login(user)
    if "cases" in PARTS:
        through_pages(client, "/cases/import/", "cases.csv", case_file(ROWS))
    if "learning" in PARTS:
        through_pages(client, "/learning/import/", "tracker.csv", tracker(ROWS))


if __name__ == "__main__":
    main()

"""The case import writes in bulk: its queries do not grow with the rows, a dry run writes
nothing, and a case changed while the file was being checked is compared again."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sightline.core.models import AuditEvent
from sightline.reviews import services
from sightline.reviews.models import Case, CaseDeadline

HEADER = "reference,route,pseudonym,outcome,incident_aware_date,panel_notified_date"


def case_file(first: int, count: int, *, pseudonym: str = "Child") -> bytes:
    rows = [f"CR-{n:05d},child,{pseudonym} {n},,2021-04-03," for n in range(first, first + count)]
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def queries(content: bytes, *, dry_run: bool = False) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        services.import_cases(actor=None, name="cases.csv", content=content, dry_run=dry_run)
    return [query["sql"] for query in captured.captured_queries]


def test_queries_do_not_grow_with_the_rows(db):
    # New cases: 10 rows and 100 rows take the same statements.
    assert len(queries(case_file(0, 10))) == len(queries(case_file(1000, 100)))
    # Half changed, half new: the same again.
    small = queries(case_file(0, 5, pseudonym="Renamed") + case_file(2000, 5)[len(HEADER) + 1 :])
    large = queries(
        case_file(1000, 50, pseudonym="Renamed") + case_file(3000, 50)[len(HEADER) + 1 :]
    )
    assert len(small) == len(large)
    assert Case.objects.count() == 10 + 100 + 5 + 50
    # Each case has its audit event and its deadline (notification is not yet sent).
    assert AuditEvent.objects.filter(object_type="reviews.case").count() == 165 + 55
    assert CaseDeadline.objects.filter(standard__code="child.notification").count() == 165


def test_a_dry_run_only_reads(db):
    services.import_cases(actor=None, name="cases.csv", content=case_file(0, 3))
    sqls = queries(
        case_file(0, 3, pseudonym="Renamed") + case_file(10, 3)[len(HEADER) + 1 :], dry_run=True
    )
    assert sqls
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in sqls), sqls
    assert Case.objects.count() == 3


def test_changed_rows_are_written_with_their_audit(db):
    services.import_cases(actor=None, name="cases.csv", content=case_file(0, 2))
    result = services.import_cases(
        actor=None,
        name="again.csv",
        content=case_file(0, 1, pseudonym="Renamed")
        + b"CR-00001,child,Child 1,,2021-04-02,2021-04-05\n",
    )
    assert result.updated == {
        "CR-00000": {"pseudonym": {"from": "Child 0", "to": "Renamed 0"}},
        "CR-00001": {
            "incident_aware_date": {"from": "2021-04-03", "to": "2021-04-02"},
            "panel_notified_date": {"from": None, "to": "2021-04-05"},
        },
    }
    first, second = Case.objects.order_by("reference")
    assert first.pseudonym == "Renamed 0"
    assert second.incident_aware_date == datetime.date(2021, 4, 2)
    assert second.panel_notified_date == datetime.date(2021, 4, 5)
    assert second.stage != ""
    assert second.updated_at > second.created_at
    event = AuditEvent.objects.get(object_id=str(second.pk), kind=AuditEvent.Kind.UPDATE)
    assert event.changes == result.updated["CR-00001"]
    assert event.detail == "Imported from again.csv"
    # The notification was sent: its deadline is gone; the other case keeps its own.
    assert not CaseDeadline.objects.filter(case=second, standard__code="child.notification")
    assert CaseDeadline.objects.filter(case=first, standard__code="child.notification")


class ChangeWhileChecking:
    """A progress that, as the check begins comparing rows, has someone else rename a case."""

    def __init__(self) -> None:
        self.done = False

    def stage(self, message: str, *, total: int | None = None, done: int = 0) -> None:
        pass

    def advance(self, done: int) -> None:
        if not self.done:
            self.done = True
            Case.objects.filter(reference="CR-00000").update(pseudonym="Meanwhile")
            Case.objects.filter(reference="CR-00000").update(
                updated_at=datetime.datetime.now(datetime.UTC)
            )


def test_a_case_changed_during_the_check_is_compared_again_before_writing(db):
    services.import_cases(actor=None, name="cases.csv", content=case_file(0, 1))
    result = services.import_cases(
        actor=None,
        name="again.csv",
        content=case_file(0, 1, pseudonym="Renamed"),
        progress=ChangeWhileChecking(),
    )
    # Compared with what was stored when the write began, not when the check read it.
    assert result.updated["CR-00000"] == {"pseudonym": {"from": "Meanwhile", "to": "Renamed 0"}}
    assert Case.objects.get().pseudonym == "Renamed 0"

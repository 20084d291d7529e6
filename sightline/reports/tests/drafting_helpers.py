"""People and reports for the drafting tests: each test makes its own."""

import datetime
from typing import Any

from sightline.accounts.tests.factories import MembershipFactory, UserFactory
from sightline.core.roles import Role

from .. import services
from ..models import ReportChapter, YearlyReport
from ..yearly.contents import CHAPTER_IDS
from ..yearly.years import FinancialYear

YEAR = FinancialYear(2023)
TODAY = datetime.date(2024, 6, 3)


def person(role: Role, name: str = "") -> Any:
    user = UserFactory(**({"full_name": name} if name else {}))
    MembershipFactory(user=user, role=role)
    return user


def chapter_of(report: YearlyReport, chapter_id: str) -> ReportChapter:
    return ReportChapter.objects.get(report=report, chapter=chapter_id)


def started(admin: Any, year: FinancialYear = YEAR) -> YearlyReport:
    return services.report_start(actor=admin, year=year, today=TODAY)


def all_approved(report: YearlyReport, *, writer: Any, approver: Any) -> YearlyReport:
    """Every chapter written by ``writer`` and approved by ``approver``."""
    for chapter_id in CHAPTER_IDS:
        chapter = chapter_of(report, chapter_id)
        version = services.chapter_write(
            actor=writer, chapter=chapter, text=f"What we did: {chapter_id}."
        )
        assert version is not None
        services.chapter_approve(actor=approver, chapter=chapter, version=version.number)
    report.refresh_from_db()
    return report

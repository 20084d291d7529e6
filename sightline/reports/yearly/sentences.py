"""The yearly report's sentences about its figures (pure: no ORM): the headline of each
chapter's generated figures in words, for the reader and for the author writing beside them.
"""

from collections.abc import Mapping
from typing import Any

from sightline.training.reporting import iso_long_date, percent_text
from sightline.training.vocabulary import MIN_RESPONSES


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def training_sentences(training: Mapping[str, Any]) -> list[str]:
    """The training report's headline figures (``training_report --format json``) as
    sentences: who attended, how they rated it (never with fewer than ``MIN_RESPONSES``
    evaluations, which could identify someone) and the no-show rate."""
    head = training["headline"]
    period = training["period"]
    between = f"between {iso_long_date(period['from'])} and {iso_long_date(period['to'])}"
    sentences = [
        f"{_plural(head['practitioners_attended'], 'practitioner', 'practitioners')} attended "
        f"multi-agency training {between}: "
        f"{_plural(head['attendances'], 'attendance', 'attendances')} at "
        f"{_plural(head['sessions'], 'session', 'sessions')}."
    ]
    if head["good_or_excellent_percent"] is not None:
        sentences.append(
            f"{percent_text(head['good_or_excellent_percent'])} of evaluations rated the "
            f"training good or excellent ({head['good_or_excellent']:,} of "
            f"{head['evaluations']:,})."
        )
    elif head["evaluations"]:
        sentences.append(
            f"Fewer than {MIN_RESPONSES} evaluations were returned for sessions in this "
            "period: too few to report without identifying anyone."
        )
    else:
        sentences.append("No evaluations were returned for sessions in this period.")
    if head["marked"]:
        sentences.append(
            f"{percent_text(head['no_show_rate_percent'])} of booked places with a marked "
            f"register were not attended ({head['no_shows']:,} of {head['marked']:,})."
        )
    else:
        sentences.append("No registers were marked for sessions in this period.")
    reach = training.get("overall_reach_percent")
    if reach is not None:
        sentences.append(
            f"The training reached {percent_text(reach)} of the workforce in the sectors whose "
            "headcount the partnership knows."
        )
    return sentences

"""Who may see and do what in the training offer.

Anyone signed in belongs to the workforce and may browse the offer, book a place for
themselves, and evaluate what they attended. Trainers and partnership administrators run
the offer: courses, sessions, registers. A trainer runs their own sessions; an
administrator runs every session. Evaluation results and reports never name a delegate.
"""

from typing import Any

import rules

from sightline.core.policies import has_role, is_administrator, is_signed_in
from sightline.core.roles import Role

from .vocabulary import BookingStatus

runs_training = has_role(Role.ADMINISTRATOR, Role.TRAINER)


@rules.predicate
def trains_session(user: Any, session: Any) -> bool:
    return session is not None and session.trainer_id == user.pk


@rules.predicate
def is_delegate(user: Any, booking: Any) -> bool:
    return booking is not None and booking.delegate_id == user.pk


@rules.predicate
def trains_booked_session(user: Any, booking: Any) -> bool:
    return booking is not None and booking.session.trainer_id == user.pk


def may_see_joining_link(*, session: Any, runs: bool, booking: Any) -> bool:
    """Whether an online session's joining link is shown: to those who run the session
    (``runs``, from ``training.run_session``) and with a place (``booking``) once it is
    confirmed; to nobody once the session is cancelled. Pages, emails and calendar files
    ask this one question."""
    if session.is_cancelled or not session.joining_link:
        return False
    return runs or (booking is not None and booking.status == BookingStatus.CONFIRMED)


rules.add_perm("training.browse", is_signed_in)
rules.add_perm("training.book", is_signed_in)
rules.add_perm("training.manage_courses", runs_training)
rules.add_perm("training.manage_sessions", runs_training)
# A session's bookings, register and evaluation results: its trainer, or an administrator.
rules.add_perm("training.run_session", is_administrator | (runs_training & trains_session))
rules.add_perm("training.view_booking", is_delegate | is_administrator | trains_booked_session)
rules.add_perm("training.cancel_booking", is_delegate | is_administrator)
rules.add_perm("training.evaluate", is_delegate)
rules.add_perm("training.certificate", is_delegate | is_administrator | trains_booked_session)
rules.add_perm("training.view_report", has_role(Role.ADMINISTRATOR, Role.TRAINER, Role.EXECUTIVE))
rules.add_perm("training.manage_workforce", is_administrator)

"""Password validators Sightline adds to Django's (see AUTH_PASSWORD_VALIDATORS)."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from .models import Agency
from .password_rules import DEFAULT_MIN_SCORE, assess, words_from


def strength_inputs(user: Any = None) -> list[str]:
    """The words a password must not lean on: the partnership's name, every agency's, the
    service's, and the person's name, email address and job title."""
    texts = [settings.SIGHTLINE_PARTNERSHIP_NAME, "safeguarding", "sightline", "partnership"]
    texts += list(Agency.objects.values_list("name", flat=True))
    if user is not None:
        email = getattr(user, "email", "") or ""
        texts += [
            getattr(user, "full_name", "") or "",
            getattr(user, "job_title", "") or "",
            email,
            *email.split("@"),
        ]
    return words_from(*texts)


class StrengthValidator:
    """Refuses a password zxcvbn judges too easy to guess (``min_score`` of 0 to 4), with
    its advice on what to do instead."""

    def __init__(self, min_score: int = DEFAULT_MIN_SCORE) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        strength = assess(password, inputs=strength_inputs(user))
        if strength.score < self.min_score:
            raise ValidationError(strength.message, code="password_too_easy_to_guess")

    def get_help_text(self) -> str:
        return (
            "Your password must be hard to guess: 3 or 4 unrelated words are good, and not the "
            "name of the partnership, an agency or yourself."
        )

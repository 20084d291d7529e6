"""Secrets in addresses, masked in every log line Sightline writes.

Some addresses are credentials: a calendar feed's address (``/calendar/<token>.ics``) lets
whoever has it read a person's deadlines, a manager's approval link
(``/training/approval/<token>/``) lets whoever has it approve a place, and a password-reset
link (``/password-reset/<uid>/<token>/``) sets a password. A log that held them would hand
them to anyone who can read the log. ``mask_secrets`` replaces each such token, and any query
parameter named like a secret (``token``, ``key``, ``secret``, ``signature``, ``password``), with
``[masked]``, keeping the rest of the address so the line still says what was asked for.

``MaskSecretsFilter`` applies it to a log record's message (arguments substituted first) and
to its traceback; settings attach it to every handler (``LOGGING``), and gunicorn's logger
class (``gunicorn_logging``) to the access and error logs. Pure Python, no Django: gunicorn's
master process imports it before any application code.
"""

import logging
import re

MASK = "[masked]"

# Characters that end a path segment in a log line: a slash, the start of a query or
# fragment, whitespace, or the quotes an access log puts around the request line.
_SEGMENT = r"[^/?#\s\"'<>]+"

PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # A calendar feed: /calendar/<token>.ics
    (re.compile(rf"(/calendar/){_SEGMENT}?(\.ics)"), rf"\g<1>{MASK}\g<2>"),
    (re.compile(rf"(/calendar/)(?!{re.escape(MASK)}){_SEGMENT}"), rf"\g<1>{MASK}"),
    # A manager's approval link: /training/approval/<token>/
    (re.compile(rf"(/training/approval/){_SEGMENT}"), rf"\g<1>{MASK}"),
    # A password-reset link: /password-reset/<uid>/<token>/ (Django's own set-password step
    # replaces the token with "set-password", which is no secret).
    (
        re.compile(rf"(/password-reset/{_SEGMENT}/)(?!set-password\b|done\b){_SEGMENT}"),
        rf"\g<1>{MASK}",
    ),
    # Any query parameter named like a secret.
    (
        re.compile(
            r"([?&](?:[\w.-]*_)?(?:token|key|secret|signature|password)=)[^&#\s\"']*",
            re.IGNORECASE,
        ),
        rf"\g<1>{MASK}",
    ),
)


def mask_secrets(text: str) -> str:
    """``text`` with every secret in an address it holds replaced by ``[masked]``."""
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class MaskSecretsFilter(logging.Filter):
    """Masks secrets in addresses in a record's message and traceback; never drops it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the formatter to report
            return True
        masked = mask_secrets(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_secrets(record.stack_info)
        return True


def _all_handlers() -> list[logging.Handler]:
    loggers: list[logging.Logger] = [logging.getLogger()]
    loggers += [
        each
        for each in logging.Logger.manager.loggerDict.values()
        if isinstance(each, logging.Logger)
    ]
    return [handler for each in loggers for handler in each.handlers]


def mask_every_handler() -> int:
    """Put ``MaskSecretsFilter`` on every handler configured now (Django's own among them:
    ``django.server``'s request lines and ``mail_admins``' error emails). Returns how many
    handlers it was added to."""
    added = 0
    for handler in _all_handlers():
        if not any(isinstance(each, MaskSecretsFilter) for each in handler.filters):
            handler.addFilter(MaskSecretsFilter())
            added += 1
    return added


def configure(config: dict) -> None:
    """Sightline's ``LOGGING_CONFIG``: the settings' ``LOGGING`` as ``dictConfig`` reads it,
    then the mask on every handler, those Django configured before it included."""
    import logging.config

    logging.config.dictConfig(config)
    mask_every_handler()

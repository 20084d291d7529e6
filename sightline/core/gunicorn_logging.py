"""gunicorn's logger, with secrets in addresses masked in its access and error logs.

gunicorn writes each request's address (and the referring page's) to its access log, and
some addresses are credentials (``log_filters``). ``MaskingLogger`` is gunicorn's own logger
with ``MaskSecretsFilter`` on every handler of both logs, set again whenever gunicorn sets
its logging up (at start and on each reopen). ``config/gunicorn.conf.py`` names it as
``logger_class``; ``make run`` and the deployment in ``docs/operations.md`` use that file.
"""

from typing import Any

from gunicorn.glogging import Logger

from .log_filters import MaskSecretsFilter


class MaskingLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(each, MaskSecretsFilter) for each in handler.filters):
                    handler.addFilter(MaskSecretsFilter())

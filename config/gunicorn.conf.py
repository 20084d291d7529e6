"""gunicorn's settings for Sightline: ``gunicorn config.wsgi -c config/gunicorn.conf.py``.

The command line can still set the address and the number of workers (``--bind``,
``--workers``); this file sets what every deployment needs: the access log on standard
output, written by a logger that masks secrets in addresses (calendar-feed tokens, manager
approval links, password-reset links), so that no log holds a credential."""

import os

logger_class = "sightline.core.gunicorn_logging.MaskingLogger"
accesslog = "-"
errorlog = "-"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))

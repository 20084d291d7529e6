"""Secrets in addresses are masked in every log Sightline and its gunicorn write."""

import datetime
import io
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from gunicorn.app.base import Application
from gunicorn.config import Config

from sightline.core.gunicorn_logging import MaskingLogger
from sightline.core.log_filters import MASK, MaskSecretsFilter, mask_every_handler, mask_secrets
from sightline.training.tokens import approval_token

CONF = Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /calendar/Abc-123_xyz.ics HTTP/1.1", f"GET /calendar/{MASK}.ics HTTP/1.1"),
        ("Not Found: /calendar/abc", f"Not Found: /calendar/{MASK}"),
        ('"GET /training/approval/Zx.9-Q/ HTTP/1.1"', f'"GET /training/approval/{MASK}/ HTTP/1.1"'),
        ("/training/approval/tok?x=1", f"/training/approval/{MASK}?x=1"),
        ("/password-reset/MQ/c1a2b3-abcdef/", f"/password-reset/MQ/{MASK}/"),
        ("/password-reset/MQ/set-password/", "/password-reset/MQ/set-password/"),
        ("/password-reset/done/", "/password-reset/done/"),
        ("/health/queue/?token=s3cr3t&x=1", f"/health/queue/?token={MASK}&x=1"),
        ("/x?a=1&api_key=k&Signature=s", f"/x?a=1&api_key={MASK}&Signature={MASK}"),
        ("/cases/12/?page=2&sort=due", "/cases/12/?page=2&sort=due"),
        ("/calendar/", "/calendar/"),
    ],
)
def test_mask_secrets(text, expected):
    assert mask_secrets(text) == expected


def _record(msg, *args, exc_info=None):
    return logging.LogRecord("test", logging.WARNING, __file__, 1, msg, args, exc_info)


def test_the_filter_masks_the_message_with_its_arguments_and_never_drops_it():
    record = _record("Not Found: %s (%d)", "/calendar/tok123.ics", 404)
    assert MaskSecretsFilter().filter(record) is True
    assert record.getMessage() == f"Not Found: /calendar/{MASK}.ics (404)"
    plain = _record("Signed in: %s", "ada@example.test")
    assert MaskSecretsFilter().filter(plain) is True
    assert plain.getMessage() == "Signed in: ada@example.test"


def test_the_filter_masks_the_traceback():
    try:
        raise ValueError("bad address /training/approval/tok-9/")
    except ValueError:
        import sys

        record = _record("Failed", exc_info=sys.exc_info())
    MaskSecretsFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "tok-9" not in text
    assert f"/training/approval/{MASK}/" in text


def test_the_filter_keeps_a_record_it_cannot_format():
    record = _record("%s and %s", "only one")
    assert MaskSecretsFilter().filter(record) is True


def test_every_handler_the_settings_configure_masks():
    assert settings.LOGGING_CONFIG == "sightline.core.log_filters.configure"
    handlers = [logging.getLogger(name).handlers for name in ("", "django", "django.server")]
    configured = [handler for group in handlers for handler in group]
    ours = [h for h in configured if type(h).__module__.startswith(("logging", "django"))]
    assert ours
    for handler in ours:
        assert any(isinstance(each, MaskSecretsFilter) for each in handler.filters), handler
    mask_every_handler()  # again: it adds no second filter
    for handler in ours:
        assert sum(isinstance(each, MaskSecretsFilter) for each in handler.filters) == 1


@pytest.fixture
def root_output():
    """What the settings' console handler writes, captured."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(each, MaskSecretsFilter) for each in h.filters)
    )
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    old = handler.setStream(stream)
    yield stream
    handler.setStream(old)


def test_a_request_for_a_wrong_feed_address_is_logged_masked(client, db, root_output):
    response = client.get(reverse("reviews:calendar_feed", kwargs={"token": "guess-7f3e9a"}))
    assert response.status_code == 404
    logged = root_output.getvalue()
    assert f"/calendar/{MASK}.ics" in logged
    assert "guess-7f3e9a" not in logged


def test_a_wrong_approval_link_is_logged_masked(client, db, root_output):
    token = approval_token(999_999)
    client.get(reverse("training:approval", kwargs={"token": token}))
    client.get(reverse("training:approval", kwargs={"token": "forged-link-1c2d"}))
    logged = root_output.getvalue()
    assert f"/training/approval/{MASK}/" in logged  # the refusals (400) were logged
    assert token not in logged
    assert "forged-link-1c2d" not in logged


# --- gunicorn, as `make run` and the deployment example run it ------------------------------


def _gunicorn_logger() -> MaskingLogger:
    """gunicorn's logger as config/gunicorn.conf.py sets it up."""
    cfg = Config()
    for key, value in Application.get_config_from_filename(None, str(CONF)).items():
        if key in cfg.settings and value is not None:
            cfg.set(key.lower(), value)
    logger = cfg.logger_class(cfg)
    assert isinstance(logger, MaskingLogger)
    return logger


def test_the_makefile_and_the_deployment_example_use_the_config_file():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "gunicorn config.wsgi -c config/gunicorn.conf.py" in run
    operations = (Path(settings.BASE_DIR) / "docs" / "operations.md").read_text()
    assert "gunicorn config.wsgi -c config/gunicorn.conf.py" in operations
    assert "--access-logfile" not in run


def test_gunicorns_access_and_error_logs_mask_secrets():
    logger = _gunicorn_logger()
    stream = io.StringIO()
    for log in (logger.access_log, logger.error_log):
        assert log.handlers
        for handler in log.handlers:
            assert any(isinstance(each, MaskSecretsFilter) for each in handler.filters)
            handler.setStream(stream)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/calendar/feed-tok-55aa.ics?token=q-secret",
        "PATH_INFO": "/calendar/feed-tok-55aa.ics",
        "QUERY_STRING": "token=q-secret",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "https://sightline.example/training/approval/ref-tok-66bb/",
        "HTTP_USER_AGENT": "calendar",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[], response_length=10)
    request = SimpleNamespace(headers=[])
    logger.access(response, request, environ, datetime.timedelta(seconds=0, microseconds=5))
    logger.error("Error handling request %s", "/training/approval/err-tok-77cc/")
    written = stream.getvalue()
    assert f"GET /calendar/{MASK}.ics?token={MASK} HTTP/1.1" in written
    assert f"/training/approval/{MASK}/" in written
    for secret in ("feed-tok-55aa", "q-secret", "ref-tok-66bb", "err-tok-77cc"):
        assert secret not in written
    # Set up again (gunicorn does on a reload): still one filter on each handler.
    logger.setup(logger.cfg)
    for handler in logger.access_log.handlers:
        assert sum(isinstance(each, MaskSecretsFilter) for each in handler.filters) == 1

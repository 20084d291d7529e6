"""The system check that refuses plain SMTP to anything but this machine."""

import pytest
from django.core import checks

from sightline.core.checks import check_email_is_encrypted, is_loopback


def _smtp(host: str, *, tls: bool = False, ssl: bool = False) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": host, "port": 587, "use_tls": tls, "use_ssl": ssl},
        }
    }


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.0.0.53", "::1", "[::1]"])
def test_plain_smtp_to_this_machine_is_allowed(settings, host):
    settings.MAILERS = _smtp(host)

    assert check_email_is_encrypted(None) == []


def test_starttls_to_a_remote_server_is_allowed(settings):
    settings.MAILERS = _smtp("smtp.example.org", tls=True)

    assert check_email_is_encrypted(None) == []


def test_tls_from_the_start_to_a_remote_server_is_allowed(settings):
    settings.MAILERS = _smtp("smtp.example.org", ssl=True)

    assert check_email_is_encrypted(None) == []


@pytest.mark.parametrize("host", ["smtp.example.org", "10.0.0.25", "relay.internal"])
def test_plain_smtp_to_a_remote_server_is_an_error_saying_what_to_set(settings, host):
    settings.MAILERS = _smtp(host)

    [error] = check_email_is_encrypted(None)

    assert error.level == checks.ERROR
    assert error.id == "sightline.E002"
    assert host in error.msg
    assert "?tls=true" in str(error.hint)
    assert "?ssl=true" in str(error.hint)


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
    ],
)
def test_backends_that_send_nothing_over_a_network_are_allowed(settings, backend):
    settings.MAILERS = {"default": {"BACKEND": backend, "OPTIONS": {}}}

    assert check_email_is_encrypted(None) == []


def test_the_check_is_registered_and_run_by_django(settings):
    settings.MAILERS = _smtp("smtp.example.org")

    found = [message.id for message in checks.run_checks(tags=[checks.Tags.security])]

    assert "sightline.E002" in found


def test_loopback_is_only_this_machine():
    assert is_loopback("LOCALHOST")
    assert not is_loopback("localhost.example.org")
    assert not is_loopback("")

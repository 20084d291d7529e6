"""Production settings refuse to start without their secrets, and pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k" * 20 + "Zq9!x" * 10,
    "ALLOWED_HOSTS": "sightline.example.org",
    "EMAIL_URL": "smtp://mailer:secret@smtp.example.org:587?tls=true",
}


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECRET_KEY", "EMAIL_URL"))
    }
    base["SIGHTLINE_VAR_DIR"] = str(tmp_path)
    base.pop("DATABASE_URL", None)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "sightline", *args],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL"])
def test_production_refuses_to_start_without_a_setting(missing, tmp_path):
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = run(["check"], env, tmp_path)
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path):
    result = run(["check"], {**GOOD, "SECRET_KEY": "short"}, tmp_path)
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_unknown_email_scheme_is_explained(tmp_path):
    result = run(["check"], {**GOOD, "EMAIL_URL": "smtp+tls://x@y"}, tmp_path)
    assert result.returncode != 0
    assert "is not a scheme Sightline knows" in result.stderr


@pytest.mark.parametrize(
    "url",
    ["smtp://mailer:secret@smtp.example.org:587", "smtp://relay.example.org:25"],
)
def test_production_refuses_plain_smtp_to_another_machine(url, tmp_path):
    result = run(["check"], {**GOOD, "EMAIL_URL": url}, tmp_path)
    assert result.returncode != 0
    assert "sightline.E002" in result.stderr
    assert "?tls=true" in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "submission://mailer:secret@smtp.example.org:587",
        "smtp://mailer:secret@smtp.example.org:465?ssl=true",
        "smtp://127.0.0.1:25",
        "console:",
    ],
)
def test_production_accepts_encrypted_or_local_email(url, tmp_path):
    result = run(["check"], {**GOOD, "EMAIL_URL": url}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_deploy_checks_pass_with_production_settings(tmp_path):
    result = run(["check", "--deploy", "--fail-level", "WARNING"], GOOD, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_unless_asked_for(tmp_path):
    result = run(
        ["shell", "-c", "from django.conf import settings; print(settings.DEBUG)"], GOOD, tmp_path
    )
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr


@pytest.mark.parametrize(("https", "seconds"), [("true", "31536000"), ("false", "0")])
def test_hsts_is_on_exactly_when_https_is(https, seconds, tmp_path):
    result = run(
        ["shell", "-c", "from django.conf import settings; print(settings.SECURE_HSTS_SECONDS)"],
        {**GOOD, "SIGHTLINE_HTTPS": https},
        tmp_path,
    )
    assert result.stdout.strip().splitlines()[-1] == seconds, result.stderr

"""The application's PostgreSQL connections: JIT off, and a site's own settings added."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def settings_options(env: dict[str, str], setting: str = "") -> str:
    """The connection options the settings build for ``env`` (or the Python expression
    ``setting`` on ``settings``), read in a fresh process."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print("
            + (setting or "settings.DATABASES['default'].get('OPTIONS', {}).get('options', '')")
            + ")",
        ],
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings.local", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip()


def test_postgresql_connections_turn_jit_off_and_take_the_sites_options():
    url = "postgres://sightline@127.0.0.1:5432/sightline"
    assert settings_options({"DATABASE_URL": url}) == "-c jit=off"
    assert (
        settings_options({"DATABASE_URL": url, "DATABASE_PG_OPTIONS": "-c work_mem=32MB"})
        == "-c jit=off -c work_mem=32MB"
    )


def test_sqlite_connections_have_no_postgresql_options(tmp_path):
    assert settings_options({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}) == ""


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_the_running_connection_has_jit_off():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_two_databases_never_share_cached_figures(tmp_path):
    prefix = "settings.CACHES['default']['KEY_PREFIX']"
    one = settings_options({"DATABASE_URL": "postgres://s@127.0.0.1:5432/sightline"}, prefix)
    other = settings_options({"DATABASE_URL": "postgres://s@127.0.0.1:5432/copy"}, prefix)
    assert one
    assert other
    assert one != other

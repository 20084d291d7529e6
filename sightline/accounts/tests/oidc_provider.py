"""A real OpenID Connect provider for the tests: panva's oidc-provider (OpenID certified),
run by node from tests/oidc/provider.mjs on a free loopback port for the whole session.

Without node or node_modules the tests that use it skip, unless SIGHTLINE_OIDC_TESTS=required
(as CI sets it), when they fail instead.
"""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
CLIENT_ID = "sightline-test"
CLIENT_SECRET = "a-test-client-secret-of-some-length"
# The Django test client's host: the provider sends the browser back here.
BASE_URL = "http://testserver"
PROVIDER_KEYS = ("northshire", "entra", "untrusted")


@dataclass(frozen=True)
class RunningProvider:
    issuer: str

    def sign_in(self, authorization_url: str, account: str, base_url: str = BASE_URL) -> str:
        """Do what a person does at the provider: open the authorization URL, type the
        account at its sign-in page, and follow it back. Returns the callback's path and
        query, for the Django test client."""
        assert authorization_url.startswith(self.issuer), authorization_url
        browser = requests.Session()
        response = browser.get(authorization_url, allow_redirects=False, timeout=10)
        while response.is_redirect:
            response = browser.get(
                urljoin(self.issuer, response.headers["location"]),
                allow_redirects=False,
                timeout=10,
            )
        response.raise_for_status()
        action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
        assert action, response.text[:500]
        response = browser.post(
            urljoin(self.issuer, action.group(1)),
            data={"prompt": "login", "login": account, "password": "any"},
            allow_redirects=False,
            timeout=10,
        )
        for _ in range(10):
            assert response.is_redirect, (response.status_code, response.text[:500])
            location = urljoin(self.issuer, response.headers["location"])
            if location.startswith(base_url):
                parts = urlsplit(location)
                return f"{parts.path}?{parts.query}"
            response = browser.get(location, allow_redirects=False, timeout=10)
        raise AssertionError("The provider never sent the browser back")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def provider_missing() -> str:
    """Why the provider cannot run here ("" when it can)."""
    if shutil.which("node") is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        return "node or node_modules/oidc-provider is missing (run make setup)."
    return ""


def skip_unless_provider_runs() -> None:
    message = provider_missing()
    if message:
        if os.environ.get("SIGHTLINE_OIDC_TESTS") == "required":
            pytest.fail(message)
        pytest.skip(message)


@contextlib.contextmanager
def provider_running(redirect_uris: list[str]) -> Iterator[RunningProvider]:
    """Start the provider on a free loopback port, accepting ``redirect_uris``; stop it after."""
    node = shutil.which("node")
    assert node is not None
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (node and the repository's own script)
        [node, str(SCRIPT), str(port), CLIENT_ID, CLIENT_SECRET, ",".join(redirect_uris)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready = threading.Event()
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.startswith("ready "):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not ready.wait(30):
            pytest.fail(f"The OpenID Connect provider did not start: {''.join(lines)}")
        yield RunningProvider(issuer=f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def callback_uris(base_url: str) -> list[str]:
    return [f"{base_url}/sign-in/sso/{key}/callback/" for key in PROVIDER_KEYS]


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[RunningProvider]:
    skip_unless_provider_runs()
    with provider_running(callback_uris(BASE_URL)) as running:
        yield running

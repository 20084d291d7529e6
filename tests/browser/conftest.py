"""Browser tests: Playwright drives Debian's Chromium; axe checks every page visited.

Without /usr/bin/chromium these tests skip, unless SIGHTLINE_BROWSER_TESTS=required (as CI
sets it), when they fail instead: in CI the browser tests must run.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = Path(os.environ.get("SIGHTLINE_CHROMIUM", "/usr/bin/chromium"))
# Playwright's synchronous API runs an event loop in this thread; the tests' own database
# work is ordinary synchronous Django code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)."
        if os.environ.get("SIGHTLINE_BROWSER_TESTS") == "required":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class Visitor:
    """A person at a browser, with axe checking every page they reach."""

    def __init__(self, page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.checked: list[str] = []
        self.axe = Axe()

    def check(self) -> None:
        results = self.axe.run(self.page)
        assert results.violations_count == 0, (
            f"Accessibility violations on {self.page.url}:\n{results.generate_report()}"
        )
        self.checked.append(self.page.url)

    def click(self, target) -> None:
        """Follow a link or press a button that loads a page, then check the new page."""
        with self.page.expect_navigation():
            target.click()
        self.check()

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.check()

    def sign_in(self, email: str, password: str) -> None:
        self.goto("/sign-in/")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.click(self.page.get_by_role("button", name="Sign in"))

    def sign_out(self) -> None:
        self.click(self.page.get_by_role("button", name="Sign out"))


@pytest.fixture
def visitor(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message) -> None:
        # Pages answered with a 4xx on purpose log "Failed to load resource"; asset failures
        # are caught by on_response instead. Anything else (script errors, CSP refusals) counts.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def on_response(response) -> None:
        if "/assets/" in response.url and response.status >= 400:
            problems.append(f"{response.status} for {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", on_response)
    yield Visitor(page, live_server.url)
    context.close()
    assert problems == [], f"Browser errors: {problems}"

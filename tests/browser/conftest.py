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


# WCAG 2.2 reflow (1.4.10): at 320 CSS pixels wide no page may scroll sideways.
REFLOW_WIDTH = 320

# What makes a page wider than the viewport: the outermost elements that stick out on the
# right and are not clipped by a scrolling ancestor (following containing blocks, so that an
# absolutely positioned element inside a scrolling region that does not contain it counts).
WIDEST_OFFENDER = r"""
() => {
  const width = document.documentElement.clientWidth;
  const right = (el) => el.getBoundingClientRect().right + window.scrollX;
  const containingBlock = (el) => {
    const position = getComputedStyle(el).position;
    if (position === "fixed") return null;
    let parent = el.parentElement;
    if (position === "absolute") {
      while (parent && getComputedStyle(parent).position === "static"
             && getComputedStyle(parent).transform === "none") {
        parent = parent.parentElement;
      }
    }
    return parent;
  };
  const clipped = (el) => {
    for (let block = containingBlock(el); block && block !== document.documentElement;
         block = containingBlock(block)) {
      if (getComputedStyle(block).overflowX !== "visible") return true;
    }
    return false;
  };
  const sticksOut = (el) => el.getBoundingClientRect().width > 0 && right(el) > width + 0.5
    && !clipped(el);
  const culprits = [...document.body.querySelectorAll("*")].filter(
    (el) => sticksOut(el) && !(el.parentElement !== document.body && sticksOut(el.parentElement))
  );
  if (!culprits.length) return "no single element (look for a wide margin or transform)";
  culprits.sort((a, b) => right(b) - right(a));
  const el = culprits[0];
  const classes = typeof el.className === "string" && el.className.trim()
    ? "." + el.className.trim().split(/\s+/).join(".") : "";
  const text = (el.innerText || el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 80);
  const table = el.closest("table");
  const caption = table && table.caption ? table.caption.textContent.trim().replace(/\s+/g, " ") : "";
  return `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${classes}>`
    + ` reaching ${Math.round(right(el))}px: "${text}"`
    + (caption ? ` in the table "${caption}"` : "")
    + (culprits.length > 1 ? ` (and ${culprits.length - 1} more)` : "");
}
"""


class Visitor:
    """A person at a browser, with axe checking every page they reach, and a check that the
    page reflows to a 320 CSS pixel wide screen without scrolling sideways."""

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
        self.check_reflow()
        self.checked.append(self.page.url)

    def check_reflow(self) -> None:
        """At 320 CSS pixels wide the page does not scroll sideways (WCAG 2.2, 1.4.10)."""
        viewport = self.page.viewport_size
        self.page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
        try:
            width = self.page.evaluate("document.documentElement.scrollWidth")
            offender = self.page.evaluate(WIDEST_OFFENDER) if width > REFLOW_WIDTH else ""
        finally:
            if viewport is not None:
                self.page.set_viewport_size(viewport)
        assert width <= REFLOW_WIDTH, (
            f"{self.page.url} is {width}px wide on a {REFLOW_WIDTH}px screen, so it scrolls "
            f"sideways (WCAG 1.4.10 reflow). Widest cause: {offender}. Stack a record table "
            "with the record_table filter, or put a data table in a scrolling region with "
            "data_table (docs/decisions/0008-small-screens.md)."
        )

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
        self.click(self.page.get_by_role("button", name="Sign out", exact=True))


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

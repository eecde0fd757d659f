"""Browser tests: Playwright drives Debian's Chromium against a live server of the app.

Every test here is marked ``browser``. Without /usr/bin/chromium (or without the
``playwright`` package) they are skipped, unless CI is set: on CI they must run.

Each page a test opens is watched (see ``PageGuard``): a JavaScript console error, an
uncaught exception, a request that fails, a response of 400 or more, or a request to a
host other than the live server's fails the test, unless the test said it expects it.

Screenshots of the key pages go to test-artifacts/screenshots/<test name>/ (ignored by git).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections

from demo.bureau import load_demo

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "demo-pass-123"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Playwright's waits: long enough for a loaded CI machine, short enough to fail fast.
TIMEOUT_MS = 20_000


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -e '.[dev]')"
    return None


HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder ``browser`` (before -m selects), and skip them where
    Chromium is missing, except on CI."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
    reason = _missing()
    if reason is None or _on_ci():
        # on CI a missing browser is an error, raised by the `browser` fixture
        return
    skip = pytest.mark.skip(reason=f"browser tests skipped: {reason}; CI runs them")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test whose pages misbehaved fails, however well its own assertions went."""
    browsing = item.funcargs.get("people")
    try:
        result = yield
    except BaseException:
        if browsing is not None and browsing.guard.problems:
            item.add_report_section("call", "misbehaving pages",
                                    "\n".join(browsing.guard.problems))
        raise
    if browsing is not None:
        browsing.guard.check(browsing.shots)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so that fixtures know whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browser(_async_unsafe_allowed, live_server):
    """Chromium, one per test.

    Playwright's sync API marks an asyncio event loop as running in this thread for as long
    as it is started. Meanwhile Django refuses database calls here (hence
    ``_async_unsafe_allowed``) and, seeing a loop, keeps this thread's connections apart
    from the ones it uses without one: the test's own queries open a second connection.
    Close that one before stopping Playwright (else PostgreSQL cannot drop the test
    database: "being accessed by other users"), and stop Playwright after each test, so
    that the flush after it and every other test in this process run without a loop."""
    reason = _missing()
    if reason:
        pytest.fail(f"CI must run the browser tests, but {reason}", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            connections.close_all()
            chromium.close()


@pytest.fixture
def _async_unsafe_allowed(monkeypatch):
    """While Playwright runs, the test's own database calls (setting up records, checking
    them) come from the thread with Playwright's event loop. They never overlap its work
    (each Playwright call blocks until done), so Django may allow them: for this test only."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class PageGuard:
    """What the pages must not do, collected for all pages of a test."""

    origin: str
    problems: list[str] = field(default_factory=list)
    # (status, URL regex) pairs a test provokes on purpose
    expected: list[tuple[int, re.Pattern]] = field(default_factory=list)

    def expect(self, status: int, url_pattern: str) -> None:
        self.expected.append((status, re.compile(url_pattern)))

    def is_own(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def is_expected(self, status: int, url: str) -> bool:
        return any(status == expected and pattern.search(url)
                   for expected, pattern in self.expected)

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        location = message.location or {}
        url = location.get("url", "")
        # Chromium's own note on a response >= 400: reported (or expected) by on_response
        status = re.match(r"Failed to load resource: the server responded with a status of "
                          r"(\d+)", message.text)
        if status and url:
            return
        where = f"{url}:{location.get('lineNumber', 0)}" if url else "inline"
        self.problems.append(f"console error: {message.text} ({where})")

    def on_page_error(self, error) -> None:
        self.problems.append(f"uncaught JavaScript error: {error}")

    def on_request(self, request) -> None:
        if not self.is_own(request.url):
            self.problems.append(f"request to another host: {request.method} {request.url}")

    def on_request_failed(self, request) -> None:
        failure = request.failure or ""
        # cancelled by the browser itself (the page navigated away, or a link turned out to
        # be a download): not the server's doing. A server error shows as a status >= 400
        # (on_response) or as a refused, reset or empty connection.
        if "ERR_ABORTED" in failure:
            return
        if not self.is_own(request.url):
            return  # reported by on_request; we abort those ourselves
        self.problems.append(f"request failed: {request.method} {request.url}: {failure}")

    def on_response(self, response) -> None:
        if response.status < 400:
            return
        if self.is_expected(response.status, response.url):
            return
        self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def check(self, shots: Path) -> None:
        assert not self.problems, (f"the pages misbehaved (screenshots in {shots}):\n"
                                   + "\n".join(self.problems))

    def watch(self, context) -> None:
        context.on("console", self.on_console)
        context.on("weberror", lambda web_error: self.on_page_error(web_error.error))
        context.on("request", self.on_request)
        context.on("requestfailed", self.on_request_failed)
        context.on("response", self.on_response)
        # never let a page reach the network: record the attempt and refuse it
        context.route(lambda url: not self.is_own(url), lambda route: route.abort())


class Browsing:
    """The people of a test, each in their own browser context (their own cookies), and the
    screenshots taken on the way."""

    def __init__(self, browser, live_server, guard: PageGuard, shots: Path):
        self.browser = browser
        self.base = live_server.url
        self.guard = guard
        self.shots = shots
        self.contexts = {}
        self.count = 0

    def context(self, locale="zh-CN"):
        context = self.browser.new_context(base_url=self.base, locale=locale,
                                           accept_downloads=True,
                                           viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        self.guard.watch(context)
        self.contexts[id(context)] = context
        return context

    def login(self, username: str, locale="zh-CN"):
        """A new page, logged in as ``username`` through the login form."""
        page = self.context(locale).new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("form.vf-form button[type=submit]")
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"{username} could not log in"
        return page

    def shot(self, page, name: str) -> Path:
        self.count += 1
        path = self.shots / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def shoot_every_page(self, name: str) -> None:
        """A screenshot of every open page, as it is now (when a test failed)."""
        for context in self.contexts.values():
            for page in context.pages:
                try:
                    self.shot(page, name)
                except Exception:  # a page that cannot be shot any more: carry on
                    pass

    def close(self):
        for context in self.contexts.values():
            context.close()


@pytest.fixture
def people(browser, live_server, request):
    """Log people in and take screenshots. The test fails for whatever its pages did wrong
    (``pytest_runtest_call``); when it fails, every open page is shot as it was left."""
    shots = SCREENSHOTS / request.node.name
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    guard = PageGuard(origin=live_server.url)
    browsing = Browsing(browser, live_server, guard, shots)
    yield browsing
    call = getattr(request.node, "report_call", None)
    if call is not None and call.failed:
        browsing.shoot_every_page("failed")
    browsing.close()


@pytest.fixture
def demo(live_server):
    """The demo bureau, in the database the live server reads."""
    load_demo(password=PASSWORD)


def expect(target, message=None):
    """Playwright's auto-waiting assertions (imported here, so that collecting the tests
    does not need the playwright package where they are skipped anyway)."""
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=TIMEOUT_MS)
    return playwright_expect(target, message)


def open_task_page(page, step: str):
    """From the inbox, open the one task whose link contains ``step`` (e.g. "/draft/")."""
    page.goto("/workflow/inbox/")
    link = page.locator(f"main a[href*='{step}']")
    expect(link).to_have_count(1)
    follow(page, link.click, r"/execute/$")
    expect(page.locator("main form[method=post]").first).to_be_visible()


def submit_and_wait(page, button: str, url_regex: str):
    """Press a form's button and wait until the page it leads to is shown. Only then may the
    test read the database: the server has finished with the request."""
    with page.expect_response(lambda response: response.request.method == "POST"):
        follow(page, lambda: page.click(button), url_regex)


def follow(page, act, url_regex: str):
    """Do ``act`` (a click) and wait until the page it leads to is shown.

    Turbo fetches the next page and swaps in its <body> (a form's redirect may even lead
    back to the same URL), so neither the URL nor the load event says the new page is
    there: mark the old <body> and wait until it is gone and Turbo no longer marks the
    document busy."""
    page.evaluate("document.body.dataset.testLeaving = 'yes'")
    act()
    page.wait_for_function(
        "() => document.body && !document.body.dataset.testLeaving"
        " && !document.documentElement.hasAttribute('aria-busy')")
    if not re.search(url_regex, page.url):
        errors = page.locator(".dc-errors, .errorlist").all_inner_texts()
        raise AssertionError(f"expected to land on {url_regex!r}, still on {page.url}"
                             + (f"; the page says: {errors}" if errors else ""))
    page.wait_for_load_state()


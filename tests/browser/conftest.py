"""Browser tests: Playwright drives the system Chromium against a live server with the demo content."""

import contextlib
import shutil
import threading
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from reflection.demo import storyteller_demo_open, toolkit_demo_load
from stories.demo import DEMO_PASSWORD, demo_load

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
NARROWEST = {"width": 320, "height": 640}  # WCAG 1.4.10 reflow: 1280 px at 400% zoom


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }  # fmt: skip


class Gate:
    """Wraps the live server's application. Between tests it is shut: a request the browser still sends (a player's
    progress beacon as its page closes, a video's range request) is turned away without reaching Django, and shutting
    waits for those already inside, so none holds a lock or writes a row while the database is flushed."""

    def __init__(self, app):
        self.app, self.is_open, self.inside = app, True, 0
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            if not self.is_open:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"Between tests."]
            self.inside += 1
        try:
            return _Leaving(self.app(environ, start_response), self._leave)
        except BaseException:
            self._leave()
            raise

    def _leave(self):
        with self.changed:
            self.inside -= 1
            self.changed.notify_all()

    def open(self):
        with self.changed:
            self.is_open = True

    def shut(self, timeout: float = 30):
        with self.changed:
            self.is_open = False
            assert self.changed.wait_for(lambda: self.inside == 0, timeout), f"{self.inside} requests still running"


class _Leaving:
    """A response that leaves the gate when the server closes it (after its last byte, or when the browser hung up)."""

    def __init__(self, response, leave):
        self.response, self.leave = response, leave

    def __iter__(self):
        return iter(self.response)

    def close(self):
        try:
            if hasattr(self.response, "close"):
                self.response.close()
        finally:
            if self.leave:
                self.leave, leave = None, self.leave
                leave()


@pytest.fixture(scope="session")
def gate(live_server):
    httpd = live_server.thread.httpd
    httpd.set_app(gate := Gate(httpd.get_app()))
    return gate


@pytest.fixture
def gate_opens_after_flush(gate):
    """Set up before the database and so torn down after its flush: the next test finds the live server open."""
    yield
    gate.open()


@pytest.fixture
def demo(gate_opens_after_flush, gate, transactional_db, live_server, settings):
    """The demo organisation in the live server's database, with its media on disk."""
    settings.DEBUG = False
    demo_load()
    toolkit_demo_load()
    storyteller_demo_open()
    yield live_server
    gate.shut()


@pytest.fixture
def page(demo, page):
    """The browser page opens after the demo and closes before the gate shuts: its last requests are let in or
    turned away, never left streaming."""
    return page


@pytest.fixture
def log_in(page, demo):
    def log_in_as(username: str) -> None:
        page.goto(f"{demo.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{demo.url}/")

    return log_in_as


@pytest.fixture(scope="session")
def axe():
    return Axe()


@contextlib.contextmanager
def text_at_200_percent(page):
    """The browser's own text size doubled (as a reader's setting does), not the page's CSS: rem-based sizes grow."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    try:
        yield
    finally:
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 16, "fixed": 13}})
        cdp.detach()


def too_wide(page) -> str:
    """Empty when the page fits the window's width; else how wide it is and the innermost elements that stick out."""
    return page.evaluate("""() => {
        const limit = document.documentElement.clientWidth, width = document.documentElement.scrollWidth;
        if (width <= limit) return "";
        const out = [...document.body.querySelectorAll("*")].filter(e => e.getBoundingClientRect().right > limit + 1
            || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === "visible");
        const innermost = out.filter(e => !out.some(other => other !== e && e.contains(other)));
        const name = e => [e.tagName.toLowerCase(), ...e.classList].join(".");
        const right = e => Math.round(e.getBoundingClientRect().right);
        return `it is ${width} px wide: ` + innermost.slice(0, 4).map(e => `${name(e)} (${right(e)} px)`).join(", ");
    }""")


@pytest.fixture
def check_page(page, axe):
    """Runs axe-core on the page (no serious or critical violations) and screenshots it at both widths. Nothing may
    make the page scroll sideways at 320 px, with or without 200% text, and a phone's header stays small."""

    def check(name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size(NARROWEST)
        assert not (wide := too_wide(page)), f"{name} scrolls sideways at 320 px: {wide}"
        with text_at_200_percent(page):
            assert not (wide := too_wide(page)), f"{name} scrolls sideways at 320 px with 200% text: {wide}"
        page.set_viewport_size(PHONE)
        header = page.evaluate("document.querySelector('.site-header')?.getBoundingClientRect().height ?? 0")
        assert header <= 120, f"{name}: the header takes {header} px of a phone's screen"
        for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(viewport)
            results = axe.run(page)
            serious = [
                f"{violation['id']} ({violation['impact']}): {violation['help']} — "
                + "; ".join(node["target"][0] for node in violation["nodes"][:3])
                for violation in results.response["violations"]
                if violation["impact"] in ("serious", "critical")
            ]
            assert not serious, f"{name} at {label} width:\n" + "\n".join(serious)
            page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)

    return check

"""Browser tests: Playwright drives the system Chromium against a live server with the demo content."""

import contextlib
import shutil
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


@pytest.fixture
def demo(transactional_db, live_server, settings):
    """The demo organisation in the live server's database, with its media on disk."""
    settings.DEBUG = False
    demo_load()
    toolkit_demo_load()
    storyteller_demo_open()
    return live_server


@pytest.fixture
def page(demo, page):
    """The browser page opens after the demo and closes before its database is flushed: a request the page still has
    open (a video streaming) must not meet the flush."""
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

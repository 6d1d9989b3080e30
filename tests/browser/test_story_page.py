"""Watching and reading a story on a phone and a desktop: the player first, a transcript that follows playback."""

import time

import pytest
from playwright.sync_api import expect

from reflection.models import StoryVisit
from stories.models import Story
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.browser.test_journeys import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

CURRENT = "document.querySelectorAll('[data-transcript] [aria-current=\"true\"]')"


def _video_story() -> Story:
    return Story.objects.published().filter(format=Story.Format.VIDEO).exclude(transcript_cues=[]).first()


def test_on_a_phone_the_player_is_in_the_first_screen_and_a_moment_link_shows_it(page, demo, log_in, check_page):
    story = _video_story()
    page.set_viewport_size(PHONE)
    log_in("employee")
    page.goto(f"{demo.url}{story.get_absolute_url()}")
    top = page.locator(".player__media").evaluate("media => media.getBoundingClientRect().top")
    assert 0 <= top < PHONE["height"] - 150, f"the player starts at y = {top}"

    page.goto(f"{demo.url}{story.get_absolute_url()}?t=9")
    expect(page.get_by_text("Starts at 0:09")).to_be_in_viewport()
    expect(page.locator(".player__media")).to_be_in_viewport()
    wait_until(page, f"{CURRENT}.length === 1")  # the line being said at 0:09
    assert float(page.locator("[data-transcript] [aria-current='true']").get_attribute("data-from")) <= 9
    check_page("story-moment")


@pytest.mark.parametrize("media", ["video", "audio"])
def test_the_transcript_follows_playback_one_line_at_a_time(page, demo, log_in, media):
    story_format = Story.Format.VIDEO if media == "video" else Story.Format.PODCAST
    story = Story.objects.published().filter(format=story_format).exclude(transcript_cues=[]).first()
    page.set_viewport_size(DESKTOP)
    log_in("employee")
    page.goto(f"{demo.url}{story.get_absolute_url()}")
    wait_until(page, f"document.querySelector('{media}').readyState >= 1")
    page.locator(media).evaluate("m => { m.muted = true; return m.play(); }")

    seen = set()
    for _ in range(60):  # the demo recordings are short: about 20 seconds
        page.wait_for_timeout(250)
        assert page.evaluate(f"{CURRENT}.length") == 1
        seen.add(page.locator("[data-transcript] [aria-current='true']").get_attribute("data-from"))
        if len(seen) >= 3:
            break
    assert len(seen) >= 3, f"the current line did not move on: {seen}"
    # It followed along without taking focus from the page, and the page did not scroll.
    assert page.evaluate("document.activeElement === document.body")
    assert page.evaluate("window.scrollY") == 0


def test_clicking_a_transcript_time_seeks_without_moving_the_page(page, demo, log_in):
    story = _video_story()
    page.set_viewport_size(PHONE)
    log_in("employee")
    page.goto(f"{demo.url}{story.get_absolute_url()}")
    wait_until(page, "document.querySelector('video').readyState >= 1")
    page.locator("video").evaluate("v => { v.muted = true; }")
    page.evaluate("window.scrollBy(0, 300)")
    before = page.evaluate("window.scrollY")
    line = page.locator("[data-transcript] li").nth(3)
    seconds = float(line.get_attribute("data-from"))
    line.get_by_role("link").click()
    wait_until(page, f"document.querySelector('video').currentTime >= {seconds - 0.1}")
    assert page.evaluate("window.scrollY") == before
    assert page.url.endswith(story.get_absolute_url())  # seeked in place: no page load at ?t=
    expect(line).to_have_attribute("aria-current", "true")


def test_video_is_never_wider_than_its_own_size(page, demo, log_in):
    story = _video_story()
    page.set_viewport_size(DESKTOP)
    log_in("employee")
    page.goto(f"{demo.url}{story.get_absolute_url()}")
    wait_until(page, "document.querySelector('video').readyState >= 1")
    shown, natural = page.locator("video").evaluate("v => [v.getBoundingClientRect().width, v.videoWidth]")
    assert 0 < shown <= natural
    # Its poster is the rendition as wide as the player shows it (at this screen's 1 px per CSS pixel), not the widest.
    wait_until(page, "document.querySelector('video').poster !== ''")
    widths = sorted(
        int(entry.split()[1][:-1]) for entry in page.locator("video").get_attribute("data-poster-srcset").split(", ")
    )
    poster = page.locator("video").evaluate("v => v.poster")
    assert poster.endswith(f"-{next(width for width in widths if width >= shown)}.webp"), poster
    shown_with_poster = page.locator("video").evaluate("v => v.getBoundingClientRect().width")
    assert shown_with_poster == shown


FOCUS_RING = "getComputedStyle(document.querySelector('.player__media')).outlineStyle === 'solid'"


@pytest.mark.parametrize("media", ["video", "audio"])
def test_the_players_own_controls_show_the_focus_ring_by_keyboard(page, demo, log_in, media):
    """The browser's controls draw a faint ring of their own that no page style reaches: while the keyboard is in them
    the whole player wears the page's ring, and a click on a control shows none."""
    story_format = Story.Format.VIDEO if media == "video" else Story.Format.PODCAST
    story = Story.objects.published().filter(format=story_format).exclude(transcript_cues=[]).first()
    log_in("employee")
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(f"{demo.url}{story.get_absolute_url()}")
        wait_until(page, f"document.querySelector('{media}').readyState >= 1")
        player = page.locator(".player__media")
        player.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # onto the player
        assert page.evaluate(FOCUS_RING)
        page.keyboard.press("Tab")  # onto its play button, inside the player
        assert page.evaluate("document.activeElement.matches('.player__media:not(:focus)')"), "left the player"
        assert page.evaluate(FOCUS_RING), f"no ring on the {media}'s controls at {viewport['width']} px"
        page.screenshot(path=SCREENSHOTS / f"player-controls-focus-{media}-{viewport['width']}.png")

        # Focus leaves, and a click on its controls (which reaches no page script) brings it back: no ring.
        page.locator("h1").click()
        box = player.bounding_box()
        page.mouse.click(box["x"] + 20, box["y"] + box["height"] - 20)
        assert page.evaluate("document.activeElement.matches('.player__media:focus-within')")
        assert not page.evaluate(FOCUS_RING), "a click drew the keyboard's focus ring"


def test_the_player_remembers_how_far_the_employee_got_and_nothing_for_a_player_left_at_its_start(page, demo, log_in):
    unplayed, played = Story.objects.published().filter(format=Story.Format.VIDEO).exclude(transcript_cues=[])[:2]
    page.set_viewport_size(DESKTOP)
    log_in("employee")
    page.goto(f"{demo.url}{unplayed.get_absolute_url()}")
    wait_until(page, "document.querySelector('video').readyState >= 1")

    page.goto(f"{demo.url}{played.get_absolute_url()}")  # leaving a page sends what its player reached
    wait_until(page, "document.querySelector('video').readyState >= 1")
    page.locator("video").evaluate("v => { v.muted = true; v.currentTime = 7; }")
    wait_until(page, "document.querySelector('video').currentTime >= 7")
    page.locator("video").evaluate("v => v.play().then(() => v.pause())")

    visits = StoryVisit.objects.filter(owner__username="employee")
    deadline = time.monotonic() + 30
    while visits.get(story=played).furthest_seconds is None:
        assert time.monotonic() < deadline, "the pause sent nothing"
        time.sleep(0.1)
    assert visits.get(story=played).furthest_seconds == 7
    assert visits.get(story=unplayed).furthest_seconds is None  # sent before the played one's, and nothing

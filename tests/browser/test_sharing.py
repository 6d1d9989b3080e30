"""Managers share stories, moments and collections; HR reads the insight pages."""

import re

import pytest
from playwright.sync_api import expect

from stories.models import Story
from tests.browser.test_journeys import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_builds_reorders_and_shares_a_collection(page, demo, log_in, check_page):
    stories = list(Story.objects.published().order_by("title")[:3])
    log_in("manager")

    page.goto(f"{demo.url}{stories[0].get_absolute_url()}")
    page.get_by_text("Add to a collection").click()
    page.get_by_role("link", name="Start a new collection with this story").click()
    page.get_by_label("Title").fill("Moves worth talking about")
    page.get_by_label("Introduction").fill("For our next career conversation.")
    page.get_by_role("button", name="Save collection").click()
    collection_url = page.url
    for story in stories[1:]:
        page.goto(f"{demo.url}{story.get_absolute_url()}")
        page.get_by_text("Add to a collection").click()
        page.get_by_label("Note (optional)").fill(f"Look at how {story.storyteller.name.split()[0]} prepared")
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_text("Added to “Moves worth talking about”")).to_be_visible()

    page.goto(collection_url)
    expect(page.locator(".collection-item .card__title")).to_have_text([story.title for story in stories])
    page.get_by_role("button", name=f"Move up “{stories[2].title}”").click()
    expect(page.locator(".collection-item .card__title")).to_have_text(
        [stories[0].title, stories[2].title, stories[1].title]
    )
    check_page("collection")
    page.get_by_text("Share", exact=True).click()
    page.get_by_label("Colleague's name, username or email").fill("Erin Walsh")  # her full name, as people know her
    page.get_by_role("button", name="Share with this colleague").click()
    expect(page.get_by_role("status")).to_contain_text("Shared with Erin Walsh")
    page.get_by_role("button", name="Log out").click()

    log_in("employee")
    page.goto(f"{demo.url}/me/shared-with-me/")
    page.get_by_role("link", name="Moves worth talking about").click()
    expect(page).to_have_url(collection_url)
    expect(page.locator(".collection-item .card__title")).to_have_count(3)
    expect(page.get_by_role("button", name=re.compile("Move up"))).to_have_count(0)
    page.goto(f"{demo.url}/collections/")
    check_page("collections")


def test_share_control_copies_a_link_to_the_current_moment(page, demo, log_in, check_page):
    story = Story.objects.published().filter(format=Story.Format.VIDEO).first()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in("manager")
    page.goto(f"{demo.url}{story.get_absolute_url()}")
    wait_until(page, "document.querySelector('video').readyState >= 1")
    page.locator("video").evaluate("v => { v.currentTime = 4; }")
    wait_until(page, "Math.abs(document.querySelector('video').currentTime - 4) < 0.3")
    page.get_by_text("Share", exact=True).click()
    page.get_by_role("button", name="Copy link to this moment").click()
    expect(page.get_by_text("Copied the link to 0:04.")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(f"{story.get_absolute_url()}?t=4")
    check_page("story-share")

    page.goto(copied)
    wait_until(page, "document.querySelector('video').readyState >= 1")
    assert 3.9 <= page.locator("video").evaluate("v => v.currentTime") <= 4.5


def test_guide_and_insights_pages_are_accessible(page, demo, log_in, check_page):
    log_in("manager")
    page.goto(f"{demo.url}/guide/")
    expect(page.get_by_role("heading", name="A good career conversation")).to_be_visible()
    check_page("guide")
    page.get_by_role("button", name="Log out").click()
    log_in("curator")
    page.goto(f"{demo.url}/insights/")
    check_page("insights-coverage")
    page.goto(f"{demo.url}/insights/engagement/")
    check_page("insights-engagement")

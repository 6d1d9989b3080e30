import re
import time

import pytest
from playwright.sync_api import expect

from stories.models import Story

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until(page, expression: str, timeout: float = 30.0) -> None:
    """Polls a JavaScript expression (wait_for_function would need 'unsafe-eval' under our CSP)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for: {expression} at {page.url}"
        page.wait_for_timeout(100)


def test_login_page_is_accessible_and_logs_in(page, demo, check_page):
    page.goto(f"{demo.url}/stories/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/stories/"))
    check_page("login")
    page.get_by_label("Username").fill("employee")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("didn’t match")


def test_employee_browses_by_skill_and_combines_filters(page, demo, log_in, check_page):
    log_in("employee")
    check_page("home")
    expect(page.get_by_role("heading", name="Featured stories")).to_be_visible()

    page.locator(".chips a.chip--skill").first.click()
    expect(page).to_have_url(re.compile(r"/stories/\?skill="))
    check_page("stories-by-skill")
    by_skill = int(page.locator(".results__count").inner_text().split()[0])
    assert by_skill > 0

    # Moving through a filter list by keyboard changes nothing until the user asks (WCAG 3.2.2): focus stays put.
    format_select = page.get_by_label("Format")
    url = page.url
    format_select.focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert page.url == url
    assert page.evaluate("document.activeElement.name") == format_select.get_attribute("name")
    # "Show stories" applies the choice, keeping the skill filter.
    option = format_select.locator("option").nth(1)
    label, value = option.inner_text(), option.get_attribute("value")
    format_select.select_option(value)
    page.get_by_role("button", name="Show stories").click()
    expect(page).to_have_url(re.compile(rf"skill=.*format={value}"))
    count = int(page.locator(".results__count").inner_text().split()[0])
    assert count == int(re.search(r"\((\d+)\)", label).group(1))
    assert count <= by_skill
    expect(page.locator(".grid .card")).to_have_count(count)

    page.locator(".grid .card__title a").first.click()
    expect(page.locator("h1")).to_be_visible()
    check_page("story")


def test_video_story_starts_at_shared_moment_with_captions(page, demo, log_in, check_page):
    story = Story.objects.published().filter(format=Story.Format.VIDEO).first()
    log_in("employee")
    page.goto(f"{demo.url}{story.get_absolute_url()}?t=3")
    video = page.locator("video")
    wait_until(page, "document.querySelector('video').readyState >= 1")
    current = video.evaluate("v => v.currentTime")
    assert 2.9 <= current <= 3.5
    # The captions track loads (readyState 2) and has cues.
    wait_until(page, "document.querySelector('video track').readyState === 2")
    assert video.evaluate("v => v.textTracks[0].cues.length") > 0
    # Seeking elsewhere works: the media answers Range requests.
    video.evaluate("v => { v.currentTime = 1; }")
    wait_until(page, "Math.abs(document.querySelector('video').currentTime - 1) < 0.2")
    check_page("video-story")


def test_searching_a_spoken_phrase_lands_at_that_moment_of_the_video(page, demo, log_in, check_page):
    log_in("employee")
    search_box = page.get_by_role("combobox", name="Search stories and skills")
    search_box.fill('"factory floor"')
    search_box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    check_page("search-moment")
    result = page.locator(".search-result", has_text="A year in Rotterdam")
    expect(result.locator("mark").first).to_have_text(re.compile("factory", re.I))
    play = result.get_by_role("link", name=re.compile(r"Play from 0:07"))
    expect(play).to_be_visible()
    play.click()
    expect(page).to_have_url(re.compile(r"/stories/a-year-in-rotterdam/\?t=7$"))
    wait_until(page, "document.querySelector('video').readyState >= 1")
    # The caption saying "never seen the factory floor" runs from 7.9 s: the player starts within that second.
    assert 6.9 <= page.locator("video").evaluate("v => v.currentTime") <= 7.5


def test_the_skill_filter_suggests_skills_by_another_name_as_you_type(page, demo, log_in, check_page):
    log_in("employee")
    page.goto(f"{demo.url}/stories/")
    box = page.get_by_label("Skill or strength")
    box.press_sequentially("bargain", delay=30)
    # The box starts with the most used skills; typing replaces them with the skills the words name.
    wait_until(page, "document.querySelectorAll('#filter-skill-options option').length === 1")
    option = page.locator("#filter-skill-options option")
    assert (option.get_attribute("value"), option.get_attribute("label")) == ("Negotiation", "also called Bargaining")
    check_page("stories-skill-box")
    # Submitting what was typed (an alternative label) filters by the skill it names.
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/stories/\?skill=bargain"))
    expect(page.get_by_role("alert")).to_contain_text("No skill or strength is called “bargain”")
    box = page.get_by_label("Skill or strength")
    box.fill("Bargaining")
    box.press("Enter")
    expect(page.get_by_label("Active filters")).to_contain_text("Negotiation")
    expect(box).to_have_value("Negotiation")
    count = int(page.locator(".results__count").inner_text().split()[0])
    assert count == Story.objects.published().filter(skills__name="Negotiation").count() > 0


def test_podcast_and_text_stories_read_well(page, demo, log_in, check_page):
    log_in("employee")
    podcast = Story.objects.published().filter(format=Story.Format.PODCAST).first()
    page.goto(f"{demo.url}{podcast.get_absolute_url()}")
    wait_until(page, "document.querySelector('audio').readyState >= 1")
    expect(page.get_by_role("heading", name="Transcript")).to_be_visible()
    check_page("podcast-story")

    text = Story.objects.published().filter(format=Story.Format.TEXT).first()
    page.goto(f"{demo.url}{text.get_absolute_url()}")
    expect(page.get_by_role("heading", name="Career moves")).to_be_visible()
    check_page("text-story")


def test_skills_tree_skill_page_and_storyteller(page, demo, log_in, check_page):
    log_in("manager")
    page.goto(f"{demo.url}/skills/")
    check_page("skills")
    page.locator(".tree__node--skill a").first.click()
    expect(page.get_by_role("heading", name="Proficiency levels")).to_be_visible()
    check_page("skill")
    page.goto(f"{demo.url}/stories/")
    page.locator(".grid .card__title a").first.click()
    page.locator("a.teller").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("Stories by"))).to_be_visible()
    check_page("storyteller")


def test_curator_previews_a_draft_and_picks_skills_by_autocomplete(page, demo, log_in, check_page):
    draft = Story.objects.exclude(status=Story.Status.PUBLISHED).first()
    log_in("employee")
    assert page.goto(f"{demo.url}{draft.get_absolute_url()}").status == 404
    check_page("not-found")
    page.get_by_role("button", name="Log out").click()

    log_in("curator")
    page.goto(f"{demo.url}{draft.get_absolute_url()}")
    expect(page.get_by_text("only curators can see it")).to_be_visible()
    page.goto(f"{demo.url}/admin/stories/story/{draft.pk}/change/")
    page.locator(".select2-selection--multiple").click()
    page.keyboard.type("narrat")
    expect(page.locator(".select2-results__option").first).not_to_contain_text("No results")


def test_employee_asks_the_storyteller_for_a_conversation_and_she_finds_it(page, demo, log_in, check_page):
    log_in("employee")
    page.goto(f"{demo.url}/stories/six-months-in-the-people-team/")
    page.get_by_text("Ask Priya for a conversation").click()
    check_page("story-ask-open")
    page.get_by_role("button", name="Send the request").click()  # without a message: the error, on its own page
    expect(page.get_by_role("alert")).to_contain_text("Write a short message.")
    check_page("story-ask-error")
    page.get_by_label("Your message").fill("How did the secondment to the People team start?")
    page.get_by_label("The objective of your plan it serves").select_option(
        label="Understand how our forecasts are built"
    )
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("status")).to_contain_text("Priya Raman has your request for a career conversation")
    expect(page.locator("#request-state")).to_have_text("Awaiting an answer")  # on the request's own page
    page.goto(f"{demo.url}/stories/six-months-in-the-people-team/")
    expect(page.get_by_text("You have an open request to Priya Raman")).to_be_visible()

    page.context.clear_cookies()
    log_in("storyteller")
    page.goto(f"{demo.url}/me/shared-with-me/")
    expect(page.get_by_text("How did the secondment to the People team start?")).to_be_visible()
    page.goto(f"{demo.url}/me/inbox/")
    page.get_by_role("link", name=re.compile("asks you for a career conversation")).click()
    page.get_by_label("Note").fill("Coffee on Thursday at 10, by the third-floor kitchen.")
    page.get_by_role("button", name="Accept the request").click()
    expect(page.locator("#request-state")).to_have_text("Accepted")
    page.goto(f"{demo.url}/me/openness/")
    expect(page.get_by_text("This month: 1 of 3 places taken.")).to_be_visible()
    check_page("openness")

    page.context.clear_cookies()
    log_in("employee")
    page.goto(f"{demo.url}/me/sharing/")
    expect(page.get_by_role("listitem").filter(has_text="Priya Raman")).to_contain_text("Accepted")

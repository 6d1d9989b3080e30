"""The reflection toolkit's whole journey, as an employee and their manager would walk it."""

import re

import pytest
from playwright.sync_api import expect

from stories.models import Story

pytestmark = pytest.mark.django_db(transaction=True)


def test_from_story_to_shared_plan_and_back(page, demo, log_in, check_page):
    story = (
        Story.objects.published()
        .filter(format=Story.Format.TEXT)
        .exclude(slug__in=["why-i-stayed-an-engineer"])
        .first()
    )
    log_in("employee")

    # Open a story and save it (the button works in place with JavaScript).
    page.goto(f"{demo.url}{story.get_absolute_url()}")
    page.get_by_role("button", name="Save for later").click()
    expect(page.get_by_role("button", name="Saved ✓")).to_have_attribute("aria-pressed", "true")

    # Reflect on it.
    page.get_by_role("link", name="Reflect on this story").click()
    check_page("toolkit-reflection-form")
    # Saved empty, it answers the GOV.UK way, the problem linked to the first box.
    page.get_by_role("button", name="Save reflection").click()
    expect(page).to_have_title(re.compile(r"^Error: New reflection"))
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Write something in at least one of the boxes before saving.").click()
    expect(page.get_by_label("Title (optional)")).to_be_focused()
    page.get_by_label("What did they do, and why?").fill("They moved sideways to learn the numbers.")
    page.get_by_label("What could I try?").fill("Shadow a forecasting review.")
    page.get_by_role("button", name="Save reflection").click()
    expect(page.get_by_role("heading", name=re.compile(story.title[:20]))).to_be_visible()
    check_page("toolkit-reflections")

    # Make it an objective with two actions.
    page.goto(f"{demo.url}{story.get_absolute_url()}")
    page.get_by_role("link", name="Make it an objective").click()
    # Saved empty, it answers the GOV.UK way: focus on the error summary, whose link takes focus to the field.
    page.get_by_role("button", name="Save objective").click()
    expect(page).to_have_title(re.compile(r"^Error: New objective"))
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="This field is required.").click()
    expect(page.get_by_label("Title")).to_be_focused()
    page.get_by_label("Title").fill("Learn how our forecasts are made")
    expect(page.get_by_label(story.title)).to_be_checked()
    check_page("toolkit-objective-form")
    page.get_by_role("button", name="Save objective").click()
    expect(page.get_by_role("heading", level=1, name="Learn how our forecasts are made")).to_be_visible()
    for kind, title in [("Shadowing", "Sit in on a forecast review"), ("Course", "Finance for non-finance staff")]:
        page.get_by_label("Kind").select_option(label=kind)
        page.get_by_label("What will you do?").fill(title)
        page.get_by_role("button", name="Add action").click()
        expect(page.locator(".actions")).to_contain_text(title)
    page.get_by_role("button", name="Sit in on a forecast review", exact=True, pressed=False).click()
    expect(page.get_by_role("button", name="Sit in on a forecast review", exact=True, pressed=True)).to_be_focused()
    check_page("toolkit-objective")
    objective_url = page.url

    # The demo plan is already shared with the manager: sharing again, by his name, says so.
    page.goto(f"{demo.url}/me/sharing/")
    check_page("toolkit-sharing")
    expect(page.locator(".list").first).to_contain_text("Marcus Bell")
    # Her manager, from the directory, is offered first to ask for a conversation (the plan is his already).
    expect(page.locator("#id_conversation_colleague")).to_have_value("manager@example.com")
    expect(page.locator("#id_conversation_colleague")).to_have_accessible_description(re.compile("Your manager"))
    page.locator("#id_colleague").fill("marcus bell")  # by name: he is one of the demo's colleagues
    page.get_by_role("button", name="Share my plan").click()
    expect(page.get_by_role("status")).to_have_text("Your plan is already shared with Marcus Bell.")
    expect(page.get_by_role("status")).to_be_focused()
    page.get_by_role("button", name="Log out").click()

    # The manager reads it and comments.
    log_in("manager")
    page.goto(f"{demo.url}/me/shared-with-me/")
    check_page("toolkit-shared-with-me")
    page.get_by_role("link", name="Erin Walsh", exact=True).click()  # not "Answer Erin Walsh"
    expect(page.get_by_role("heading", name="Learn how our forecasts are made")).to_be_visible()
    check_page("toolkit-shared-plan")
    # His team, from the directory: Erin shares her plan, Sam nothing yet.
    page.goto(f"{demo.url}/me/")
    page.get_by_role("link", name="See my team").click()
    check_page("toolkit-team")
    expect(page.get_by_role("article", name=re.compile("Sam Reyes"))).to_contain_text("Nothing shared yet.")
    page.get_by_role("article", name=re.compile("Erin Walsh")).get_by_role("link", name="Their plan").click()
    expect(page.get_by_role("heading", name="Learn how our forecasts are made")).to_be_visible()
    page.goto(objective_url)
    page.get_by_role("textbox", name="Comment").fill("Talk to Priya in finance about the review.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("Talk to Priya in finance about the review.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # The employee sees the comment, then stops sharing.
    log_in("employee")
    page.goto(objective_url)
    expect(page.get_by_text("Talk to Priya in finance about the review.")).to_be_visible()
    page.goto(f"{demo.url}/me/sharing/")
    page.get_by_role("button", name=re.compile("Stop sharing")).click()
    expect(page.get_by_text("Your plan is private")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # Now the manager gets a 404.
    log_in("manager")
    assert page.goto(objective_url).status == 404
    assert page.goto(f"{demo.url}/me/shared-with-me/1/").status == 404
    page.goto(f"{demo.url}/me/team/")
    expect(
        page.get_by_role("article", name=re.compile("Erin Walsh")).get_by_role("link", name="Their plan")
    ).to_have_count(0)


def test_every_toolkit_page_is_accessible(page, demo, log_in, check_page):
    log_in("employee")
    for path, name in [
        ("/me/", "toolkit-dashboard"),
        ("/me/explored/", "toolkit-explored"),
        ("/me/explored/?saved=1", "toolkit-saved"),
        ("/me/assessment/?q=data", "toolkit-assessment"),
        ("/me/aspirations/", "toolkit-aspirations"),
        ("/me/plan/", "toolkit-plan"),
        ("/me/plan/print/", "toolkit-plan-print"),
        ("/me/delete/", "toolkit-delete"),
    ]:
        page.goto(f"{demo.url}{path}")
        check_page(name)
    page.goto(f"{demo.url}/me/assessment/")
    page.get_by_role("link", name="Data analysis").first.click()
    check_page("toolkit-assess-skill")
    expect(page.get_by_role("heading", name="How it has changed")).to_be_visible()

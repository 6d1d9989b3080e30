"""A career conversation request as its two sides walk it: asked, accepted, held, the state shown to both."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_request_is_accepted_then_held_and_both_sides_see_its_state(page, demo, log_in, check_page):
    # The demo employee already asked her manager: asking again says so, and the request's page withdraws it.
    log_in("employee")
    page.goto(f"{demo.url}/me/sharing/")
    page.locator("#id_conversation_colleague").fill("Marcus Bell")
    page.get_by_role("button", name="Send the request").click()
    expect(page).to_have_title(re.compile(r"^Error: Sharing"))
    expect(page.get_by_role("alert")).to_contain_text("You asked Marcus Bell for a career conversation on")
    page.get_by_role("link", name="Marcus Bell", exact=True).click()
    page.get_by_role("button", name="Withdraw the request").click()
    expect(page.locator("#request-state")).to_have_text("Withdrawn")

    # Asked again, the request's own page says it awaits an answer.
    page.goto(f"{demo.url}/me/sharing/")
    page.locator("#id_conversation_colleague").fill("Marcus Bell")
    page.get_by_label("Message (optional)").fill("Could we talk about a move into finance?")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("status")).to_have_text("Marcus Bell has your request.")
    expect(page.locator("#request-state")).to_have_text("Awaiting an answer")
    check_page("request-asked")
    request_url = page.url
    page.get_by_role("button", name="Log out").click()

    # The manager finds it first among his requests and accepts it with a time and a note.
    log_in("manager")
    page.goto(f"{demo.url}/me/shared-with-me/")
    check_page("requests-of-me")
    page.get_by_role("link", name="Answer Erin Walsh").first.click()
    expect(page.get_by_text("Could we talk about a move into finance?")).to_be_visible()
    page.get_by_role("button", name="Accept the request").click()  # neither a time nor a note: the GOV.UK answer
    expect(page).to_have_title(re.compile(r"^Error: Request from Erin Walsh"))
    expect(page.get_by_role("alert")).to_be_focused()
    page.get_by_label("Proposed time (optional)").fill("2026-12-08T10:30")
    page.get_by_label("Note (optional)").fill("My office; bring your plan.")
    page.get_by_role("button", name="Accept the request").click()
    expect(page.locator("#request-state")).to_have_text("Accepted")
    check_page("request-accepted")
    page.get_by_label("Notes (optional)").fill("We talked about the finance rotation.")
    page.get_by_label("Actions you agreed (optional)").fill("Sit in on the quarterly forecast review")
    page.get_by_role("button", name="Mark as held").click()
    expect(page.locator("#request-state")).to_have_text("Held")
    page.get_by_role("button", name="Log out").click()

    # The employee sees it held, on her sharing page and on the request's, and puts the agreed action on her plan.
    log_in("employee")
    page.goto(f"{demo.url}/me/sharing/")
    expect(page.locator(".list").last).to_contain_text("Held")
    page.goto(request_url)
    expect(page.locator("#request-state")).to_have_text("Held")
    expect(page.get_by_text("We talked about the finance rotation.")).to_be_visible()
    check_page("request-held")
    page.get_by_label("Kind of action").select_option(label="Shadowing")
    page.get_by_role("button", name=re.compile("^Add to my plan.+Sit in on the quarterly forecast review")).click()
    expect(page.get_by_role("status")).to_contain_text("“Sit in on the quarterly forecast review” is on your plan")
    page.goto(f"{demo.url}/me/plan/")
    expect(page.get_by_text("Sit in on the quarterly forecast review")).to_be_visible()

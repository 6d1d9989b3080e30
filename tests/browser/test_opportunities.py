"""The opportunities journey of issue 19's bar: an opportunity tagged with a skill shows on that skill's page, on a
story with that skill and in "For you" of the employee whose plan has it; interest reaches its poster, who answers;
after its closing date it shows nowhere."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from skills.models import Skill
from stories.models import Opportunity

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Three months in commercial finance"


def test_an_opportunity_from_for_you_to_interest_to_the_posters_answer(page, demo, log_in, check_page):
    log_in("employee")
    for_you = page.get_by_role("region", name="Opportunities for you")
    expect(for_you.get_by_role("link", name=TITLE)).to_be_visible()
    expect(for_you).to_contain_text("Because you want to develop")
    item = for_you.get_by_role("listitem").filter(has=page.get_by_role("link", name=TITLE))
    card, reason = item.locator("article").bounding_box(), item.locator(".because").bounding_box()
    assert reason["y"] >= card["y"] + card["height"]  # under its card, not squeezing it from beside

    skill = Skill.objects.get(framework__code="builtin", code="CUST-FIN")
    page.goto(f"{demo.url}{skill.get_absolute_url()}")
    expect(
        page.get_by_role("region", name=re.compile("Opportunities to build")).get_by_role("link", name=TITLE)
    ).to_be_visible()
    page.goto(f"{demo.url}/stories/from-account-management-to-finance/")
    try_it = page.get_by_role("region", name="Try it yourself")
    expect(try_it.get_by_role("link", name=TITLE)).to_be_visible()

    try_it.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    check_page("opportunity")
    page.get_by_label("A note for the poster").fill("I finished the spreadsheet modelling course last month.")
    page.get_by_label(re.compile("Share my development plan")).check()
    page.get_by_role("button", name="I’m interested").click()
    expect(page.locator(".messages")).to_contain_text("Sent")
    expect(page.get_by_role("region", name="Your interest")).to_contain_text("sharing your plan")

    page.get_by_role("button", name="Log out").click()
    log_in("manager")
    page.goto(f"{demo.url}{Opportunity.objects.get(title=TITLE).get_absolute_url()}")
    interested = page.get_by_role("region", name=re.compile("People interested"))
    expect(interested).to_contain_text("I finished the spreadsheet modelling course")
    expect(interested.get_by_role("link", name="Read their development plan")).to_be_visible()
    check_page("opportunity-poster")
    interested.get_by_label(re.compile("Your answer to")).fill("Great: let us talk on Monday.")
    interested.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_role("region", name=re.compile("People interested"))).to_contain_text("Your answer: Great")

    page.get_by_role("button", name="Log out").click()
    log_in("employee")
    page.goto(f"{demo.url}/me/opportunities/")
    expect(page.get_by_role("main")).to_contain_text("The answer: Great: let us talk on Monday.")
    check_page("my-opportunities")

    # The day after its closing date it shows nowhere.
    Opportunity.objects.filter(title=TITLE).update(closes_on=timezone.localdate() - datetime.timedelta(days=1))
    for url in ("/", skill.get_absolute_url(), "/stories/from-account-management-to-finance/", "/opportunities/"):
        page.goto(f"{demo.url}{url}")
        expect(page.get_by_role("link", name=TITLE)).to_have_count(0)


def test_a_manager_posts_an_opportunity_and_a_mistake_is_explained(page, demo, log_in, check_page):
    log_in("manager")
    page.goto(f"{demo.url}/opportunities/")
    check_page("opportunities")
    page.get_by_role("link", name="Post an opportunity").click()
    page.get_by_label("Title").fill("Shadow a product manager")
    page.get_by_label("Skills and strengths it builds").fill("Data analysis\nUnderwater basket weaving")
    page.get_by_role("button", name="Post it").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_role("alert")).to_contain_text("Underwater basket weaving")
    check_page("opportunity-form-errors")
    assert not Opportunity.objects.filter(title="Shadow a product manager").exists()

"""Cached "For you" suggestions follow the stories and the employee's own toolkit, and stay the employee's own."""

import re

import pytest
from django.urls import reverse

from reflection.models import Objective
from reflection.services import objective_save, self_assess
from tests.factories import SkillFactory, StoryFactory, UserFactory
from tests.reflection.factories import ObjectiveFactory

pytestmark = pytest.mark.django_db

PAGES = ["/", "/me/"]


@pytest.fixture
def negotiation(db):
    return SkillFactory(name="Negotiation")


@pytest.fixture
def story(negotiation):
    return StoryFactory(title="Negotiating abroad", skills=[negotiation])


def _suggestions_of(client) -> dict[str, str]:
    """Each page's suggestions section: "For you" on home, "Suggested for you" on the toolkit ("" when absent)."""
    parts = {}
    for url in PAGES:
        page = re.split(r"for you</h2>", client.get(url).content.decode(), maxsplit=1, flags=re.IGNORECASE)
        parts[url] = page[1].split("</section>")[0] if len(page) == 2 else ""
    return parts


def test_wanting_a_skill_brings_its_stories_into_the_cached_suggestions(employee_client, employee, story, negotiation):
    assert not any("Negotiating abroad" in part for part in _suggestions_of(employee_client).values())

    self_assess(user=employee, skill=negotiation, level=None, is_strength=False, wants_to_develop=True)

    for url, part in _suggestions_of(employee_client).items():
        assert "Negotiating abroad" in part, url


def test_opening_a_suggested_story_takes_it_out_of_the_cached_suggestions(
    employee_client, employee, story, negotiation
):
    self_assess(user=employee, skill=negotiation, level=None, is_strength=False, wants_to_develop=True)
    assert all("Negotiating abroad" in part for part in _suggestions_of(employee_client).values())

    employee_client.get(story.get_absolute_url())

    assert not any("Negotiating abroad" in part for part in _suggestions_of(employee_client).values())


def test_finishing_an_objective_ends_the_suggestions_it_brought(employee_client, employee, story, negotiation):
    objective = ObjectiveFactory(owner=employee, status=Objective.Status.ON_TRACK)
    objective.skills.set([negotiation])
    assert all("Because your plan builds Negotiation" in part for part in _suggestions_of(employee_client).values())

    objective.status = Objective.Status.DONE
    objective_save(objective=objective, version=objective.version, skills=[negotiation], stories=[])

    assert not any("Negotiating abroad" in part for part in _suggestions_of(employee_client).values())


def test_a_newly_published_story_joins_the_cached_suggestions(employee_client, employee, story, negotiation):
    self_assess(user=employee, skill=negotiation, level=None, is_strength=False, wants_to_develop=True)
    _suggestions_of(employee_client)

    StoryFactory(title="Bargaining with suppliers", skills=[negotiation])

    assert all("Bargaining with suppliers" in part for part in _suggestions_of(employee_client).values())


def test_suggestions_are_never_served_to_another_employee(client, employee, story, negotiation):
    self_assess(user=employee, skill=negotiation, level=None, is_strength=False, wants_to_develop=True)
    client.force_login(employee)
    assert all("Negotiating abroad" in part for part in _suggestions_of(client).values())

    client.force_login(UserFactory(username="olu"))

    assert not any("Negotiating abroad" in part for part in _suggestions_of(client).values())


def test_the_toolkit_page_serves_its_suggestions_from_the_cache(
    employee_client, employee, story, negotiation, django_assert_max_num_queries
):
    self_assess(user=employee, skill=negotiation, level=None, is_strength=False, wants_to_develop=True)
    with django_assert_max_num_queries(20) as cold:
        employee_client.get(reverse("reflection:dashboard"))
    with django_assert_max_num_queries(len(cold) - 3):  # the suggested stories, their skills, the matching skills
        response = employee_client.get(reverse("reflection:dashboard"))
    assert "Negotiating abroad" in response.content.decode()

"""Every page's SQL query count, pinned at two library sizes: it must not grow with the library."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from stories.models import CareerMove
from tests.conftest import image_bytes
from tests.factories import (
    CareerMoveFactory,
    FunctionFactory,
    LevelFactory,
    OpportunityFactory,
    SkillFactory,
    StoryFactory,
    StorytellerFactory,
    UserFactory,
)
from tests.reflection.factories import ObjectiveFactory, OpennessFactory

pytestmark = pytest.mark.django_db

# Each count includes the session and the user (2); the rest is the page's own. (Employees are not staff, so no
# permission queries: only staff can hold curation permissions.) Facets take three queries: people and formats in one,
# moves, skills (the stored counts, FacetCount and Skill.story_count, unless a skill or a search narrows the stories).
PAGES = {
    # 1 of them: "For you" (the employee's wanted and planned skills); 1 the opportunities for them (none here).
    "home": (lambda lib: "/", 9),
    "story list": (lambda lib: "/stories/", 6),
    "story list, filtered": (
        lambda lib: f"/stories/?skill={lib['skill'].slug}&function={lib['function'].slug}&format=video&move=lateral",
        8,
    ),
    "story list, page 2": (lambda lib: "/stories/?page=2", 6),
    # The story with its career moves, its skills and the user's collections (stories.selectors.with_page_lists), the
    # visit the reflection toolkit records (a read, and its INSERT the first time), its save/reflect bar (1), the
    # related stories with their skills (stories.selectors.story_details), the opportunities with their skills
    # (for_cards: a card's skills come with it).
    "video story": (lambda lib: lib["video"].get_absolute_url(), 8),
    "text story": (lambda lib: lib["text"].get_absolute_url(), 8),
    "storyteller": (lambda lib: lib["video"].storyteller.get_absolute_url(), 4),
    "skills tree": (lambda lib: "/skills/", 5),  # the top level, then it and its children
    "skill": (lambda lib: lib["skill"].get_absolute_url(), 9),  # + its opportunities, their skills read with them
    # every match ranked once, their facets, the page's cards; the matching opportunities with their skills' names
    "search": (lambda lib: "/search/?q=career", 9),
    # the opportunities with their skills' names (1), the count, whether the employee manages anyone, the functions
    "opportunities": (lambda lib: "/opportunities/", 6),
    # + the skill and function named
    "opportunities, filtered": (
        lambda lib: (
            f"/opportunities/?skill={lib['skill'].slug}&function={lib['function'].slug}&kind=secondment"
            "&remote=on&q=treasury"
        ),
        8,
    ),
    "opportunities, page 2": (lambda lib: "/opportunities/?page=2", 6),
    # the opportunity with its function and poster, its skills, the employee's interest
    "opportunity": (lambda lib: lib["opportunity"].get_absolute_url(), 5),
    "conversation guide": (lambda lib: "/guide/", 10),
    "story media": (lambda lib: reverse("stories:media", args=[lib["video"].slug]), 3),
    "portrait": (lambda lib: reverse("stories:portrait", args=[lib["video"].storyteller.slug, 160]), 3),
}


def build_library(size: int) -> dict:
    functions = [FunctionFactory() for _ in range(4)]
    levels = [LevelFactory() for _ in range(3)]
    skills = [SkillFactory() for _ in range(max(8, size // 2))]
    storytellers = [
        StorytellerFactory(function=functions[i % 4], level=levels[i % 3], portrait_renditions=_renditions())
        for i in range(max(3, size // 3))
    ]
    stories = []
    for i in range(size):
        traits = {"video": True} if i % 3 == 0 else {"podcast": True} if i % 3 == 1 else {}
        story = StoryFactory(
            storyteller=storytellers[i % len(storytellers)],
            skills=[skills[i % len(skills)], skills[(i + 1) % len(skills)], skills[0]],
            featured=i < 4,
            **traits,
        )
        CareerMoveFactory(story=story, kind=CareerMove.Kind.LATERAL, from_function=functions[0])
        CareerMoveFactory(story=story, kind=CareerMove.Kind.PROMOTION, to_function=functions[1])
        stories.append(story)
    opportunities = [
        OpportunityFactory(
            skills=[skills[i % len(skills)], skills[0]],
            function=functions[0],
            remote=True,
            title=f"A career secondment {i}",
        )
        for i in range(max(3, size // 2))
    ]
    OpportunityFactory(skills=[skills[0]], closes_on=datetime.date(2020, 1, 1))  # closed: shows nowhere
    return {
        "opportunity": opportunities[0],
        "skill": skills[0],
        "function": functions[0],
        "video": stories[0],
        "text": stories[2],
    }


def _renditions() -> dict:
    name = "renditions/portrait-160.webp"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(image_bytes((160, 160), "WEBP")))
    return {"160": {"name": name, "width": 160, "height": 160}}


@pytest.mark.parametrize("size", [5, 60])
@pytest.mark.parametrize("page", list(PAGES))
def test_page_query_count_does_not_grow(employee_client, django_assert_num_queries, size, page):
    library = build_library(size)
    url_of, expected = PAGES[page]
    with django_assert_num_queries(expected):
        response = employee_client.get(url_of(library))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 60])
def test_a_story_page_reloaded_within_the_visit_gap_writes_nothing(employee_client, django_assert_num_queries, size):
    url = build_library(size)["video"].get_absolute_url()
    assert employee_client.get(url).status_code == 200  # the visit is recorded
    with django_assert_num_queries(7):  # the read of the visit, no write
        response = employee_client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 60])
def test_a_story_whose_storyteller_may_be_asked_adds_one_query(
    employee, employee_client, django_assert_num_queries, size
):
    """The ask form (reflection's story_ask tag): what the storyteller is open to with the places taken and the
    employee's open objectives to choose from (1)."""
    story = build_library(size)["text"]
    story.storyteller.account = UserFactory(username="teller")
    story.storyteller.save()
    OpennessFactory(owner=story.storyteller.account)
    ObjectiveFactory(owner=employee, title="Lead a team", target_date=datetime.date(2030, 1, 1))
    ObjectiveFactory(owner=employee, title="Learn SQL", target_date=None)
    with django_assert_num_queries(PAGES["text story"][1] + 1):
        response = employee_client.get(story.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ask Storyteller for a conversation" in page
    assert page.index("Lead a team") < page.index("Learn SQL")  # the undated objective last

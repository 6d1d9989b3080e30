""" "For you" (reflection.selectors.suggested_stories): skills the employee wants or plans, then colleagues where they
are in the directory (the storyteller's function and level are theirs)."""

import datetime

import pytest
from django.utils import timezone

from reflection.selectors import suggested_stories
from reflection.services import self_assess
from stories.models import Story
from tests.factories import (
    FunctionFactory,
    LevelFactory,
    ProfileFactory,
    SkillFactory,
    StoryFactory,
    StorytellerFactory,
    UserFactory,
)
from tests.reflection.factories import StoryVisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return {"sales": FunctionFactory(name="Sales"), "professional": LevelFactory(name="Professional")}


@pytest.fixture
def erin(place):
    return ProfileFactory(user=UserFactory(username="erin"), function=place["sales"], level=place["professional"]).user


def told_by(function, level, title: str, **kwargs):
    return StoryFactory(title=title, storyteller=StorytellerFactory(function=function, level=level), **kwargs)


def test_stories_of_colleagues_where_you_are_are_suggested_with_the_reason(erin, place):
    told_by(place["sales"], place["professional"], "Where Erin is")
    told_by(place["sales"], LevelFactory(name="Director"), "Sales, but higher")
    told_by(FunctionFactory(name="Finance"), place["professional"], "Another function")
    seen = told_by(place["sales"], place["professional"], "Explored already")
    StoryVisitFactory(owner=erin, story=seen)

    suggested = suggested_stories(erin)

    assert [story.title for story in suggested] == ["Where Erin is"]
    assert suggested[0].reason == "A colleague where you are: Professional in Sales"


def test_stories_for_skills_you_want_come_before_those_of_colleagues_where_you_are(erin, place):
    skill = SkillFactory(name="Forecasting")
    self_assess(user=erin, skill=skill, level=None, is_strength=False, wants_to_develop=True)
    told_by(place["sales"], place["professional"], "Where Erin is")
    told_by(FunctionFactory(name="Finance"), LevelFactory(name="Director"), "A forecasting story", skills=[skill])

    suggested = suggested_stories(erin)

    assert [(story.title, story.reason) for story in suggested] == [
        ("A forecasting story", "Because you want to develop Forecasting"),
        ("Where Erin is", "A colleague where you are: Professional in Sales"),
    ]


def test_the_newest_of_each_kind_are_suggested_those_for_skills_first_and_each_story_once(erin, place):
    skill = SkillFactory(name="Forecasting")
    self_assess(user=erin, skill=skill, level=None, is_strength=False, wants_to_develop=True)
    days_ago = iter(range(100, 0, -1))

    def story(title: str, *, where_erin_is: bool, for_skill: bool):
        function, level = (
            (place["sales"], place["professional"]) if where_erin_is else (FunctionFactory(), LevelFactory())
        )
        published_at = timezone.now() - datetime.timedelta(days=next(days_ago))  # each newer than the one before
        return told_by(function, level, title, skills=[skill] if for_skill else [], published_at=published_at)

    for n in range(5):
        story(f"Skill {n}", where_erin_is=False, for_skill=True)
    for n in range(3):
        story(f"Colleague {n}", where_erin_is=True, for_skill=False)  # newer than every story for the skill
    assert [story.title for story in suggested_stories(erin, limit=4)] == ["Skill 4", "Skill 3", "Skill 2", "Skill 1"]

    for n in range(5):  # all explored
        StoryVisitFactory(owner=erin, story=Story.objects.get(title=f"Skill {n}"))
    story("Both", where_erin_is=True, for_skill=True)  # the newest of all: a colleague's story for the skill
    suggested = suggested_stories(erin, limit=4)
    assert [(story.title, story.reason[:7]) for story in suggested] == [
        ("Both", "Because"),
        ("Colleague 2", "A colle"),
        ("Colleague 1", "A colle"),
        ("Colleague 0", "A colle"),
    ]


def test_without_a_place_in_the_directory_nothing_is_suggested_by_it(place):
    told_by(place["sales"], place["professional"], "Where someone is")
    assert suggested_stories(UserFactory()) == []
    no_level = ProfileFactory(function=place["sales"]).user
    assert suggested_stories(no_level) == []


@pytest.mark.parametrize("stories", [2, 30])
def test_suggestions_take_two_queries_however_many_stories_match(django_assert_num_queries, erin, place, stories):
    for n in range(stories):
        told_by(place["sales"], place["professional"], f"Story {n}", skills=[SkillFactory()])
    with django_assert_num_queries(2):  # the stories with their storytellers, then their skills
        suggested = suggested_stories(erin, limit=4)
    assert len(suggested) == min(stories, 4)


def test_the_home_page_shows_colleagues_where_you_are_for_you(client, erin, place):
    told_by(place["sales"], place["professional"], "Where Erin is")
    client.force_login(erin)
    content = client.get("/").content.decode()
    for_you = content.split("For you</h2>")[1].split("</section>")[0]
    assert "Where Erin is" in for_you and "A colleague where you are: Professional in Sales" in for_you

"""HR insights: curators only, aggregates only, small counts masked, fixed queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reflection.models import Objective, Reflection, SavedStory, StoryVisit
from stories.models import Story
from tests.factories import FunctionFactory, LevelFactory, SkillFactory, StoryFactory, StorytellerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity():
    """One story explored by 7 people, another by 2 (one of them 'Zoe Quinn', who must never show)."""
    negotiation = SkillFactory(name="Negotiation")
    popular = StoryFactory(title="Popular story", skills=[negotiation])
    niche = StoryFactory(title="Niche story", skills=[SkillFactory(name="Courage")])
    people = [UserFactory(first_name="Zoe", last_name="Quinn", username="zoe")] + UserFactory.create_batch(6)
    for person in people:
        StoryVisit.objects.create(owner=person, story=popular)
    for person in people[:2]:
        StoryVisit.objects.create(owner=person, story=niche)
    SavedStory.objects.create(owner=people[0], story=niche)
    Reflection.objects.create(owner=people[0], story=niche, what_i_could_try="Ask for a secondment")
    objective = Objective.objects.create(owner=people[0], title="Secret objective of Zoe")
    objective.skills.set([negotiation])
    return {"popular": popular, "niche": niche}


def test_only_curators_see_insights(employee_client, curator_client, client, employee):
    for url in [reverse("insights:coverage"), reverse("insights:engagement")]:
        assert curator_client.get(url).status_code == 200
    client.force_login(employee)
    for url in [reverse("insights:coverage"), reverse("insights:engagement")]:
        assert client.get(url).status_code == 403


def test_engagement_masks_counts_below_the_threshold(curator_client, activity):
    response = curator_client.get(reverse("insights:engagement"))
    top = {title: str(count) for title, _, count in response.context["top_stories"]}
    assert top == {"Popular story": "7", "Niche story": "fewer than 5"}
    content = response.content.decode()
    assert "fewer than 5" in content
    # a masked count gives its bar nothing to show
    assert 'value="0"' in content


def test_no_insight_page_or_download_reveals_an_individual(curator_client, activity):
    pages = [
        reverse("insights:coverage"),
        reverse("insights:engagement"),
        *(f"{reverse('insights:engagement')}?download={table}" for table in ("stories", "skills", "trend")),
        *(f"{reverse('insights:coverage')}?download={table}" for table in ("grid", "skills", "formats", "moves")),
    ]
    for url in pages:
        content = curator_client.get(url).content.decode()
        for private in ["Zoe", "Quinn", "zoe@example.com", "Secret objective", "Ask for a secondment"]:
            assert private not in content, (url, private)


def test_engagement_by_skill_counts_people_and_plans(curator_client, activity):
    response = curator_client.get(f"{reverse('insights:engagement')}?download=skills")
    rows = response.content.decode().splitlines()
    assert rows[0] == "skill,people who explored,people who saved,reflections,objectives"
    assert "Negotiation,7,fewer than 5,fewer than 5,fewer than 5" in rows


def test_period_limits_engagement(curator_client, activity):
    StoryVisit.objects.update(last_visited_at=timezone.now() - datetime.timedelta(days=200))
    assert curator_client.get(f"{reverse('insights:engagement')}?days=90").context["top_stories"] == []
    assert len(curator_client.get(f"{reverse('insights:engagement')}?days=365").context["top_stories"]) == 2
    assert curator_client.get(f"{reverse('insights:engagement')}?days=bogus").context["period"] == "90"


def test_coverage_grid_counts_storytellers_and_published_stories(curator_client):
    finance, director = FunctionFactory(name="Finance"), LevelFactory(name="Director")
    teller = StorytellerFactory(function=finance, level=director)
    StoryFactory.create_batch(2, storyteller=teller)
    StoryFactory(storyteller=teller, status=Story.Status.DRAFT)
    response = curator_client.get(f"{reverse('insights:coverage')}?download=grid")
    assert "Director,Finance,1,2" in response.content.decode().splitlines()


@pytest.mark.parametrize("people", [3, 60])
def test_insight_pages_keep_their_query_counts(curator_client, django_assert_num_queries, people):
    stories = StoryFactory.create_batch(5, skills=[SkillFactory()])
    for person in UserFactory.create_batch(people):
        StoryVisit.objects.bulk_create([StoryVisit(owner=person, story=story) for story in stories])
    with django_assert_num_queries(13):
        curator_client.get(reverse("insights:coverage"))
    with django_assert_num_queries(13):
        curator_client.get(reverse("insights:engagement"))

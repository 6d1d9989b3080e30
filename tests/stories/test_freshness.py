"""Every change shows at once on every page that shows it, and nothing personal is shared."""

import re

import pytest
from django.urls import reverse

from reflection.services import story_save
from skills.services import skill_merge
from stories.models import CareerMove, Story
from stories.services import story_transition, storyteller_withdraw_consent
from tests.factories import CareerMoveFactory, SkillFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def negotiation(db):
    return SkillFactory(name="Negotiation")


@pytest.fixture
def story(negotiation):
    story = StoryFactory(title="From the shop floor to buying", skills=[negotiation], video=True)
    CareerMoveFactory(story=story, kind=CareerMove.Kind.LATERAL, to_role="Buyer")
    return story


def _pages(story: Story, skill) -> list[str]:
    return ["/", "/stories/", f"/stories/?skill={skill.slug}", "/search/?q=buying", skill.get_absolute_url()]


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _without_tokens(html: str) -> str:
    """The page less what differs on every request by design: CSRF tokens and CSP nonces."""
    return re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"', "", html)


def test_a_newly_published_story_shows_at_once_on_every_page_that_lists_stories(
    employee_client, story, negotiation, curator
):
    draft = StoryFactory(title="Buying abroad", status=Story.Status.IN_REVIEW, skills=[negotiation], featured=True)
    for url in _pages(story, negotiation):
        assert "Buying abroad" not in _html(employee_client, url), url

    story_transition(story=draft, to=Story.Status.PUBLISHED, by=curator)

    for url in _pages(story, negotiation):
        assert "Buying abroad" in _html(employee_client, url), url


def test_an_archived_story_leaves_the_pages(employee_client, story, negotiation, curator):
    for url in _pages(story, negotiation):
        assert "From the shop floor to buying" in _html(employee_client, url), url
    assert "From the shop floor to buying" in _html(employee_client, story.get_absolute_url())

    story_transition(story=story, to=Story.Status.ARCHIVED, by=curator)

    for url in _pages(story, negotiation):
        assert "From the shop floor to buying" not in _html(employee_client, url), url
    assert employee_client.get(story.get_absolute_url()).status_code == 404


def test_a_curator_previews_a_draft_and_its_edits_at_once(client, story, curator):
    client.force_login(curator)
    story_transition(story=story, to=Story.Status.ARCHIVED, by=curator)
    assert "Preview." in _html(client, story.get_absolute_url())

    story.title = "From the shop floor to procurement"
    story.save()

    assert "From the shop floor to procurement" in _html(client, story.get_absolute_url())


def test_withdrawn_consent_removes_the_storytellers_stories_from_the_pages(employee_client, story, negotiation):
    assert "From the shop floor to buying" in _html(employee_client, "/stories/")

    storyteller_withdraw_consent(storyteller=story.storyteller)

    assert "From the shop floor to buying" not in _html(employee_client, "/stories/")


def test_an_edited_move_and_a_merged_skill_show_on_the_story_page(employee_client, story, negotiation):
    assert "Negotiation" in _html(employee_client, story.get_absolute_url())
    move = story.moves.get()
    move.to_role = "Category buyer"
    move.save(update_fields=["to_role"])
    skill_merge(source=negotiation, target=SkillFactory(name="Bargaining"))

    html = _html(employee_client, story.get_absolute_url())

    assert "Category buyer" in html
    assert "Bargaining" in html
    assert ">Negotiation<" not in html


def test_an_edited_title_shows_at_once_on_the_story_page_and_its_link_preview(employee_client, story):
    _html(employee_client, story.get_absolute_url())
    story.title = "From the shop floor to category buying"
    story.save(update_fields=["title"])

    html = _html(employee_client, f"{story.get_absolute_url()}?t=7")

    assert "<h1>From the shop floor to category buying</h1>" in html
    assert '<meta property="og:title" content="From the shop floor to category buying">' in html
    # The preview names the story itself, whatever the link it was opened from.
    assert f'<meta property="og:url" content="http://testserver{story.get_absolute_url()}">' in html


def test_the_personal_parts_of_a_page_stay_personal(client, story):
    first, second = UserFactory(username="ada", first_name="Ada"), UserFactory(username="ben", first_name="Ben")
    story_save(user=first, story=story, saved=True)

    client.force_login(first)
    as_first = _html(client, story.get_absolute_url())
    client.force_login(second)
    as_second = _html(client, story.get_absolute_url())

    assert "Saved ✓" in as_first and "Ada" in as_first
    assert "Saved ✓" not in as_second and "Save for later" in as_second
    assert "Ben" in as_second and "Ada" not in as_second


def test_a_shared_moment_is_not_served_as_the_plain_page(employee_client, story):
    _html(employee_client, story.get_absolute_url())

    html = _html(employee_client, f"{story.get_absolute_url()}?t=7")

    assert 'data-start="7"' in html


def test_other_filters_show_their_own_stories(employee_client, story, negotiation):
    StoryFactory(title="Leading a warehouse team")
    assert "Leading a warehouse team" in _html(employee_client, "/stories/")

    filtered = _html(employee_client, f"/stories/?skill={negotiation.slug}")

    assert "Leading a warehouse team" not in filtered
    assert "From the shop floor to buying" in filtered
    assert reverse("stories:list") in filtered

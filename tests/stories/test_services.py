import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Count, Q

from skills.models import Skill
from skills.services import skill_merge
from stories import services
from stories.models import Story
from tests.factories import SkillFactory, StoryFactory, StorytellerFactory

pytestmark = pytest.mark.django_db


def test_a_draft_goes_through_review_to_published_and_archived(db):
    story = StoryFactory(status=Story.Status.DRAFT, published_at=None, skills=[SkillFactory()])
    for status in (Story.Status.IN_REVIEW, Story.Status.PUBLISHED, Story.Status.ARCHIVED):
        services.story_transition(story=story, to=status)
        story.refresh_from_db()
        assert story.status == status
    assert story.published_at is not None


def test_an_archived_story_cannot_go_to_review(db):
    story = StoryFactory(status=Story.Status.ARCHIVED)
    with pytest.raises(ValidationError, match="cannot move to in review"):
        services.story_transition(story=story, to=Story.Status.IN_REVIEW)
    story.refresh_from_db()
    assert story.status == Story.Status.ARCHIVED


def test_publishing_needs_consent_skills_and_captions(db):
    story = StoryFactory(
        status=Story.Status.DRAFT,
        video=True,
        captions=None,
        storyteller=StorytellerFactory(consent_given_on=None),
    )
    with pytest.raises(ValidationError) as error:
        services.story_transition(story=story, to=Story.Status.PUBLISHED)
    assert error.value.messages == [
        f"{story.storyteller} has not given consent (or has withdrawn it).",
        "Video and podcast stories need a captions file (WebVTT).",
        "Tag the story with at least one skill or strength.",
    ]
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT


def test_withdrawing_consent_unpublishes_the_storytellers_stories(db):
    storyteller = StorytellerFactory()
    published = StoryFactory.create_batch(2, storyteller=storyteller)
    archived = StoryFactory(storyteller=storyteller, status=Story.Status.ARCHIVED)
    other = StoryFactory()

    count = services.storyteller_withdraw_consent(storyteller=storyteller, on=datetime.date(2026, 11, 1))

    assert count == 2
    assert {story.status for story in Story.objects.filter(pk__in=[s.pk for s in published])} == {"draft"}
    archived.refresh_from_db()
    other.refresh_from_db()
    assert (archived.status, other.status) == (Story.Status.ARCHIVED, Story.Status.PUBLISHED)
    storyteller.refresh_from_db()
    assert storyteller.consent_withdrawn_on == datetime.date(2026, 11, 1)
    assert not storyteller.has_consent


def stored_and_fresh_counts() -> tuple[dict, dict]:
    fresh = dict(
        Skill.objects.annotate(
            n=Count("tagged_stories", filter=Q(tagged_stories__content_object__status=Story.Status.PUBLISHED))
        ).values_list("pk", "n")
    )
    return dict(Skill.objects.values_list("pk", "story_count")), fresh


def test_each_skills_story_count_follows_every_kind_of_change(db):
    negotiation, coaching, python = SkillFactory.create_batch(3)
    story = StoryFactory(status=Story.Status.DRAFT, published_at=None, skills=[negotiation, coaching])
    other = StoryFactory(skills=[negotiation])
    changes = {
        "publish": lambda: services.story_transition(story=story, to=Story.Status.PUBLISHED),
        "tag added": lambda: story.skills.add(python),
        "tag removed": lambda: story.skills.remove(coaching),
        "tags set": lambda: story.skills.set([coaching, python]),
        "archive": lambda: services.story_transition(story=story, to=Story.Status.ARCHIVED),
        "republish": lambda: services.story_transition(story=story, to=Story.Status.PUBLISHED),
        "merge": lambda: skill_merge(source=coaching, target=negotiation),
        "consent withdrawn": lambda: services.storyteller_withdraw_consent(storyteller=other.storyteller),
        "tags cleared": lambda: story.skills.clear(),
        "story created": lambda: StoryFactory(skills=[python]),
        "story deleted": lambda: story.delete(),
    }
    for change, apply in changes.items():
        apply()
        stored, fresh = stored_and_fresh_counts()
        assert stored == fresh, change


def test_rebuilding_the_search_index_recounts_the_skills_stories(db):
    skill = SkillFactory()
    StoryFactory.create_batch(2, skills=[skill])
    Skill.objects.update(story_count=0)  # as after raw SQL, or a restored dump

    call_command("rebuild_search_index", stdout=io.StringIO())

    skill.refresh_from_db()
    assert skill.story_count == 2

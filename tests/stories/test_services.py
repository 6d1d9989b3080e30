import datetime
import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from careerportal.roles import curator_set
from skills.models import Skill
from skills.services import skill_merge
from stories import selectors, services
from stories.models import CareerMove, FacetCount, Story, StoryEvent
from tests.factories import (
    CareerMoveFactory,
    FunctionFactory,
    SkillFactory,
    StoryFactory,
    StorytellerFactory,
    UserFactory,
)

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
        status=Story.Status.IN_REVIEW,
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
    assert story.status == Story.Status.IN_REVIEW


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


def test_a_draft_cannot_skip_review(db):
    story = StoryFactory(status=Story.Status.DRAFT, published_at=None, skills=[SkillFactory()])
    with pytest.raises(ValidationError, match="draft: it cannot move to published"):
        services.story_transition(story=story, to=Story.Status.PUBLISHED)
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT


def curators(*usernames: str) -> list:
    users = [UserFactory(username=username) for username in usernames]
    for user in users:
        curator_set(user=user, curator=True)
    return users


def edited_in_review(by) -> Story:
    story = StoryFactory(status=Story.Status.IN_REVIEW, published_at=None, skills=[SkillFactory()])
    services.story_event_record(story=story, action=StoryEvent.Action.EDITED, by=by, changed_fields=["title"])
    return story


def test_a_curator_cannot_publish_what_they_edited_last_when_another_curator_can_review(db):
    hana, omar = curators("hana", "omar")
    story = edited_in_review(by=hana)
    with pytest.raises(ValidationError, match="another curator reviews and publishes it"):
        services.story_transition(story=story, to=Story.Status.PUBLISHED, by=hana)
    story.refresh_from_db()
    assert story.status == Story.Status.IN_REVIEW
    services.story_transition(story=story, to=Story.Status.PUBLISHED, by=omar)
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED


def test_the_last_edit_counts_not_the_first(db):
    hana, omar = curators("hana", "omar")
    story = edited_in_review(by=hana)
    services.story_event_record(story=story, action=StoryEvent.Action.EDITED, by=omar, changed_fields=["summary"])
    services.story_transition(story=story, to=Story.Status.PUBLISHED, by=hana)
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED


def test_the_only_curator_publishes_what_they_edited(db):
    (hana,) = curators("hana")
    UserFactory(username="former", is_staff=False)  # not a curator: does not count
    story = edited_in_review(by=hana)
    assert "Reviewed by another curator" not in [
        check.name for check in services.story_publication_checks(story, by=hana)
    ]
    services.story_transition(story=story, to=Story.Status.PUBLISHED, by=hana)
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED


def test_a_second_curator_is_not_needed_when_the_setting_is_off(db, settings):
    settings.PORTAL_PUBLISH_NEEDS_SECOND_CURATOR = False
    hana, _omar = curators("hana", "omar")
    story = edited_in_review(by=hana)
    services.story_transition(story=story, to=Story.Status.PUBLISHED, by=hana)
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED


def test_the_checklist_is_the_rule_publishing_uses(db):
    hana, _omar = curators("hana", "omar")
    story = edited_in_review(by=hana)
    story.skills.clear()
    checks = {check.name: check for check in services.story_publication_checks(story, by=hana)}
    assert [name for name, check in checks.items() if not check.met] == [
        "Skills",
        "Poster",
        "Reviewed by another curator",
    ]
    assert services.story_publication_problems(story, by=hana) == [
        checks["Skills"].problem,
        checks["Reviewed by another curator"].problem,
    ]


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

    def publish() -> None:  # through review, as every story goes
        for status in (Story.Status.DRAFT, Story.Status.IN_REVIEW, Story.Status.PUBLISHED):
            story.refresh_from_db()
            if story.status != status:
                services.story_transition(story=story, to=status)

    changes = {
        "publish": publish,
        "tag added": lambda: story.skills.add(python),
        "tag removed": lambda: story.skills.remove(coaching),
        "tags set": lambda: story.skills.set([coaching, python]),
        "archive": lambda: services.story_transition(story=story, to=Story.Status.ARCHIVED),
        "republish": publish,
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


def _facets_counted_afresh() -> dict:
    """The filters' options as the stored counts give them, and as counting every published story gives them."""
    stored = {name: options for name, options in selectors.story_facets({}).items() if name != "skill"}
    everything = Story.objects.published().values("pk")  # a search matching every story: counted afresh
    counted = selectors.story_facets({}, within=everything)
    return stored, {name: options for name, options in counted.items() if name != "skill"}


def test_the_filters_counts_follow_every_change_to_stories_storytellers_and_moves(db):
    finance, sales = FunctionFactory(name="Finance"), FunctionFactory(name="Sales")
    teller = StorytellerFactory(function=finance)
    story = StoryFactory(storyteller=teller, video=True)
    other = StoryFactory(storyteller=StorytellerFactory(function=sales))
    move = CareerMoveFactory(story=story, kind=CareerMove.Kind.LATERAL)
    changes = [
        lambda: CareerMoveFactory(story=other, kind=CareerMove.Kind.LATERAL),
        lambda: setattr(move, "kind", CareerMove.Kind.PROMOTION) or move.save(),
        lambda: setattr(teller, "function", sales) or teller.save(),
        lambda: setattr(story, "format", Story.Format.TEXT) or story.save(),
        lambda: Story.objects.filter(pk=other.pk).first().moves.first().delete(),
        lambda: StoryFactory(storyteller=teller, status=Story.Status.DRAFT, published_at=None),
        lambda: services.storyteller_withdraw_consent(storyteller=teller),
        lambda: other.delete(),
    ]
    for change in changes:
        change()
        stored, counted = _facets_counted_afresh()
        assert stored == counted
    assert selectors.move_kind_counts() == []
    assert not FacetCount.objects.exclude(stories=0).exists()


def test_a_story_saved_moves_only_the_counts_of_its_own_filters(db):
    finance, sales = FunctionFactory(name="Finance"), FunctionFactory(name="Sales")
    story = StoryFactory(storyteller=StorytellerFactory(function=finance))
    StoryFactory(storyteller=StorytellerFactory(function=sales))
    FacetCount.objects.filter(function=sales).update(stories=7)  # another cell, as a wrong count left by raw SQL

    story.format = Story.Format.PODCAST
    story.save()

    counts = FacetCount.objects.filter(move="").values_list("function__name").annotate(n=Sum("stories")).order_by()
    assert dict(counts) == {"Finance": 1, "Sales": 7}  # the other cell left as it was: not recounted whole


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_of_one_story_and_of_others_in_its_cell_count_each_once():
    teller = StorytellerFactory(function=FunctionFactory(name="Finance"))
    story, *others = (StoryFactory(storyteller=teller, status=Story.Status.DRAFT, published_at=None) for _ in range(4))
    started = threading.Barrier(2 + len(others))

    def publish_and_hold() -> None:  # the first change holds its transaction open while the others begin
        with transaction.atomic():
            mine = Story.objects.get(pk=story.pk)
            mine.status = Story.Status.PUBLISHED
            mine.save(update_fields=["status"])
            started.wait()
            time.sleep(0.3)

    def change_format() -> None:
        started.wait()
        with transaction.atomic():
            mine = Story.objects.get(pk=story.pk)
            mine.format = Story.Format.PODCAST
            mine.save(update_fields=["format"])

    def publish(other_pk: int) -> None:
        started.wait()
        with transaction.atomic():
            other = Story.objects.get(pk=other_pk)
            other.status = Story.Status.PUBLISHED
            other.format = Story.Format.PODCAST
            other.save(update_fields=["status", "format"])

    def run(work, *args) -> None:
        try:
            work(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2 + len(others)) as pool:
        futures = [pool.submit(run, publish_and_hold), pool.submit(run, change_format)]
        futures += [pool.submit(run, publish, other.pk) for other in others]
        for future in futures:
            future.result(timeout=60)

    stored, counted = _facets_counted_afresh()
    assert stored == counted
    assert [(option.value, option.count) for option in stored["format"]] == [("podcast", 4)]


def test_rebuild_search_index_recounts_the_filters_after_raw_sql(db):
    story = StoryFactory(storyteller=StorytellerFactory(function=FunctionFactory(name="Finance")))
    Story.objects.filter(pk=story.pk).update(format=Story.Format.PODCAST)  # no signal, as raw SQL
    assert _facets_counted_afresh()[0] != _facets_counted_afresh()[1]

    call_command("rebuild_search_index", stdout=io.StringIO())

    stored, counted = _facets_counted_afresh()
    assert stored == counted and [option.value for option in stored["format"]] == ["podcast"]

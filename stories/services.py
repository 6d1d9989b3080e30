"""Writes that touch several models or have side effects: the story workflow, consent, pictures."""

import datetime
import secrets
from collections import Counter
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from careerportal.models import Notification
from careerportal.notifications import notify
from careerportal.roles import curator_count, is_curator
from skills.models import Skill
from stories.images import build_renditions
from stories.models import (
    Collection,
    CollectionItem,
    CollectionShare,
    FacetCount,
    Opportunity,
    OpportunityEvent,
    Story,
    StoryEvent,
    StorySearchDocument,
    Storyteller,
    TaggedStory,
)
from stories.signals import storyteller_unavailable
from stories.validators import parse_webvtt_cues

# The workflow: which status each transition leads to, and from which statuses it may start. Nothing is published
# without review: an archived story goes back to draft, then through review again.
TRANSITIONS = {
    Story.Status.IN_REVIEW: {Story.Status.DRAFT},
    Story.Status.PUBLISHED: {Story.Status.IN_REVIEW},
    Story.Status.ARCHIVED: {Story.Status.PUBLISHED, Story.Status.DRAFT, Story.Status.IN_REVIEW},
    Story.Status.DRAFT: {Story.Status.IN_REVIEW, Story.Status.ARCHIVED, Story.Status.PUBLISHED},
}


def skill_story_counts_update(*, skills: QuerySet | None = None) -> int:
    """Recounts the published stories of `skills` (default: every skill) into Skill.story_count, in one UPDATE.

    The receivers in stories.signals call it for the skills a change touches (a story saved, a tag added or removed,
    a story deleted, skills merged); rebuild_search_index recounts them all. Returns how many skills it recounted.
    """
    published = (
        TaggedStory.objects.filter(tag=OuterRef("pk"), content_object__status=Story.Status.PUBLISHED)
        .order_by()
        .values("tag")
        .annotate(n=Count("pk"))
        .values("n")
    )
    skills = Skill.objects.all() if skills is None else skills
    return skills.update(story_count=Coalesce(Subquery(published), 0))


FacetCell = tuple[int, int, str, str]  # (function id, level id, format, kind of move or "" for the stories)


def _facet_cells(stories: QuerySet) -> Counter[FacetCell]:
    """How many of `stories` that are published count in each FacetCount cell: for each function, level and format,
    its stories and, for each kind of move, those with such a move."""
    published = stories.filter(status=Story.Status.PUBLISHED).order_by()
    people = ("storyteller__function", "storyteller__level", "format")
    cells: Counter[FacetCell] = Counter()
    for counts in (
        published.values_list(*people).annotate(move=Value(""), n=Count("pk")),
        published.filter(moves__isnull=False)
        .values_list(*people, "moves__kind")
        .annotate(n=Count("pk", distinct=True)),
    ):
        for function, level, story_format, move, n in counts:
            cells[function, level, story_format, move or ""] += n
    return cells


def facet_counts_update() -> None:
    """Recounts FacetCount whole from the published stories, after changes that bypass the receivers (bulk writes,
    raw SQL: rebuild_search_index). Its first write waits for any other recount to commit, so that this one counts
    after it."""
    FacetCount.objects.update(stories=0)
    FacetCount.objects.bulk_create(
        [
            FacetCount(function_id=function, level_id=level, format=story_format, move=move, stories=n)
            for (function, level, story_format, move), n in _facet_cells(Story.objects.all()).items()
        ],
        update_conflicts=True,
        unique_fields=["function", "level", "format", "move"],
        update_fields=["stories"],
    )


def facet_cells_locked(stories: QuerySet) -> Counter[FacetCell]:
    """The FacetCount cells `stories` count in now, their rows locked until the transaction ends: read before a
    change to them (and after it, by facet_counts_move), so that a concurrent change of the same stories waits for
    this one to commit and then reads what it left."""
    if transaction.get_connection().in_atomic_block:  # outside one (a script's lone save) nothing could wait
        list(stories.select_for_update().order_by("pk").values_list("pk", flat=True))
    return _facet_cells(stories)


def facet_counts_move(*, stories: QuerySet, before: Counter[FacetCell]) -> None:
    """Moves FacetCount by the change to `stories` alone: their cells now, less `before` (facet_cells_locked's
    reading before the change). Each count is moved by an UPDATE that adds to it, so concurrent changes to other
    stories in the same cells add up; a cell's row stays when its count falls to 0 (pages show counts above 0)."""
    delta = _facet_cells(stories)
    delta.subtract(before)
    moved = {cell: n for cell, n in delta.items() if n}
    FacetCount.objects.bulk_create(
        [FacetCount(function_id=f, level_id=lv, format=fm, move=mv, stories=0) for f, lv, fm, mv in moved],
        ignore_conflicts=True,
    )
    for (function, level, story_format, move), n in moved.items():
        FacetCount.objects.filter(function=function, level=level, format=story_format, move=move).update(
            stories=F("stories") + n
        )


class PublicationCheck(NamedTuple):
    """One thing publishing looks at: whether the story meets it, and where a curator fixes it."""

    name: str  # what is checked, as the checklist shows it
    field: str  # the form field (of the story, or "consent": the storyteller's) that fixes it; "" for none
    met: bool
    problem: str  # why publishing is refused while it is not met
    required: bool = True  # False: recommended, publishing goes ahead without it


def story_last_editor_id(story: Story) -> int | None:
    """Who last created or edited the story, from the audit trail (None: the system, or nobody recorded)."""
    edit = story.events.filter(action__in=[StoryEvent.Action.CREATED, StoryEvent.Action.EDITED]).first()
    return edit.actor_id if edit else None


def story_publication_checks(story: Story, *, by=None) -> list[PublicationCheck]:
    """Everything publishing checks, met or not: the one rule behind both the refusal to publish and the checklist
    on the story's admin page. `by` is who would publish (None: the system, which needs no second curator)."""
    media = story.format != Story.Format.TEXT
    kind = story.get_format_display().lower()
    checks = [
        PublicationCheck(
            "Consent",
            "consent",
            story.storyteller.has_consent,
            f"{story.storyteller} has not given consent (or has withdrawn it).",
        )
    ]
    if media:
        checks += [
            PublicationCheck("Media file", "media", bool(story.media), f"A {kind} story needs its media file."),
            PublicationCheck(
                "Captions", "captions", bool(story.captions), "Video and podcast stories need a captions file (WebVTT)."
            ),
            PublicationCheck(
                "Transcript",
                "transcript",
                bool(story.transcript.strip()),
                "Video and podcast stories need a transcript.",
            ),
        ]
    else:
        checks.append(PublicationCheck("Text", "body", bool(story.body.strip()), "A text story needs its text."))
    checks += [
        PublicationCheck(
            "Skills", "skills", story.skills.exists(), "Tag the story with at least one skill or strength."
        ),
        PublicationCheck(
            "Poster",
            "poster",
            bool(story.poster),
            "recommended; without one, cards and link previews show the storyteller's portrait.",
            required=False,
        ),
    ]
    needs_second_curator = settings.PORTAL_PUBLISH_NEEDS_SECOND_CURATOR and by is not None and by.is_authenticated
    if needs_second_curator and curator_count() > 1:  # a curator on their own reviews their own edits
        checks.append(
            PublicationCheck(
                "Reviewed by another curator",
                "",
                story_last_editor_id(story) != by.pk,
                "You edited this story last: another curator reviews and publishes it.",
            )
        )
    return checks


def story_publication_problems(story: Story, *, by=None) -> list[str]:
    """What stops a story from being published, in words a curator can act on."""
    return [check.problem for check in story_publication_checks(story, by=by) if check.required and not check.met]


@transaction.atomic
def story_transition(*, story: Story, to: Story.Status, by=None) -> Story:
    """Moves a story through draft → in review → published → archived, refusing what the workflow forbids.

    Whoever publishes (`by`) must not be who edited the story last, unless they are the only curator
    (PORTAL_PUBLISH_NEEDS_SECOND_CURATOR turns this off); the system (`by=None`) publishes what passes the checks.
    """
    story = Story.objects.select_for_update().select_related("storyteller").get(pk=story.pk)
    if story.status == to:
        return story
    if story.status not in TRANSITIONS[to]:
        raise ValidationError(
            f"“{story}” is {story.get_status_display().lower()}: it cannot move to {Story.Status(to).label.lower()}."
        )
    if to == Story.Status.PUBLISHED:
        problems = story_publication_problems(story, by=by)
        if problems:
            raise ValidationError(problems)
        if story.published_at is None:
            story.published_at = timezone.now()
    story.status = to
    story.save(update_fields=["status", "published_at", "updated_at"])
    story_event_record(story=story, action=TRANSITION_EVENTS[to], by=by)
    return story


TRANSITION_EVENTS = {
    Story.Status.IN_REVIEW: StoryEvent.Action.SUBMITTED,
    Story.Status.PUBLISHED: StoryEvent.Action.PUBLISHED,
    Story.Status.ARCHIVED: StoryEvent.Action.ARCHIVED,
    Story.Status.DRAFT: StoryEvent.Action.RETURNED_TO_DRAFT,
}


def story_event_record(*, story: Story, action: StoryEvent.Action, by=None, changed_fields=()) -> StoryEvent:
    """Adds a line to the audit trail; `by` is the user who acted (None: the system)."""
    actor = by if by is not None and by.is_authenticated else None
    return StoryEvent.objects.create(
        story=story,
        story_title=story.title[:200],
        action=action,
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        changed_fields=sorted(changed_fields),
    )


@transaction.atomic
def storyteller_withdraw_consent(*, storyteller: Storyteller, on: datetime.date | None = None, by=None) -> int:
    """Records the withdrawal of consent and unpublishes the storyteller's stories; returns how many."""
    storyteller.consent_withdrawn_on = on or timezone.localdate()
    storyteller.save(update_fields=["consent_withdrawn_on"])
    published = list(storyteller.stories.published())
    stories = Story.objects.filter(pk__in=[story.pk for story in published])
    before = facet_cells_locked(stories)
    StorySearchDocument.objects.filter(story__in=published).delete()
    stories.update(status=Story.Status.DRAFT, updated_at=timezone.now())
    skill_story_counts_update(skills=Skill.objects.filter(tagged_stories__content_object__in=published))
    facet_counts_move(stories=stories, before=before)
    for story in published:
        story_event_record(story=story, action=StoryEvent.Action.CONSENT_WITHDRAWN, by=by)
    if storyteller.account_id:
        storyteller_unavailable.send(
            sender=Storyteller,
            storyteller=storyteller,
            account=storyteller.account,
            reason=f"{storyteller.name} can no longer take requests from their stories.",
        )
    return len(published)


def storyteller_account_unlinked(*, storyteller: Storyteller, account) -> None:
    """Curators took `account` off the storyteller (or linked another): colleagues can no longer ask it as them."""
    storyteller_unavailable.send(
        sender=Storyteller,
        storyteller=storyteller,
        account=account,
        reason=f"{storyteller.name} can no longer take requests from their stories.",
    )


def storyteller_update_portrait(*, storyteller: Storyteller) -> None:
    """Resizes the portrait once into WebP widths; pages serve those, never the upload itself."""
    old = storyteller.portrait_renditions
    storyteller.portrait_renditions = (
        build_renditions(storyteller.portrait, prefix=f"portrait-{storyteller.slug}", old=old)
        if storyteller.portrait
        else {}
    )
    storyteller.save(update_fields=["portrait_renditions"])


def story_update_cues(*, story: Story) -> None:
    """Keeps the transcript's timing (from the captions) for moment links in search and the transcript."""
    if story.captions:
        with story.captions.open("rb") as captions:
            text = captions.read().decode("utf-8-sig", errors="replace")
        story.transcript_cues = [[round(start, 3), round(end, 3), cue] for start, end, cue in parse_webvtt_cues(text)]
    else:
        story.transcript_cues = []
    story.save(update_fields=["transcript_cues"])


def story_update_poster(*, story: Story) -> None:
    old = story.poster_renditions
    story.poster_renditions = (
        build_renditions(story.poster, prefix=f"poster-{story.slug}", old=old) if story.poster else {}
    )
    story.save(update_fields=["poster_renditions"])


# Collections.


@transaction.atomic
def collection_add_story(*, collection: Collection, story: Story, note: str = "") -> CollectionItem:
    """Adds a story at the end (or updates its note if it is there already)."""
    item = collection.items.filter(story=story).first()
    if item:
        if note:
            item.note = note
            item.save(update_fields=["note"])
        return item
    last = collection.items.aggregate(last=Max("position"))["last"]
    item = CollectionItem.objects.create(collection=collection, story=story, note=note, position=(last or 0) + 1)
    collection.save(update_fields=["updated_at"])
    return item


@transaction.atomic
def collection_move_item(*, item: CollectionItem, by: int) -> None:
    """Moves an item up (by=-1) or down (by=1), renumbering the collection 1..n."""
    items = list(item.collection.items.select_for_update().order_by("position", "id"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = min(max(index + by, 0), len(items) - 1)
    items.insert(target, items.pop(index))
    for position, other in enumerate(items, start=1):
        other.position = position
    CollectionItem.objects.bulk_update(items, ["position"])


@transaction.atomic
def collection_link_sharing(*, collection: Collection, on: bool) -> Collection:
    """Turns link sharing on with a new key (also how the owner makes a new link: the old one stops working) or off.

    Off also takes the collection off the home page: only a collection its owner shares by link can be featured.
    """
    collection.link_key = secrets.token_urlsafe(24) if on else None
    if not on:
        collection.is_featured = False
    collection.save(update_fields=["link_key", "is_featured"])
    return collection


@transaction.atomic
def collection_share(*, collection: Collection, user, by) -> bool:
    """Shares the collection with a colleague (it then shows under their "Shared with me"); tells them in their inbox.

    The item leads to the collection's own address, without its link key: the share is what lets them in.
    """
    _, created = CollectionShare.objects.get_or_create(collection=collection, user=user)
    if created:
        notify(
            recipient=user,
            kind=Notification.Kind.SHARE,
            text=f"{by.get_full_name() or by.get_username()} shared the collection “{collection}” with you",
            url=collection.get_absolute_url(),
            actor=by,
        )
    return created


# Opportunities: posted by managers and curators, opened by a curator when review is required, filled or withdrawn by
# their poster (or a curator).


def opportunity_event_record(
    *, opportunity: Opportunity, action: OpportunityEvent.Action, by=None, changed_fields=()
) -> OpportunityEvent:
    """Adds a line to the opportunities' audit trail; `by` is the user who acted (None: the system)."""
    actor = by if by is not None and by.is_authenticated else None
    return OpportunityEvent.objects.create(
        opportunity=opportunity,
        opportunity_title=opportunity.title[:200],
        action=action,
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        changed_fields=sorted(changed_fields),
    )


@transaction.atomic
def opportunity_save(*, opportunity: Opportunity, skills, by, changed_fields=()) -> Opportunity:
    """Posts a new opportunity (by its poster) or saves an edited one, with its skills (existing skills only).

    A new one opens at once when a curator posts it or review is not required (PORTAL_OPPORTUNITIES_NEED_REVIEW);
    otherwise it waits for a curator. An edit keeps its state."""
    new = opportunity.pk is None
    if new:
        review = settings.PORTAL_OPPORTUNITIES_NEED_REVIEW and not is_curator(by)
        opportunity.state = Opportunity.State.PENDING_REVIEW if review else Opportunity.State.OPEN
    opportunity.full_clean()
    opportunity.save()
    opportunity.skills.set(list(skills))
    action = OpportunityEvent.Action.POSTED if new else OpportunityEvent.Action.EDITED
    opportunity_event_record(opportunity=opportunity, action=action, by=by, changed_fields=changed_fields)
    if new and opportunity.state == Opportunity.State.OPEN:
        opportunity_event_record(opportunity=opportunity, action=OpportunityEvent.Action.OPENED, by=by)
    return opportunity


# Which state each change leads to, and from which states it may start.
OPPORTUNITY_TRANSITIONS = {
    Opportunity.State.OPEN: {Opportunity.State.PENDING_REVIEW},
    Opportunity.State.FILLED: {Opportunity.State.OPEN},
    Opportunity.State.WITHDRAWN: {Opportunity.State.PENDING_REVIEW, Opportunity.State.OPEN},
}


@transaction.atomic
def opportunity_set_state(*, opportunity: Opportunity, state: Opportunity.State, by) -> None:
    """Opens (a curator, after review), fills or withdraws an opportunity. ValidationError from any other state;
    the row is locked, so two changes at once apply one after the other."""
    current = Opportunity.objects.select_for_update().values_list("state", flat=True).get(pk=opportunity.pk)
    if current not in OPPORTUNITY_TRANSITIONS[state]:
        raise ValidationError(
            f"An opportunity that is {Opportunity.State(current).label.lower()} cannot be "
            f"{Opportunity.State(state).label.lower()}."
        )
    opportunity.state = state
    opportunity.save(update_fields=["state", "updated_at"])
    action = OpportunityEvent.Action.OPENED if state == Opportunity.State.OPEN else OpportunityEvent.Action(state)
    opportunity_event_record(opportunity=opportunity, action=action, by=by)

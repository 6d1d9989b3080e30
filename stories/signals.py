"""Events that stories emits for apps that build on it (stories itself imports none of them), and its own
receivers for derived data.

story_viewed: sent by the story page each time a logged-in user opens a published story.
    Arguments: story (stories.Story), user (the request's user). The reflection toolkit records explored stories.

home_suggestions: sent by the home page to ask for stories and opportunities suggested to the user, which it shows
    first ("For you").
    Arguments: user. Each receiver returns two lists: published stories and visible opportunities, each read for
    cards (for_cards()) and with `reason`, the words that say why. The sections below leave those stories out: each
    story shows once.

storyteller_unavailable: sent when colleagues can no longer ask a storyteller's account as that storyteller: consent
    withdrawn (stories.services.storyteller_withdraw_consent) or the account taken off them in the admin
    (stories.services.storyteller_account_unlinked). Sent inside the change's transaction.
    Arguments: storyteller (stories.Storyteller), account (the user), reason (one plain sentence for the people who
    had asked). The reflection toolkit closes their open requests.
"""

from django.db.models import Q, QuerySet
from django.dispatch import Signal

story_viewed = Signal()
home_suggestions = Signal()
storyteller_unavailable = Signal()


def on_migrated(sender, **kwargs) -> None:
    from careerportal.roles import curators_group_ensure

    curators_group_ensure()


def on_story_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    from skills.models import Skill
    from stories.search import document_update
    from stories.services import skill_story_counts_update

    if not raw:
        document_update(instance)
        skill_story_counts_update(skills=Skill.objects.filter(tagged_stories__content_object=instance))


def on_tags_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    from skills.models import Skill
    from stories.models import Story
    from stories.search import document_update
    from stories.services import skill_story_counts_update

    if raw:
        return
    skill_story_counts_update(skills=Skill.objects.filter(pk=instance.tag_id))
    origin = kwargs.get("origin")
    if getattr(origin, "model", type(origin)) is Story:
        return  # the story itself is being deleted: its document goes with it
    story = Story.objects.filter(pk=instance.content_object_id).select_related("storyteller").first()
    if story is not None:
        document_update(story)


def on_storyteller_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    from stories.search import document_update

    if not raw:
        for story in instance.stories.published():
            document_update(story)


def _facet_stories(instance) -> QuerySet:
    """The stories whose facets a change to `instance` (a story, its storyteller or one of its career moves) may move;
    for a career move, the story it belongs to now and the one it belonged to before."""
    from stories.models import CareerMove, Story, Storyteller

    if isinstance(instance, Storyteller):
        return Story.objects.filter(storyteller_id=instance.pk) if instance.pk else Story.objects.none()
    if isinstance(instance, CareerMove):
        before = CareerMove.objects.filter(pk=instance.pk).values("story_id")
        return Story.objects.filter(Q(pk=instance.story_id) | Q(pk__in=before))
    return Story.objects.filter(pk=instance.pk) if instance.pk else Story.objects.none()


def _is_cascade_of_a_story(instance, origin) -> bool:
    """A career move deleted with its story: the story's own change counts it."""
    from stories.models import CareerMove, Story

    return isinstance(instance, CareerMove) and getattr(origin, "model", type(origin)) is Story


def on_facets_changing(sender, instance, raw: bool = False, origin=None, **kwargs) -> None:
    """Before a story, its storyteller or a career move is saved or deleted: the cells its stories count in."""
    from stories.services import facet_cells_locked

    if not raw and not _is_cascade_of_a_story(instance, origin):
        instance._facet_cells_before = facet_cells_locked(_facet_stories(instance))


def on_facets_changed(sender, instance, raw: bool = False, origin=None, **kwargs) -> None:
    """After it: the counts move by what the change did to these stories alone (FacetCount)."""
    from stories.services import facet_counts_move

    if not raw and not _is_cascade_of_a_story(instance, origin):
        facet_counts_move(stories=_facet_stories(instance), before=instance.__dict__.pop("_facet_cells_before"))


def on_skills_renamed(sender, skill_ids: set[int], **kwargs) -> None:
    """An import or merge renamed skills: the stories they tag are found by their new names and counted anew."""
    from skills.models import Skill
    from stories.models import Story
    from stories.search import documents_rebuild
    from stories.services import skill_story_counts_update

    documents_rebuild(Story.objects.filter(tagged_skills__tag_id__in=skill_ids).distinct())
    skill_story_counts_update(skills=Skill.objects.filter(pk__in=skill_ids))  # a merge moves stories between them

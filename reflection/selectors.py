"""Reads of the toolkit: always scoped to one owner, in a fixed number of queries."""

import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from reflection.models import Action, Objective, ObjectiveComment, PlanShare, SelfAssessment, StoryVisit
from skills.models import Skill
from stories.models import Story, TaggedStory


def latest_assessments(user):
    """Each skill's most recent assessment by the user."""
    latest = (
        SelfAssessment.objects.filter(owner=user, skill=OuterRef("skill"))
        .order_by("-assessed_at", "-id")
        .values("pk")[:1]
    )
    return SelfAssessment.objects.filter(owner=user, pk=Subquery(latest)).select_related("skill")


def suggested_stories(user, *, limit: int = 6) -> list[Story]:
    """Published stories showing skills the user wants to develop or plans to build, not yet explored; each
    with `reason`, the words that explain why it is suggested."""
    wanted = set(latest_assessments(user).filter(wants_to_develop=True).values_list("skill_id", flat=True))
    planned = set(
        Objective.objects.filter(owner=user, status__in=Objective.OPEN, skills__isnull=False).values_list(
            "skills", flat=True
        )
    )
    if not wanted | planned:
        return []
    skills = Skill.objects.taggable().filter(pk__in=wanted | planned)
    explored = StoryVisit.objects.filter(owner=user, story=OuterRef("pk"))
    matching = TaggedStory.objects.filter(content_object=OuterRef("pk"), tag__in=skills)
    stories = list(
        Story.objects.published()
        .filter(Exists(matching))
        .exclude(Exists(explored))
        .for_cards()
        .prefetch_related(
            Prefetch(
                "tagged_skills",
                queryset=TaggedStory.objects.filter(tag__in=skills).select_related("tag"),
                to_attr="matching_tags",
            )
        )[:limit]
    )
    for story in stories:
        tags = [tagged.tag for tagged in story.matching_tags]
        names = " and ".join(tag.name for tag in tags if tag.pk in wanted)
        story.reason = (
            f"Because you want to develop {names}"
            if names
            else f"Because your plan builds {' and '.join(tag.name for tag in tags)}"
        )
    return stories


def objectives_for_plan(owner):
    """The owner's objectives with everything the plan pages show."""
    return Objective.objects.for_owner(owner).prefetch_related(
        "skills",
        "stories",
        "actions",
        Prefetch("comments", queryset=ObjectiveComment.objects.select_related("author")),
    )


def due_actions(user, *, within_days: int = 30):
    until = timezone.localdate() + datetime.timedelta(days=within_days)
    return (
        Action.objects.filter(objective__owner=user, done_at__isnull=True, objective__status__in=Objective.OPEN)
        .filter(Q(due_date__lte=until))
        .select_related("objective")
        .order_by("due_date", "id")
    )


def plan_progress(user) -> dict:
    """Objectives by status and the share of actions done, in two queries."""
    by_status = dict(Objective.objects.for_owner(user).values_list("status").annotate(n=Count("id")).order_by())
    actions = Action.objects.filter(objective__owner=user).aggregate(
        total=Count("id"), done=Count("id", filter=Q(done_at__isnull=False))
    )
    return {
        "statuses": [(label, by_status.get(value, 0)) for value, label in Objective.Status.choices],
        "actions_total": actions["total"],
        "actions_done": actions["done"],
        "percent_done": round(100 * actions["done"] / actions["total"]) if actions["total"] else 0,
    }


def owners_sharing_with(user):
    """Colleagues whose plan the user may read now."""
    return (
        PlanShare.objects.active()
        .filter(shared_with=user)
        .select_related("owner")
        .annotate(objectives=Count("owner__objectives"))
    )

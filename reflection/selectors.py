"""Reads of the toolkit: always scoped to one owner, in a fixed number of queries."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Prefetch, Q, StringAgg, Subquery, Value
from django.utils import timezone

from reflection.models import (
    Action,
    Objective,
    ObjectiveComment,
    OpportunityInterest,
    PlanShare,
    Reflection,
    SavedStory,
    SelfAssessment,
    StoryVisit,
)
from skills.models import Skill
from stories.models import Opportunity, Story, TaggedOpportunity, TaggedStory


def latest_assessments(user):
    """Each skill's most recent assessment by the user."""
    latest = (
        SelfAssessment.objects.filter(owner=user, skill=OuterRef("skill"))
        .order_by("-assessed_at", "-id")
        .values("pk")[:1]
    )
    return SelfAssessment.objects.filter(owner=user, pk=Subquery(latest)).select_related("skill")


_NAMES_APART = "\x1f"  # the ASCII unit separator: in no skill's name


def _skill_names(skills, *, tagged=TaggedStory) -> Subquery:
    """The names of a story's (or, with `tagged`, an opportunity's) skills among `skills`, in one string (see
    `_in_words`)."""
    return Subquery(
        tagged.objects.filter(content_object=OuterRef("pk"), tag__in=skills)
        .values("content_object")
        .annotate(names=StringAgg("tag__name", Value(_NAMES_APART)))
        .values("names")
    )


def _in_words(names: str) -> str:
    """The names in alphabetical order, joined with "and" (not every SQLite can order an aggregate)."""
    return " and ".join(sorted(names.split(_NAMES_APART)))


def _skills_sought(user):
    """The skills the user wants to develop (their self-assessment) and those their open objectives build, as
    subqueries: (wanted, both)."""
    wanted = Skill.objects.taggable().filter(
        pk__in=latest_assessments(user).filter(wants_to_develop=True).values("skill")
    )
    planned = Objective.objects.filter(owner=user, status__in=Objective.OPEN, skills__isnull=False).values("skills")
    return wanted, Skill.objects.taggable().filter(Q(pk__in=wanted) | Q(pk__in=planned))


def _reason(item) -> str:
    if item.wanted_names:
        return f"Because you want to develop {_in_words(item.wanted_names)}"
    return f"Because your plan builds {_in_words(item.matching_names)}"


def suggested_stories(user, *, limit: int = 6) -> list[Story]:
    """Published stories showing skills the user wants to develop or plans to build, not yet explored; each
    with `reason`, the words that explain why it is suggested. Those skills stay subqueries, so it takes the stories'
    query and its skills' prefetch, and a single query when there is nothing to suggest."""
    wanted, skills = _skills_sought(user)
    explored = StoryVisit.objects.filter(owner=user, story=OuterRef("pk"))
    matching = TaggedStory.objects.filter(content_object=OuterRef("pk"), tag__in=skills)
    stories = list(
        Story.objects.published()
        .filter(Exists(matching))
        .exclude(Exists(explored))
        .annotate(wanted_names=_skill_names(wanted), matching_names=_skill_names(skills))
        .for_cards()[:limit]
    )
    for story in stories:
        story.reason = _reason(story)
    return stories


def suggested_opportunities(user, *, limit: int = 3) -> list[Opportunity]:
    """Visible opportunities tagged with skills the user wants to develop or plans to build (not their own), the ones
    closing soonest first, each with `reason`: one query and its skills' prefetch, one query when there is none."""
    wanted, skills = _skills_sought(user)
    matching = TaggedOpportunity.objects.filter(content_object=OuterRef("pk"), tag__in=skills)
    opportunities = list(
        Opportunity.objects.visible()
        .filter(Exists(matching))
        .exclude(poster=user)
        .annotate(
            wanted_names=_skill_names(wanted, tagged=TaggedOpportunity),
            matching_names=_skill_names(skills, tagged=TaggedOpportunity),
        )
        .for_cards()
        .order_by("closes_on", "-created_at")[:limit]
    )
    for opportunity in opportunities:
        opportunity.reason = _reason(opportunity)
    return opportunities


def opportunity_interested(opportunity: Opportunity) -> list[OpportunityInterest]:
    """For its poster: the people interested in the opportunity, what each sent, and whether their plan is shared
    with the poster now (they may have stopped sharing it since), in one query."""
    shared = PlanShare.objects.active().filter(owner=OuterRef("owner"), shared_with=opportunity.poster_id)
    return list(
        OpportunityInterest.objects.filter(opportunity=opportunity)
        .select_related("owner")
        .annotate(plan_shared_now=Exists(shared))
    )


def on_home_suggestions(sender, user, **kwargs) -> list[Story]:
    """The home page's "For you" (stories.signals.home_suggestions)."""
    return suggested_stories(user, limit=4)


def story_toolkit(user, story, *, limit: int = 3) -> tuple[bool, list[Reflection]]:
    """Whether the user saved the story, and their latest reflections on it (each with only what the toolkit bar
    shows), in one query: the user's own row, outer-joined to those reflections, always comes back."""
    rows = list(
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            saved=Exists(SavedStory.objects.filter(owner=OuterRef("pk"), story=story)),
            on_story=FilteredRelation("reflections", condition=Q(reflections__story=story)),
        )
        .order_by(F("on_story__updated_at").desc(), F("on_story__id").desc())
        .values_list("saved", "on_story__id", "on_story__title")[:limit]
    )
    saved = bool(rows) and rows[0][0]
    return saved, [Reflection(pk=pk, owner=user, story=story, title=title) for _, pk, title in rows if pk is not None]


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
    """Objectives by status and the share of actions done, in one query: objectives joined to their actions, so the
    objective counts are distinct."""
    counts = Objective.objects.for_owner(user).aggregate(
        **{f"status_{value}": Count("id", filter=Q(status=value), distinct=True) for value in Objective.Status.values},
        actions_total=Count("actions"),
        actions_done=Count("actions", filter=Q(actions__done_at__isnull=False)),
    )
    total, done = counts["actions_total"], counts["actions_done"]
    return {
        "statuses": [(label, counts[f"status_{value}"]) for value, label in Objective.Status.choices],
        "actions_total": total,
        "actions_done": done,
        "percent_done": round(100 * done / total) if total else 0,
    }


def owners_sharing_with(user):
    """Colleagues whose plan the user may read now."""
    return PlanShare.objects.active().filter(shared_with=user).select_related("owner")

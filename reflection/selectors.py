"""Reads of the toolkit: always scoped to one owner, in a fixed number of queries."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from careerportal.models import Profile
from careerportal.queries import listed, rows
from careerportal.roles import direct_reports
from reflection.models import (
    Action,
    ConversationRequest,
    Objective,
    ObjectiveComment,
    Openness,
    OpportunityInterest,
    PlanShare,
    Reflection,
    SavedStory,
    SelfAssessment,
    StoryVisit,
)
from skills.models import Skill
from stories.models import Opportunity, Story, Storyteller, TaggedOpportunity, TaggedStory


def latest_assessments(user):
    """Each skill's most recent assessment by the user."""
    latest = (
        SelfAssessment.objects.filter(owner=user, skill=OuterRef("skill"))
        .order_by("-assessed_at", "-id")
        .values("pk")[:1]
    )
    return SelfAssessment.objects.filter(owner=user, pk=Subquery(latest)).select_related("skill")


def skills_sought(user) -> tuple[set[int], set[int]]:
    """The ids of the skills the user wants to develop (their latest self-assessment says so) and of those their open
    objectives build: (wanted, planned), skills and strengths only, in one query."""
    wanted = (
        latest_assessments(user)
        .filter(Skill.taggable_rule(through="skill"), wants_to_develop=True)
        .annotate(is_wanted=Value(True))
        .values_list("skill", "is_wanted")
        .order_by()
    )
    planned = (
        Objective.objects.filter(Skill.taggable_rule(through="skills"), owner=user, status__in=Objective.OPEN)
        .annotate(is_wanted=Value(False))
        .values_list("skills", "is_wanted")
        .order_by()
    )
    found = list(wanted.union(planned).order_by())
    return {pk for pk, is_wanted in found if is_wanted}, {pk for pk, is_wanted in found if not is_wanted}


def _reason(skills: list, wanted: set[int], planned: set[int]) -> str:
    """Why a story or an opportunity is suggested: the names of its skills the user wants to develop, or else of
    those their plan builds, in alphabetical order."""
    names = sorted(skill.name for skill in skills if skill.pk in wanted)
    if names:
        return f"Because you want to develop {' and '.join(names)}"
    names = sorted(skill.name for skill in skills if skill.pk in planned)
    return f"Because your plan builds {' and '.join(names)}"


def suggested_stories(user, *, limit: int = 6, sought: tuple[set[int], set[int]] | None = None) -> list[Story]:
    """Published stories the user has not explored yet that show skills they want to develop or plan to build, then
    those told by colleagues where the user is in the directory (the storyteller's function and level are the user's
    own); each with `reason`, the words that explain why it is suggested. `sought`: skills_sought(user), if read
    already. The profile stays a subquery: the skills sought (unless given), then the stories with their skills."""
    wanted, planned = sought if sought is not None else skills_sought(user)
    profile = Profile.objects.filter(user=user)
    candidates = Story.objects.filter(
        storyteller__function__in=profile.values("function"), storyteller__level__in=profile.values("level")
    ).values("pk")
    by_skill = Value(False)
    if wanted or planned:
        tagged = TaggedStory.objects.filter(tag_id__in=wanted | planned).values("content_object")
        candidates = tagged.union(candidates)
        # One list of the sought skills' stories for all candidates: asking per candidate (EXISTS) searched the tag
        # index once for each sought skill, half of the query's time on SQLite.
        by_skill = Q(pk__in=tagged)
    # The candidates come through indexes (the sought skills' tags, the storytellers where the user is) and only the
    # chosen few are read as cards: asking every published story whether it matches took 25 ms for a thousand.
    best = (
        Story.objects.published()
        .filter(pk__in=candidates)
        .exclude(Exists(StoryVisit.objects.filter(owner=user, story=OuterRef("pk"))))
        .annotate(by_skill=by_skill)
        .order_by("-by_skill", *Story._meta.ordering)
        .values("pk")[:limit]
    )
    stories = list(Story.cards().filter(pk__in=best))  # newest first: Story's own order
    for story in stories:
        story.by_skill = any(skill.pk in wanted or skill.pk in planned for skill in story.skills_in_order)
        if story.by_skill:
            story.reason = _reason(story.skills_in_order, wanted, planned)
        else:
            teller = story.storyteller
            story.reason = f"A colleague where you are: {teller.level.name} in {teller.function.name}"
    return sorted(stories, key=lambda story: not story.by_skill)  # those by skill first, each part still newest first


def suggested_opportunities(
    user, *, limit: int = 3, sought: tuple[set[int], set[int]] | None = None
) -> list[Opportunity]:
    """Visible opportunities tagged with skills the user wants to develop or plans to build (not their own), the ones
    closing soonest first, each with `reason`. `sought`: skills_sought(user), if read already. One query, and one for
    the skills sought unless given; none when no skill is sought."""
    wanted, planned = sought if sought is not None else skills_sought(user)
    if not (wanted or planned):
        return []
    matching = TaggedOpportunity.objects.filter(content_object=OuterRef("pk"), tag_id__in=wanted | planned)
    opportunities = list(
        Opportunity.cards()
        .visible()
        .filter(Exists(matching))
        .exclude(poster=user)
        .order_by("closes_on", "-created_at")[:limit]
    )
    for opportunity in opportunities:
        opportunity.reason = _reason(opportunity.skills_in_order, wanted, planned)
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


def on_home_suggestions(sender, user, **kwargs) -> tuple[list[Story], list[Opportunity]]:
    """The home page's "For you" (stories.signals.home_suggestions): the skills sought are read once for both."""
    sought = skills_sought(user)
    return suggested_stories(user, limit=4, sought=sought), suggested_opportunities(user, sought=sought)


def _explored_rows(user, *, saved_only: bool):
    rows = (SavedStory if saved_only else StoryVisit).objects.for_owner(user)
    return rows.filter(story__status=Story.Status.PUBLISHED)


def explored(user, *, saved_only: bool = False, skill: Skill | None = None):
    """The user's explored (or, `saved_only`, saved) published stories, the latest first, each row with its story
    read for a card; with `skill`, those the skill tags."""
    rows = _explored_rows(user, saved_only=saved_only)
    if skill:
        rows = rows.filter(Exists(TaggedStory.objects.filter(content_object=OuterRef("story"), tag=skill)))
    return rows.prefetch_related(Prefetch("story", queryset=Story.cards()))


EXPLORED_SKILL_OPTIONS = 30


def explored_skills(user, *, saved_only: bool = False, chosen: Skill | None = None) -> list[Skill]:
    """The skills to filter the stories `explored` lists by (whatever the skill chosen): those that tag the most of
    them, at most EXPLORED_SKILL_OPTIONS, and the `chosen` one, by name. An employee who opened hundreds of stories
    would otherwise scroll through hundreds of skills (and download them with every page)."""
    stories = _explored_rows(user, saved_only=saved_only).values("story")
    commonest = (
        Skill.objects.filter(tagged_stories__content_object__in=stories)
        .annotate(stories=Count("tagged_stories"))
        .only("name", "slug")  # the options show no more
        .order_by("-stories", "name")[:EXPLORED_SKILL_OPTIONS]
    )
    skills = set(commonest) | ({chosen} if chosen else set())
    return sorted(skills, key=lambda skill: skill.name.casefold())


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


# What a list of the toolkit's rows reads of each one's story: a link by its title, never its text or transcript.
_LISTED = ("owner_id", "story__title", "story__slug")


def dashboard(user) -> dict:
    """What the toolkit's home (/me/) shows: actions due, the plan's progress, the latest reflections and stories
    opened, stories suggested, colleagues sharing their plan, and the user's own storyteller page if they have one."""
    return {
        "due": due_actions(user)[:8],
        "progress": plan_progress(user),
        "reflections": Reflection.objects.for_owner(user)
        .select_related("story")
        .only(*_LISTED, "title", "updated_at")[:4],
        "recent": StoryVisit.objects.for_owner(user).select_related("story").only(*_LISTED, "furthest_seconds")[:4],
        "suggested": suggested_stories(user),
        "shared_with_me": owners_sharing_with(user),
        "storyteller": Storyteller.objects.filter(account=user).only("name", "slug").first(),
    }


def skills_to_assess(user, *, limit: int = 12):
    """Skills of the stories the user opened that they have not assessed yet, by name: the assessment page offers
    them first."""
    opened = StoryVisit.objects.for_owner(user).values("story")
    # The skills come by id from the opened stories' tags, each once: joining the tags instead repeated a skill per
    # story, and removing the repeats sorted the whole rows, descriptions and all (three times as long on PostgreSQL).
    met = TaggedStory.objects.filter(content_object__in=opened).values("tag")
    return (
        Skill.objects.taggable()
        .filter(pk__in=met)
        .exclude(pk__in=SelfAssessment.objects.for_owner(user).values("skill"))
        .order_by("name")[:limit]
    )


def objective_choices(user, objective: Objective | None = None):
    """What an objective may link to: (skills, stories). Skills the user assessed or met in the stories they opened
    (taggable ones), stories they opened or saved (published ones), plus whatever the objective links to already."""
    assessed = SelfAssessment.objects.for_owner(user).values("skill")
    opened = StoryVisit.objects.for_owner(user).values("story")
    story_skills = TaggedStory.objects.filter(content_object__in=opened).values("tag")
    skills = Skill.objects.taggable().filter(Q(pk__in=assessed) | Q(pk__in=story_skills))
    stories = Story.objects.published().filter(
        Q(pk__in=opened) | Q(pk__in=SavedStory.objects.for_owner(user).values("story"))
    )
    if objective is not None and objective.pk:
        skills = skills | Skill.objects.filter(pk__in=objective.skills.values("pk"))
        stories = stories | Story.objects.filter(pk__in=objective.stories.values("pk"))
    return skills.distinct().order_by("name"), stories.distinct().order_by("title")


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


def team_for_manager(manager) -> list:
    """The manager's direct reports (as the directory says, careerportal.roles), each with only what that person
    chose to share with this manager: `shares_plan` (their plan, now) and `requests_to_me` (their conversation
    requests to them, with what each is about). Nothing else of anyone's toolkit. Four queries, however many reports.
    """
    requests = (
        ConversationRequest.objects.filter(colleague=manager).open_first().prefetch_related("objectives", "stories")
    )
    return list(
        direct_reports(manager)
        .select_related("profile")
        .annotate(shares_plan=Exists(PlanShare.objects.active().filter(owner=OuterRef("pk"), shared_with=manager)))
        .prefetch_related(Prefetch("conversation_requests", queryset=requests, to_attr="requests_to_me"))
        .order_by("last_name", "first_name", "username")
    )


# Asking a storyteller from their stories.


def askable_openness(storyteller: Storyteller):
    """The openness of the storyteller's account while colleagues may ask them: they consent, an account is linked to
    them and active (people who leave are deactivated, careerportal.directory), they are open to something and have
    not paused. Empty otherwise, with no query when no account is linked or consent is missing."""
    if storyteller.account_id is None or not storyteller.has_consent:
        return Openness.objects.none()
    open_to_something = Q(conversation=True) | Q(mentoring=True) | Q(shadowing=True)
    return (
        Openness.objects.filter(open_to_something, owner_id=storyteller.account_id, owner__is_active=True, paused=False)
        .exclude(owner__profile__left_on__isnull=False)
        .select_related("owner")
    )


def month_start() -> datetime.datetime:
    """The start of the current calendar month in the portal's time zone: places are counted from it."""
    return timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def asks_this_month(account):
    """The requests colleagues made of this account (a user or its id) from its stories this calendar month, but for
    those declined or withdrawn: each takes one of the places the storyteller offers a month."""
    return ConversationRequest.objects.filter(
        colleague=account, story__isnull=False, created_at__gte=month_start()
    ).exclude(state__in=[ConversationRequest.State.DECLINED, ConversationRequest.State.WITHDRAWN])


def open_asks_of(account):
    """The requests colleagues made of this account from its stories that are still open (awaiting an answer, or
    accepted and not yet held)."""
    return ConversationRequest.objects.filter(
        colleague=account, story__isnull=False, state__in=ConversationRequest.OPEN
    )


def story_ask(user, story: Story) -> dict | None:
    """What a story page offers `user` for asking its storyteller: None when the storyteller cannot be asked (or is
    the user); else their `openness` (with `taken`, the places taken this month, and `asked`, the user's open request
    to them, if any: one open request per pair) and the user's open objectives to choose from, in one query:
    `objective_choices` (pk, title) read with the openness, `objectives` to check an answer against. No query for a
    storyteller without an account."""
    if story.storyteller.account_id in (None, user.pk):
        return None
    taken = asks_this_month(OuterRef("owner")).order_by().values("colleague").annotate(n=Count("pk")).values("n")
    asked = ConversationRequest.objects.filter(
        owner=user, colleague=OuterRef("owner"), state__in=ConversationRequest.OPEN
    )
    objectives = Objective.objects.for_owner(user).filter(status__in=Objective.OPEN).only("pk", "title", "owner")
    openness = (
        askable_openness(story.storyteller)
        .annotate(
            taken=Coalesce(Subquery(taken), 0),
            asked=Subquery(asked.values("pk")[:1]),
            objective_rows=listed(objectives, "target_date", "id", "title", by="owner"),
        )
        .first()
    )
    if openness is None:
        return None
    full = openness.taken >= openness.monthly_limit
    # In the objectives' order (target date, the undated last, then id), read with the openness.
    listed_objectives = sorted(rows(openness.objective_rows), key=lambda row: (row[0] is None, row[0] or "", row[1]))
    return {
        "openness": openness,
        "full": full,
        "objectives": objectives,
        "objective_choices": [(pk, title) for _, pk, title in listed_objectives],
    }


def ask_label(storyteller, kinds: list[str]) -> str:
    """ "Ask Priya for a conversation", "… for a conversation or mentoring", "… for a conversation, mentoring or work
    shadowing"."""
    labels = [ConversationRequest.Kind(kind).label for kind in kinds]
    asked_for = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"
    return f"Ask {storyteller.name.split()[0]} for {asked_for}"

"""Reads behind the browsing pages: filtering, facet counts, related skills and stories."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, F, Model, OuterRef, Q, QuerySet, Sum

from careerportal.queries import listed, rows
from skills.models import Skill
from stories.models import (
    CareerMove,
    Collection,
    FacetCount,
    Function,
    Level,
    Opportunity,
    Story,
    TaggedOpportunity,
    TaggedStory,
)
from stories.search import opportunity_matching, parse

FACETS = ("skill", "function", "level", "format", "move")
# The skill box offers the most used skills as you open it; any other is a few letters away (typed or suggested).
SKILL_FACET_OPTIONS = 40
# Up to this many stories, a skill's stories are listed newest first from its tags (read them all, sort them); past it,
# by walking the published stories newest first (measured on SQLite: the two cost the same at 40-50 stories).
LISTED_FROM_TAGS_UP_TO = 40


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int | None  # None: not counted (facet_options)
    selected: bool


def _tagged_with(skills, *, listing: int | None = None) -> Q:
    """Stories tagged with the skill (or any of the skills), found from the skills' tags (tagged_story_tag_story_idx):
    the way to count them, and to list them when they are few. To list newest first the stories of skills that tag
    more (`listing`: how many they tag), the filter asks of each story, through the index from a story to its skills,
    instead: the database walks the published stories' index and stops at the page's last, where reading every tagged
    story to sort them costs hundreds of row reads; for a rare skill, asking each story walks every published one."""
    tags = [skills] if isinstance(skills, Skill) else skills
    if listing is not None and listing > LISTED_FROM_TAGS_UP_TO:
        return Q(Exists(TaggedStory.objects.filter(tag__in=tags, content_object=OuterRef("pk"))))
    return Q(pk__in=TaggedStory.objects.filter(tag__in=tags).values("content_object"))


def filter_stories(
    stories: QuerySet, filters: dict, *, skip: str | tuple[str, ...] = (), reading_all: bool = False
) -> QuerySet:
    """Applies the chosen filters (cleaned values from StoryFilterForm), all but those named in `skip`, to list a page
    of the stories newest first or, `reading_all`, to read every story left (to count them, or to keep their ids)."""
    skip = (skip,) if isinstance(skip, str) else skip
    chosen = {name: value for name, value in filters.items() if value and name not in skip}
    if "skill" in chosen:
        skill = chosen["skill"]
        stories = stories.filter(_tagged_with(skill, listing=None if reading_all else skill.story_count))
    if "function" in chosen:
        stories = stories.filter(storyteller__function=chosen["function"])
    if "level" in chosen:
        stories = stories.filter(storyteller__level=chosen["level"])
    if "format" in chosen:
        stories = stories.filter(format=chosen["format"])
    if "move" in chosen:
        stories = stories.filter(Exists(CareerMove.objects.filter(story=OuterRef("pk"), kind=chosen["move"])))
    return stories


_CHOICE_LABELS = {"format": dict(Story.Format.choices), "move": dict(CareerMove.Kind.choices)}


def chosen_filter(name: str, value) -> tuple[str, str]:
    """A filter value cleaned by StoryFilterForm as the query string spells it and as a person reads it: a skill,
    function or level by its slug and name, a format or kind of move by its choice."""
    if isinstance(value, Model):
        return value.slug, value.name
    return value, _CHOICE_LABELS[name][value]


def _options(rows, chosen: tuple[str, str] | None = None) -> list[FacetOption]:
    selected, label = chosen or (None, "")
    options = [FacetOption(value, text, count, value == selected) for value, text, count in rows]
    if selected and not any(option.selected for option in options):
        # The current choice stays visible (with 0) so it can be seen and cleared.
        options.insert(0, FacetOption(selected, label, 0, True))
    return options


def story_facets(filters: dict, *, within: QuerySet | None = None) -> dict[str, list[FacetOption]]:
    """For each filter, its options with how many published stories (all, or those `within`, a query of story ids such
    as a search's matches) each would leave given the other filters.

    Three queries, none reading a story's row. Unless a skill or a search narrows the stories, functions, levels,
    formats and kinds of move add up their stored counts (FacetCount) and skills read theirs (Skill.story_count).
    Otherwise the narrowed stories are counted: functions, levels and formats in one count per (function, level,
    format) over the covering index story_status_teller_format_idx, kinds of move over career_move_story_kind_idx.
    """
    stories = Story.objects.published() if within is None else Story.objects.published().filter(pk__in=within)
    people = ("function", "level", "format")
    # The chosen values, as (slug or value, label); the skill box shows the chosen skill itself, not as an option.
    picked = {name: chosen_filter(name, value) for name, value in filters.items() if value and name != "skill"}
    chosen = {name: picked[name][0] for name in people if name in picked}
    if within is None and not filters.get("skill"):
        stored = FacetCount.objects.filter(stories__gt=0).values_list(
            "function__slug",
            "function__name",
            "function__position",
            "level__slug",
            "level__name",
            "level__rank",
            "format",
        )
        rows = stored.filter(move=filters.get("move") or "").annotate(n=F("stories"))
        move_counts = dict(
            FacetCount.objects.filter(stories__gt=0)
            .exclude(move="")
            .filter(**{name: filters[name] for name in people if filters.get(name)})
            .values_list("move")
            .annotate(n=Sum("stories"))
            .order_by()
        )
    else:
        rows = (
            filter_stories(stories, filters, skip=people, reading_all=True)
            .values_list(
                "storyteller__function__slug",
                "storyteller__function__name",
                "storyteller__function__position",
                "storyteller__level__slug",
                "storyteller__level__name",
                "storyteller__level__rank",
                "format",
            )
            .annotate(n=Count("pk"))
            .order_by()
        )
        move_counts = dict(
            CareerMove.objects.filter(
                story__in=filter_stories(stories, filters, skip="move", reading_all=True).values("pk")
            )
            .values_list("kind")
            .annotate(n=Count("story", distinct=True))
            .order_by()
        )
    counts: dict[str, dict[tuple, int]] = {name: {} for name in people}
    for function, function_name, position, level, level_name, rank, story_format, n in rows:
        values = {"function": function, "level": level, "format": story_format}
        options = {
            "function": (position, function_name, function),
            "level": (rank, level_name, level),
            "format": (story_format,),
        }
        for name in people:
            # A facet counts the stories that the other two filters leave.
            if all(chosen.get(other) in (None, values[other]) for other in people if other != name):
                counts[name][options[name]] = counts[name].get(options[name], 0) + n
    format_counts = {key[0]: n for key, n in counts["format"].items()}
    return {
        "skill": _options(_skill_rows(stories, filters, narrowed=within is not None)),
        "function": _options(
            [(slug, name, n) for (_, name, slug), n in sorted(counts["function"].items())], picked.get("function")
        ),
        "level": _options(
            [(slug, name, n) for (_, name, slug), n in sorted(counts["level"].items())], picked.get("level")
        ),
        "format": _options(
            [(v, label, format_counts[v]) for v, label in Story.Format.choices if v in format_counts],
            picked.get("format"),
        ),
        "move": _options(
            [(v, label, move_counts[v]) for v, label in CareerMove.Kind.choices if v in move_counts], picked.get("move")
        ),
    }


def _skill_rows(stories: QuerySet, filters: dict, *, narrowed: bool) -> QuerySet | list[tuple[str, str, int]]:
    """The most used skills, with how many stories each would leave given the other filters: each skill's stored count
    when nothing but the skill filter narrows the published stories, else counted over the stories left."""
    if not narrowed and not any(value for name, value in filters.items() if name != "skill"):
        return (
            Skill.objects.filter(is_retired=False, story_count__gt=0)
            .values_list("slug", "name", "story_count")
            .order_by("-story_count", "name")[:SKILL_FACET_OPTIONS]
        )
    # Counted per tag first, then only the counted skills are read: joining every tag row to its skill before
    # counting read a skill's row (with its description) per tag row, 20 ms for a search's thousands of stories.
    left, params = (
        filter_stories(stories, filters, skip="skill", reading_all=True).order_by().values("pk").query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.slug, s.name, c.n FROM (SELECT tag_id, COUNT(*) AS n FROM {TaggedStory._meta.db_table} "
            f"WHERE content_object_id IN ({left}) GROUP BY tag_id) c JOIN {Skill._meta.db_table} s ON s.id = c.tag_id "
            "WHERE s.is_retired = %s ORDER BY c.n DESC, s.name LIMIT %s",
            [*params, False, SKILL_FACET_OPTIONS],
        )
        return cursor.fetchall()


def facet_options(filters: dict) -> dict[str, list[FacetOption]]:
    """Each filter's options, uncounted: for a search whose matches are too many to count per option on every request
    (an index lookup per match and filter: 28 ms for 4,800 matches on SQLite). Three small queries: functions, levels
    and the most used skills (from their stored counts)."""

    def uncounted(pairs) -> list[tuple[str, str, None]]:
        return [(value, label, None) for value, label in pairs]

    picked = {name: chosen_filter(name, value) for name, value in filters.items() if value and name != "skill"}
    skills = Skill.objects.filter(is_retired=False, story_count__gt=0).order_by("-story_count", "name")
    return {
        "skill": _options(uncounted(skills.values_list("slug", "name")[:SKILL_FACET_OPTIONS]), None),
        "function": _options(uncounted(Function.objects.values_list("slug", "name")), picked.get("function")),
        "level": _options(uncounted(Level.objects.values_list("slug", "name")), picked.get("level")),
        "format": _options(uncounted(Story.Format.choices), picked.get("format")),
        "move": _options(uncounted(CareerMove.Kind.choices), picked.get("move")),
    }


def facets_total(facets: dict[str, list[FacetOption]]) -> int:
    """How many stories the filters leave: each story has one format, so the format facet has counted them all."""
    formats = facets["format"]
    chosen = [option for option in formats if option.selected]
    return sum(option.count for option in chosen or formats)


def related_skills(skill: Skill, *, limit: int = 12) -> QuerySet:
    """Skills that appear on the same published stories as `skill`, the most shared first."""
    stories = TaggedStory.objects.filter(tag=skill, content_object__status=Story.Status.PUBLISHED).values(
        "content_object"
    )
    return (
        Skill.objects.filter(tagged_stories__content_object__in=stories, is_retired=False)
        .exclude(pk=skill.pk)
        .annotate(shared=Count("tagged_stories"))
        .order_by("-shared", "name")[:limit]
    )


def related_stories(story: Story, *, limit: int = 3) -> QuerySet:
    """The `limit` other published stories sharing the most skills with `story` (the newest first among equals), as
    cards in Story's own order, newest first: `story_details` puts the ones sharing most first.

    It starts from the story's own tags: the other stories' rows for those tags come through the tag index
    (tagged_story_tag_story_idx), and only the `limit` best are read as cards.
    """
    skills = TaggedStory.objects.filter(content_object=story).values("tag")
    best = (
        TaggedStory.objects.filter(tag__in=skills, content_object__status=Story.Status.PUBLISHED)
        .exclude(content_object=story)
        .values("content_object")
        .annotate(shared=Count("*"))
        .order_by("-shared", "-content_object__published_at", "-content_object")
        .values("content_object")[:limit]
    )
    return Story.cards().filter(pk__in=best)


PAGE_SKILL_FIELDS = ("tag__kind", "tag__name", "tag__slug", "tag__is_retired", "tag_id")
MOVE_FIELDS = ("position", "id", "kind", "year", "from_role", "from_function__name", "to_role", "to_function__name")


def with_page_lists(stories: QuerySet, *, user) -> QuerySet:
    """The stories with what a story page lists beside the story, read with it (careerportal.queries): its career
    moves and skills (`story_details`) and the user's collections to add it to (`page_collections`)."""
    return stories.annotate(
        move_rows=listed(CareerMove.objects.filter(story=OuterRef("pk")), *MOVE_FIELDS, by="story"),
        page_skill_rows=listed(
            TaggedStory.objects.filter(content_object=OuterRef("pk")), *PAGE_SKILL_FIELDS, by="content_object"
        ),
        collection_rows=listed(Collection.objects.filter(owner=user), "updated_at", "id", "title", by="owner"),
    )


def _moves(story: Story) -> list[CareerMove]:
    """The story's career moves, in order, from `with_page_lists`."""
    moves = []
    for _, pk, kind, year, from_role, from_function, to_role, to_function in sorted(rows(story.move_rows)):
        move = CareerMove(pk=pk, story=story, kind=kind, year=year, from_role=from_role, to_role=to_role)
        move.from_function = Function(name=from_function) if from_function else None
        move.to_function = Function(name=to_function) if to_function else None
        moves.append(move)
    return moves


def _skills(story: Story) -> list[Skill]:
    """The story's skills, skills before strengths, each kind by name, from `with_page_lists`."""
    skills = [
        Skill(pk=pk, kind=kind, name=name, slug=slug, is_retired=bool(is_retired))
        for kind, name, slug, is_retired, pk in rows(story.page_skill_rows)
    ]
    return sorted(skills, key=lambda skill: (skill.kind, skill.name.casefold()))


def page_collections(story: Story) -> list[Collection]:
    """The user's collections, the latest changed first, from `with_page_lists`."""
    return [Collection(pk=pk, title=title) for _, pk, title in sorted(rows(story.collection_rows), reverse=True)]


def story_details(story: Story) -> dict:
    """What a story page shows below its header: its career moves and skills (read with the story,
    `with_page_lists`) and related stories as cards, in one query. The related stories' skills, read with them, tell
    how many each shares with the story, so they are put in order here rather than counted again."""
    skills = _skills(story)
    own = {skill.pk for skill in skills}
    related = list(related_stories(story))
    # Newest first as read (Story's ordering), then by skills shared: the sort keeps the order of equals.
    related.sort(key=lambda other: sum(skill.pk in own for skill in other.skills_in_order), reverse=True)
    return {"moves": _moves(story), "skills": skills, "related": related}


def home_stories(*, limit: int = 6, excluding: Iterable[int] = ()) -> dict[str, list[Story]]:
    """The home page's featured and most recent other stories, but for those `excluding` (shown above them): each
    story shows once."""
    published = Story.cards().published().exclude(pk__in=excluding)
    return {
        "featured": list(published.filter(featured=True)[:limit]),
        "latest": list(published.filter(featured=False)[:limit]),
    }


def popular_skills(*, limit: int = 12) -> QuerySet:
    """The skills that tag the most published stories, from their stored counts (skill_story_count_idx)."""
    popular = Skill.objects.taggable().filter(story_count__gt=0).only("name", "slug", "kind", "story_count")
    return popular.order_by("-story_count", "name")[:limit]


def move_kind_counts() -> list[tuple[str, str, int]]:
    """How many published stories have each kind of move, from the stored counts (FacetCount)."""
    counted = FacetCount.objects.filter(stories__gt=0).exclude(move="")
    counts = dict(counted.values_list("move").annotate(n=Sum("stories")).order_by())
    return [(value, label, counts[value]) for value, label in CareerMove.Kind.choices if value in counts]


def featured_collections(*, limit: int) -> QuerySet:
    """The collections curators feature on the home page, each with its number of published stories."""
    published = Q(items__story__status=Story.Status.PUBLISHED)
    return Collection.objects.featured().annotate(stories=Count("items", filter=published))[:limit]


def skill_stories(skill: Skill) -> tuple[QuerySet, int]:
    """Published stories tagged with the skill or one of its children (a category's page lists its skills' stories),
    and how many; the count says how best to list them (see _tagged_with)."""
    skills = Skill.objects.filter(Q(pk=skill.pk) | Q(parent=skill))
    count = Story.objects.published().filter(_tagged_with(skills)).count()
    return Story.objects.published().filter(_tagged_with(skills, listing=count)), count


def cards_page(stories: QuerySet, number, *, per_page: int, count: int | None = None) -> Page:
    """Page `number` of `stories` (in their usual order, newest first) as cards, in one query: the page's ids are
    picked from the index alone (a deep page skips index entries, not whole stories), then only its own stories are
    read. `count`, when the caller knows it, saves the COUNT query."""
    paginator = Paginator(stories.values_list("pk", flat=True), per_page)
    if count is not None:
        paginator.count = count
    page = paginator.get_page(number)
    page.object_list = Story.cards().filter(pk__in=page.object_list)
    return page


# Opportunities. Every read for others starts from Opportunity.objects.visible(), which compares the closing date with
# today's in the query: no list is cached, so none outlives a closing date.


def filter_opportunities(opportunities: QuerySet, filters: dict) -> QuerySet:
    """Applies the chosen filters (cleaned values from OpportunityFilterForm); `q` through the search's own words."""
    if filters.get("skill"):
        opportunities = opportunities.filter(_tagged_opportunity(filters["skill"]))
    if filters.get("function"):
        opportunities = opportunities.filter(function=filters["function"])
    if filters.get("kind"):
        opportunities = opportunities.filter(kind=filters["kind"])
    if filters.get("remote"):
        opportunities = opportunities.filter(remote=True)
    if filters.get("q"):
        opportunities = opportunities.filter(opportunity_matching(parse(filters["q"])))
    return opportunities


def _tagged_opportunity(skills) -> Q:
    tags = [skills] if isinstance(skills, Skill) else skills
    return Q(Exists(TaggedOpportunity.objects.filter(tag__in=tags, content_object=OuterRef("pk"))))


def opportunities_for_skills(skills, *, limit: int = 3) -> QuerySet:
    """Up to `limit` visible opportunities tagged with any of `skills` (a skill, a list or a query of skills), the
    ones closing soonest first, as cards: through the tag index from the skills (tagged_opp_tag_opp_idx), then the
    open ones' index (opportunity_state_closes_idx). One query whatever the number of opportunities."""
    return (
        Opportunity.cards().visible().filter(_tagged_opportunity(skills)).order_by("closes_on", "-created_at")[:limit]
    )


def story_opportunities(skills: list[Skill], *, limit: int = 3) -> QuerySet | list[Opportunity]:
    """ "Try it yourself" on a story's page: opportunities sharing a skill with the story (its `skills`, as
    `story_details` read them); none without a query for a story without skills."""
    return opportunities_for_skills([skill.pk for skill in skills], limit=limit) if skills else []


def skill_opportunities(skill: Skill, *, limit: int = 6) -> QuerySet:
    """A skill's page: opportunities tagged with the skill or, for a category, one of its skills."""
    return opportunities_for_skills(Skill.objects.filter(Q(pk=skill.pk) | Q(parent=skill)).values("pk"), limit=limit)

"""HR insight pages: coverage of the story library and engagement with it, in aggregate only.

Engagement counts people, and every such count leaves this module through people_count(): below
PORTAL_INSIGHT_MIN_COUNT it is suppressed ("fewer than N", an empty bar), and above it rounded to the nearest
multiple of that threshold. Every number shown or downloaded (cells, totals, bar lengths, their order) is built from
those protected counts only, never from the raw ones: so every number on the page is a multiple of the threshold, and
no difference between periods, tables or a total and its rows can come out as a count of fewer people than the
threshold. Totals are counted from the data and protected themselves, never summed from the rows shown. Coverage
counts published stories and storytellers, which every employee can see anyway, and is shown exactly. Every table
is one aggregate query in the database, but for the two tables of who explores (by function and by level, from the
directory's profiles), which share two.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.formats import date_format

from reflection.models import ConversationRequest, Objective, Reflection, SavedStory, StoryVisit
from skills.models import Skill
from stories.models import CareerMove, Function, Level, Story, Storyteller

PERIODS = {"30": "the last 30 days", "90": "the last 90 days", "365": "the last year"}


@dataclass(frozen=True)
class Count_:
    """A count as shown: its value is all that may be shown or drawn (0, an empty bar, for a masked count)."""

    value: int
    masked: bool

    def __str__(self) -> str:
        return f"fewer than {settings.PORTAL_INSIGHT_MIN_COUNT}" if self.masked else f"{self.value:,}"


def people_count(value: int) -> Count_:
    """The only way a count of people leaves this module: suppressed below the threshold, otherwise rounded (half
    up) to a multiple of it, so that sums and differences of shown counts are multiples of the threshold too."""
    step = max(settings.PORTAL_INSIGHT_MIN_COUNT, 1)
    if value < step:
        return Count_(0, masked=True)
    return Count_((value + step // 2) // step * step, masked=False)


def content_count(value: int) -> Count_:
    return Count_(value, False)


def coverage() -> dict:
    functions, levels = list(Function.objects.all()), list(Level.objects.all())
    tellers = {
        (function, level): n
        for function, level, n in Storyteller.objects.consenting()
        .values_list("function_id", "level_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    stories = {
        (function, level): n
        for function, level, n in Story.objects.published()
        .values_list("storyteller__function_id", "storyteller__level_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    grid = [
        (level, [(content_count(tellers.get((f.pk, level.pk), 0)), content_count(stories.get((f.pk, level.pk), 0)))
                 for f in functions])
        for level in reversed(levels)
    ]  # fmt: skip
    few = settings.PORTAL_INSIGHT_FEW_STORIES
    thin = (
        Skill.objects.taggable()
        .annotate(n=Count("tagged_stories", filter=Q(tagged_stories__content_object__status=Story.Status.PUBLISHED)))
        .filter(n__lt=few)
        .order_by("n", "name")
    )
    formats = dict(Story.objects.published().values_list("format").annotate(n=Count("id")).order_by())
    moves = dict(
        CareerMove.objects.filter(story__status=Story.Status.PUBLISHED)
        .values_list("kind")
        .annotate(n=Count("story", distinct=True))
        .order_by()
    )
    return {
        "functions": functions,
        "grid": grid,
        "thin_skills": list(thin[:60]),
        "thin_total": thin.count(),
        "without_stories": thin.filter(n=0).count(),
        "few": few,
        "formats": [(label, content_count(formats.get(value, 0))) for value, label in Story.Format.choices],
        "moves": [(label, content_count(moves.get(value, 0))) for value, label in CareerMove.Kind.choices],
        "formats_max": max(formats.values(), default=0),
        "moves_max": max(moves.values(), default=0),
    }


def engagement(*, days: int) -> dict:
    """Counts of people only (a count of reflections or objectives could come from one person), each protected
    before it is sorted, cut to the top rows or turned into a bar."""
    since = timezone.now() - datetime.timedelta(days=days)
    visits = StoryVisit.objects.filter(last_visited_at__gte=since, story__status=Story.Status.PUBLISHED)
    per_story = (
        visits.values_list("story__title", "story__slug").annotate(people=Count("owner", distinct=True)).order_by()
    )
    # Sorted (and cut) by the protected counts: an order by the raw ones would rank the stories that all show
    # "fewer than 5".
    top_stories = sorted(
        ((title, slug, people_count(n)) for title, slug, n in per_story), key=lambda row: (-row[2].value, row[0])
    )[:10]
    per_skill = {
        "explored": _by_skill(visits, "story__tagged_skills__tag"),
        "saved": _by_skill(SavedStory.objects.filter(saved_at__gte=since), "story__tagged_skills__tag"),
        "reflected": _by_skill(Reflection.objects.filter(created_at__gte=since), "story__tagged_skills__tag"),
        "planned": _by_skill(Objective.objects.filter(created_at__gte=since), "skills"),
    }
    skill_ids = {pk for counts in per_skill.values() for pk in counts}
    skills = Skill.objects.filter(pk__in=skill_ids).only("id", "name", "slug").in_bulk()
    rows = sorted(
        (
            (skills[pk], *(people_count(per_skill[key].get(pk, 0)) for key in per_skill))
            for pk in skill_ids
            if pk in skills
        ),
        key=lambda row: (-row[1].value, row[0].name),
    )[:25]
    weeks = (
        StoryVisit.objects.filter(first_visited_at__gte=since)
        .annotate(week=TruncWeek("first_visited_at"))
        .values_list("week")
        .annotate(people=Count("owner", distinct=True))
        .order_by()
    )
    trend = [(week, people_count(n)) for week, n in sorted(weeks)][-26:]
    by_function, by_level = _explorers(visits)
    return {
        "top_stories": top_stories,
        "skills": rows,
        "trend": trend,
        "trend_max": max((count.value for _, count in trend), default=0),
        "stories_max": max((count.value for *_, count in top_stories), default=0),
        "people": people_count(visits.values("owner").distinct().count()),
        "move_kinds": CareerMove.Kind.labels,
        "by_function": by_function,
        "by_level": by_level,
        "asks": asks(since=since),
    }


NOT_IN_DIRECTORY = "Not recorded in the directory"
_PLACE = (
    "owner__profile__function__position",
    "owner__profile__function__name",
    "owner__profile__level__rank",
    "owner__profile__level__name",
)


def _explorers(visits) -> tuple[list, list]:
    """Who explores, by the function and by the level of their profile: for each, the people exploring any story and
    those exploring stories of each kind of career move (which functions explore lateral moves?).

    Two queries count different people per (function, level) cell, in all and per kind of move. A person has one
    profile, so is in one cell: a function's or level's row is the exact sum of its cells, and that sum is what is
    protected (never a sum of protected counts)."""
    kinds = CareerMove.Kind.values
    cells = visits.values_list(*_PLACE).annotate(n=Count("owner", distinct=True)).order_by()
    moves = (
        visits.filter(story__moves__isnull=False)
        .values_list(*_PLACE, "story__moves__kind")
        .annotate(n=Count("owner", distinct=True))
        .order_by()
    )
    functions, levels = {}, {}
    for function_at, function, level_at, level, n in cells:
        functions.setdefault((function_at, function), dict.fromkeys(["all", *kinds], 0))["all"] += n
        levels.setdefault((level_at, level), dict.fromkeys(["all", *kinds], 0))["all"] += n
    for function_at, function, level_at, level, kind, n in moves:
        functions[(function_at, function)][kind] += n
        levels[(level_at, level)][kind] += n

    def table(rows: dict) -> list:
        # In the directory's order (never by count), people without a function or level last.
        ordered = sorted(rows.items(), key=lambda item: (item[0][0] is None, item[0][0] or 0, item[0][1] or ""))
        return [
            (name or NOT_IN_DIRECTORY, [people_count(counts[key]) for key in ["all", *kinds]])
            for (_, name), counts in ordered
        ]

    return table(functions), table(levels)


def asks(*, since: datetime.datetime) -> dict:
    """What stories led to: the people who asked storytellers from their stories for a conversation, mentoring or
    work shadowing, by the story's skills, the storyteller's function and the month. Never who asked whom: each
    cell counts the different people who asked, protected like every count of people here."""
    rows = ConversationRequest.objects.filter(story__isnull=False, created_at__gte=since)
    by_skill = _asks_by_kind(rows.exclude(story__tagged_skills__tag=None), "story__tagged_skills__tag__name")
    return {
        "kinds": [label for _, label in ConversationRequest.Kind.choices],
        "skills": sorted(by_skill, key=lambda row: ([-count.value for count in row[1]], row[0]))[:25],
        "functions": sorted(_asks_by_kind(rows, "story__storyteller__function__name"), key=lambda row: row[0]),
        "months": [
            (date_format(month, "F Y"), counts)
            for month, counts in sorted(_asks_by_kind(rows.annotate(month=TruncMonth("created_at")), "month"))[-12:]
        ],
    }


def _asks_by_kind(rows, field: str) -> list[tuple]:
    """(the field's value, [people who asked for each kind]) for each value, from one aggregate query."""
    counts: dict = {}
    for value, kind, n in rows.values_list(field, "kind").annotate(n=Count("owner", distinct=True)).order_by():
        counts.setdefault(value, {})[kind] = n
    return [
        (value, [people_count(by_kind.get(kind, 0)) for kind in ConversationRequest.Kind.values])
        for value, by_kind in counts.items()
    ]


def _by_skill(rows, skill_field: str) -> dict[int, int]:
    """How many different people each skill's rows come from."""
    return dict(
        rows.exclude(**{f"{skill_field}__isnull": True})
        .values_list(skill_field)
        .annotate(n=Count("owner", distinct=True))
        .order_by()
    )

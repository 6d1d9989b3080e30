"""The hot reads behind the main pages reach the big tables through an index, never by reading every row.

Each selector runs against a small library while its SQL is captured; each statement is then explained by the
database. SQLite: no plan step may SCAN a big table, even through an index (a search by key is fine). PostgreSQL: with
sequential scans priced out of reach (`enable_seqscan = off`), none may remain on a big table, which happens only when
no index can serve the query. A plan cannot tell how many entries a search by key reads: the query counts and the
benchmark watch that.
"""

import re

import pytest
from django.db import connection
from django.db.models import F, QuerySet
from django.test.utils import CaptureQueriesContext

from reflection import selectors as reflection_selectors
from reflection.services import story_visit_record
from skills.models import Skill
from skills.selectors import framework_tree
from stories import search, selectors
from stories.models import CareerMove, Opportunity, Story
from tests.factories import (
    CareerMoveFactory,
    FunctionFactory,
    LevelFactory,
    OpportunityFactory,
    SkillFactory,
    StoryFactory,
    StorytellerFactory,
    UserFactory,
)
from tests.reflection.factories import (
    ObjectiveFactory,
    ReflectionFactory,
    SavedStoryFactory,
    SelfAssessmentFactory,
    StoryVisitFactory,
)

pytestmark = pytest.mark.django_db

BIG_TABLES = {
    # Each employee's rows, hundreds of thousands in all: every read of them starts from the owner.
    "reflection_storyvisit",
    "reflection_savedstory",
    "reflection_selfassessment",
    "reflection_objective",
    "reflection_reflection",
    "stories_story",
    "stories_taggedstory",
    "stories_careermove",
    "stories_storysearchdocument",
    "skills_skill",
    "stories_opportunity",  # closed ones add up over the years
    "stories_taggedopportunity",
}


@pytest.fixture
def library() -> dict:
    functions = FunctionFactory.create_batch(3)
    levels = LevelFactory.create_batch(2)
    skills = SkillFactory.create_batch(12)
    tellers = [StorytellerFactory(function=functions[i % 3], level=levels[i % 2]) for i in range(6)]
    stories = []
    for i in range(40):
        story = StoryFactory(
            storyteller=tellers[i % 6], skills=[skills[i % 12], skills[(i + 5) % 12]], title=f"Leadership story {i}"
        )
        CareerMoveFactory(story=story, kind=CareerMove.Kind.LATERAL)
        stories.append(story)
    StoryFactory(status=Story.Status.DRAFT, published_at=None, skills=[skills[0]])
    for i in range(30):
        OpportunityFactory(
            skills=[skills[i % 12], skills[(i + 3) % 12]],
            function=functions[i % 3],
            state=Opportunity.State.FILLED if i % 3 else Opportunity.State.OPEN,
            title=f"Leadership shadowing {i}",
        )
    user = UserFactory()
    SelfAssessmentFactory(owner=user, skill=skills[1], wants_to_develop=True)
    ObjectiveFactory(owner=user, skills=[skills[2]])
    for story in stories[:5]:
        StoryVisitFactory(owner=user, story=story)
    ReflectionFactory(owner=user, story=stories[0])
    SavedStoryFactory(owner=user, story=stories[1])
    return {"story": stories[0], "skill": skills[0], "function": functions[0], "user": user}


def published_page(filters: dict, number: int):
    stories = selectors.filter_stories(Story.objects.published(), filters)
    return list(selectors.cards_page(stories, number, per_page=12, count=40).object_list)


def skill_page(skill):
    stories, count = selectors.skill_stories(skill)  # the count, then the page
    return list(selectors.cards_page(stories, 1, per_page=12, count=count).object_list)


HOT_READS = {
    "story page: the story with its moves and the user's collections, related stories": lambda lib: (
        selectors.story_details(
            selectors.with_page_lists(Story.objects.filter(pk=lib["story"].pk), user=UserFactory()).get()
        )["related"]
    ),
    "list, a deep page": lambda lib: published_page({}, 3),
    "list filtered by a skill": lambda lib: published_page({"skill": lib["skill"]}, 1),
    "list filtered by a skill that tags many stories": lambda lib: published_page(
        {"skill": Skill(pk=lib["skill"].pk, story_count=selectors.LISTED_FROM_TAGS_UP_TO + 1)}, 1
    ),
    "facets": lambda lib: selectors.story_facets({}),
    "facets, filtered": lambda lib: selectors.story_facets({"skill": lib["skill"], "function": lib["function"]}),
    "search": lambda lib: search.search(search.parse("leadership")),
    "extracts of a search": lambda lib: search.snippets(search.parse("leadership"), [lib["story"].pk]),
    "facets of a search": lambda lib: selectors.story_facets(
        {}, within=search.story_ids(search.search(search.parse("leadership")))
    ),
    "options of a broad search": lambda lib: selectors.facet_options({"function": lib["function"]}),
    "popular skills": lambda lib: list(selectors.popular_skills()),
    "skill page stories": lambda lib: skill_page(lib["skill"]),
    "skills tree with counts": lambda lib: framework_tree(lib["skill"].framework),
    "opportunities, filtered": lambda lib: list(
        selectors.filter_opportunities(
            Opportunity.objects.visible(), {"skill": lib["skill"], "function": lib["function"], "q": "leadership"}
        ).for_cards()[:20]
    ),
    "a story's opportunities": lambda lib: list(selectors.story_opportunities(list(lib["story"].skills.all()))),
    "a skill's opportunities": lambda lib: list(selectors.skill_opportunities(lib["skill"])),
    "opportunities of a search": lambda lib: search.opportunities(search.parse("leadership")),
    "skills sought, for For you": lambda lib: reflection_selectors.skills_sought(lib["user"]),
    "For you": lambda lib: reflection_selectors.on_home_suggestions(None, lib["user"]),
    "the toolkit's home": lambda lib: [
        list(read) if isinstance(read, QuerySet) else read
        for read in reflection_selectors.dashboard(lib["user"]).values()
    ],
    "explored stories and their skills": lambda lib: (
        list(reflection_selectors.explored(lib["user"], skill=lib["skill"])),
        reflection_selectors.explored_skills(lib["user"]),
    ),
    "skills to assess": lambda lib: list(reflection_selectors.skills_to_assess(lib["user"])),
    "a story's toolkit bar": lambda lib: reflection_selectors.story_toolkit(lib["user"], lib["story"]),
    "a story's visit": lambda lib: story_visit_record(user=lib["user"], story=lib["story"]),
}


def statements(read, library: dict) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        read(library)
    return [
        query["sql"] for query in captured.captured_queries if query["sql"].lstrip("( ").upper().startswith("SELECT")
    ]


def full_scans(sql: str) -> list[str]:
    """The plan steps that read a big table row by row."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
            steps = [row[0] for row in cursor.fetchall()]
        return [step for step in steps if _big(step, "Seq Scan on")]
    # Even a scan of a covering index reads an entry per row of the table: only searches (by key) pass.
    return [step for step in _sqlite_plan(sql) if _big(step, "SCAN", _aliases(sql))]


def _sqlite_plan(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return [row[3] for row in cursor.fetchall()]


def _aliases(sql: str) -> dict[str, set[str]]:
    """SQLite names a table by its alias in the plan ("SCAN U0"), and subqueries reuse aliases: the tables each alias
    may stand for."""
    aliases = {}
    for table, alias in re.findall(r'"(\w+)" "?([A-Z]\d+)\b', sql):
        aliases.setdefault(alias, set()).add(table)
    return aliases


def _big(step: str, verb: str, aliases: dict[str, set[str]] | None = None) -> bool:
    found = re.search(rf"{verb} (\w+)", step)
    return bool(found) and bool((aliases or {}).get(found[1], {found[1]}) & BIG_TABLES)


@pytest.mark.parametrize("name", HOT_READS)
def test_hot_reads_reach_big_tables_through_an_index(library, name):
    sqls = statements(HOT_READS[name], library)
    assert sqls
    assert {sql: full_scans(sql) for sql in sqls if full_scans(sql)} == {}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps long texts out of the row (TOAST)")
@pytest.mark.parametrize(
    "name", ["story page: the story with its moves and the user's collections, related stories", "For you"]
)
def test_stories_looked_up_by_id_in_bulk_are_read_from_an_index_not_from_their_rows(library, name):
    """On SQLite a story's row holds its text and transcript before its publication date: a subquery that looks many
    stories up by id reads them from story_by_id_idx. The outer query reads the few rows it shows (`stories_story`).
    With the planner's statistics, which the README says to gather after an upgrade that adds indexes."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rows_read = []
    for sql in statements(HOT_READS[name], library):
        for step in _sqlite_plan(sql):
            found = re.search(r"SEARCH (\w+) USING INTEGER PRIMARY KEY", step)
            if found and found[1] != "stories_story" and "stories_story" in _aliases(sql).get(found[1], ()):
                rows_read.append(step)
    assert rows_read == []


def test_the_plan_check_sees_a_full_scan(library):
    assert full_scans(str(Story.objects.order_by("summary").values("pk").query))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's plans name the table, not its alias")
def test_the_plan_check_sees_a_full_scan_in_a_subquery(library):
    """SQLite's plan names a subquery's table by its alias ("SCAN U0")."""
    skills = Skill.objects.filter(name=F("description")).values("pk")  # no index serves it
    assert full_scans(str(Story.objects.filter(pk=1, skills__in=skills).values("pk").query))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the function is PostgreSQL's (migration 0012)")
def test_the_search_function_matches_through_the_gin_index(library):
    """EXPLAIN shows a function call as one step: its own query (stories_search_match) is explained here."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_functiondef('stories_search_match(tsquery)'::regprocedure)")
        [definition] = cursor.fetchone()
    body = re.search(r"\$function\$\s*(.*?)\s*\$function\$", definition, re.DOTALL)[1]
    sql = body.replace("query", "websearch_to_tsquery('english', 'leadership')")
    assert "enable_seqscan" in definition and "stories_storysearchdocument" in sql
    assert full_scans(sql) == []

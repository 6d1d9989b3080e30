"""Search works the same on SQLite (FTS5) and PostgreSQL (tsvector): the suite runs on both."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from skills.importers import ParsedFramework, ParsedSkill
from skills.models import Skill
from skills.services import framework_import, skill_merge
from stories import search, views
from stories.demo import demo_load
from stories.models import Story, StorySearchDocument
from tests.factories import FunctionFactory, OpportunityFactory, SkillFactory, StoryFactory, StorytellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    return {
        "title": StoryFactory(title="Negotiating my secondment", summary="A move abroad.", body="Plain words."),
        "skill": StoryFactory(title="Into finance", summary="Numbers.", skills=[SkillFactory(name="Negotiation")]),
        "body": StoryFactory(title="Sales to product", summary="Change.", body="I learnt negotiation the hard way."),
        "draft": StoryFactory(title="Negotiation draft", status=Story.Status.DRAFT),
    }


def titles(response) -> list[str]:
    return [story.title for story, _, _ in response.context["results"]]


def test_the_title_ranks_first_a_skill_finds_a_story_and_drafts_never_appear(employee_client, library):
    found = titles(employee_client.get(reverse("stories:search"), {"q": "negotiation"}))
    assert found[0] == "Negotiating my secondment"
    assert set(found[1:]) == {"Into finance", "Sales to product"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [('"hard way"', ["Sales to product"]), ("negotiation -finance", None), ("finance OR secondment", None)],
)
def test_phrases_minus_and_or(employee_client, library, q, expected):
    found = titles(employee_client.get(reverse("stories:search"), {"q": q}))
    if expected is not None:
        assert found == expected
    elif q.startswith("negotiation"):
        assert "Into finance" not in found and "Sales to product" in found
    else:
        assert set(found) == {"Into finance", "Negotiating my secondment"}


@pytest.mark.parametrize("q", ["", '"', "x' OR 1=1; --", "NOT AND OR", "-", "é" * 500, "(((", "title:foo*"])
def test_odd_queries_give_a_normal_page(employee_client, library, q):
    assert employee_client.get(reverse("stories:search"), {"q": q}).status_code == 200


def test_a_match_in_a_transcript_links_to_that_moment(employee_client):
    story = StoryFactory(video=True, transcript="We opened the Dublin office.")
    story.transcript_cues = [[0.0, 2.5, "Hello."], [2.5, 6.0, "We opened the Dublin office."]]
    story.save()
    [(found, extract, moment)] = employee_client.get(reverse("stories:search"), {"q": "dublin"}).context["results"]
    assert found == story and moment == (2, "We opened the Dublin office.")
    assert "<mark>" in extract.text
    assert (
        f"{story.get_absolute_url()}?t=2"
        in employee_client.get(reverse("stories:search"), {"q": "dublin"}).content.decode()
    )


def test_a_moment_quotes_the_words_said_without_the_captions_markup(employee_client):
    story = StoryFactory(video=True, transcript="We opened the Dublin office.")
    story.transcript_cues = [[0.0, 2.5, "<v Aisling Doyle>We opened the <b>Dublin</b> office &amp; hired."]]
    story.save()
    content = employee_client.get(reverse("stories:search"), {"q": "dublin"}).content.decode()
    assert "“Aisling Doyle: We opened the Dublin office &amp; hired.”" in content
    assert "&lt;v" not in content and "&lt;b&gt;" not in content


def test_the_extract_comes_from_the_story_text_and_a_skill_match_shows_the_skill(employee_client):
    leadership = SkillFactory(name="Leadership", alternative_labels="People management\nManaging teams")
    by_skill = StoryFactory(title="Into sales", summary="A move.", body="Plain words.", skills=[leadership])
    by_text = StoryFactory(title="Into finance", summary="Numbers.", body="My first year in management was hard.")
    response = employee_client.get(reverse("stories:search"), {"q": "management"})
    extracts = {story: extract for story, extract, _ in response.context["results"]}
    assert extracts[by_skill].text is None and extracts[by_skill].skills == ["Leadership"]
    assert (
        extracts[by_text].text == "My first year in <mark>management</mark> was hard."
        and extracts[by_text].skills == []
    )
    content = response.content.decode()
    assert "Matched skill: Leadership" in content
    assert "People management" not in content and "Managing teams" not in content  # no list of labels


def test_a_document_from_before_skill_lines_shows_no_matched_skill(employee_client):
    """Until rebuild_search_index rewrites it, an older document lists every name and label on one line."""
    leadership = SkillFactory(name="Leadership", alternative_labels="People management")
    story = StoryFactory(title="Into sales", summary="A move.", skills=[leadership])
    StorySearchDocument.objects.filter(story=story).update(skills="Leadership People management Coaching")
    [(found, extract, _)] = employee_client.get(reverse("stories:search"), {"q": "management"}).context["results"]
    assert found == story and extract.skills == []


def test_a_summary_match_gives_the_extract_when_the_text_does_not_match(employee_client):
    story = StoryFactory(title="A move", summary="Why I chose management.", body="Other words entirely.")
    [(found, extract, _)] = employee_client.get(reverse("stories:search"), {"q": "management"}).context["results"]
    assert found == story and extract.text == "Why I chose <mark>management</mark>."


def test_searching_manager_in_the_demo_puts_the_story_of_becoming_a_manager_in_the_top_three(employee_client):
    demo_load()
    response = employee_client.get(reverse("stories:search"), {"q": "manager"})
    results = response.context["results"]
    assert "choosing-management-on-purpose" in [story.slug for story, _, _ in results[:3]]
    # Every extract quotes the story's own words, never its list of skills.
    quoted = 0
    for story, extract, _ in results:
        if extract.text:
            words = escape(" ".join([story.summary, story.body, story.transcript]))
            fragments = extract.text.replace("<mark>", "").replace("</mark>", "").split("…")
            assert all(fragment.strip() in words for fragment in fragments), extract.text
            quoted += 1
    assert quoted >= len(results) // 2


def test_no_result_suggests_close_skills(employee_client, library):
    response = employee_client.get(reverse("stories:search"), {"q": "negotation skils"})
    assert response.context["results"] == []
    response = employee_client.get(reverse("stories:search"), {"q": "negotiatoin"})
    assert [skill.name for skill in response.context["found"]["suggested_skills"]] == ["Negotiation"]


def test_unpublishing_removes_the_document(library):
    story = library["title"]
    story.status = Story.Status.ARCHIVED
    story.save()
    assert not StorySearchDocument.objects.filter(story=story).exists()
    assert story.pk not in search.search(search.parse("secondment"))


def test_search_keeps_its_query_count(employee_client, django_assert_num_queries, settings):
    for size in (3, 30):
        StoryFactory.create_batch(size, title="Leadership lessons")
        OpportunityFactory.create_batch(size, title="Leadership shadowing")
        # login 2, matches 1, facets 3, cards with their skills 1, extracts 1, the matching opportunities 1
        with django_assert_num_queries(9):
            employee_client.get(reverse("stories:search"), {"q": "leadership"})
        with django_assert_num_queries(10):  # and the matches left by the filter
            employee_client.get(reverse("stories:search"), {"q": "leadership", "format": "text"})


def test_a_broad_search_keeps_its_query_count(employee_client, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(views, "SEARCH_FACETS_COUNTED_UP_TO", 2)
    for size in (3, 30):
        StoryFactory.create_batch(size, title="Leadership lessons")
        OpportunityFactory.create_batch(size, title="Leadership shadowing")
        # login 2, matches 1, options 3, cards with their skills 1, extracts 1, the matching opportunities 1
        with django_assert_num_queries(9):
            employee_client.get(reverse("stories:search"), {"q": "leadership"})
        with django_assert_num_queries(10):  # and the matches left by the filter
            employee_client.get(reverse("stories:search"), {"q": "leadership", "format": "text"})


@pytest.fixture
def spread(db):
    finance, sales = FunctionFactory(name="Finance", slug="finance"), FunctionFactory(name="Sales", slug="sales")
    for function, count in ((finance, 3), (sales, 2)):
        StoryFactory.create_batch(count, title="Leadership lessons", storyteller=StorytellerFactory(function=function))
    StoryFactory(title="Leadership draft", status=Story.Status.DRAFT, storyteller=StorytellerFactory(function=sales))
    return {"finance": finance, "sales": sales}


def test_a_search_counts_each_filter_option_among_its_matches(employee_client, spread):
    response = employee_client.get(reverse("stories:search"), {"q": "leadership"})
    assert response.context["page"].paginator.count == 5
    content = response.content.decode()
    assert ">Finance (3)</option>" in content and ">Sales (2)</option>" in content


def test_a_search_with_too_many_matches_to_count_lists_the_options_uncounted(employee_client, spread, monkeypatch):
    """Counting every option costs a lookup per match: a broad search still says exactly how many stories match."""
    monkeypatch.setattr(views, "SEARCH_FACETS_COUNTED_UP_TO", 4)
    response = employee_client.get(reverse("stories:search"), {"q": "leadership"})
    content = response.content.decode()
    assert response.context["page"].paginator.count == 5 and "5 stories for “leadership”" in content
    assert ">Finance</option>" in content and ">Sales</option>" in content and "(3)" not in content
    filtered = employee_client.get(reverse("stories:search"), {"q": "leadership", "function": "sales"})
    assert filtered.context["page"].paginator.count == 2
    assert '<option value="sales" selected>Sales</option>' in filtered.content.decode()
    assert len(filtered.context["results"]) == 2


def test_a_search_narrowed_by_a_skill_keeps_the_matches_it_tags_in_their_ranked_order(employee_client, spread):
    courage = SkillFactory(name="Courage")
    tagged = StoryFactory.create_batch(2, title="Leadership lessons", skills=[courage])
    StoryFactory(title="Courage elsewhere", skills=[courage])  # tagged, but no match
    response = employee_client.get(reverse("stories:search"), {"q": "leadership", "skill": courage.slug})
    ranked = [story.pk for story, _extract, _moment in response.context["results"]]
    assert sorted(ranked) == sorted(story.pk for story in tagged)
    everything = employee_client.get(reverse("stories:search"), {"q": "leadership"})
    in_order = [story.pk for story, _extract, _moment in everything.context["results"]]
    assert ranked == [pk for pk in in_order if pk in ranked]


@pytest.fixture
def graded():
    """One match in each weighted field, so both engines must give the same order."""
    negotiation = SkillFactory(name="Negotiation")
    stories = {
        "title": StoryFactory(title="Negotiation abroad", summary="A move.", skills=[negotiation]),
        "summary": StoryFactory(title="Board work", summary="My negotiation with the board."),
        "body": StoryFactory(title="Sales to product", summary="Change.", body="A negotiation I lost, then won."),
        "transcript": StoryFactory(
            title="On air", summary="A podcast.", podcast=True, transcript="We talked negotiation."
        ),
        "draft": StoryFactory(title="Negotiation draft", status=Story.Status.DRAFT),
        "skill": StoryFactory(title="Into law", summary="Contracts.", skills=[SkillFactory(name="Negotiation skills")]),
    }
    return {key: story.pk for key, story in stories.items()}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("negotiation", ["title", "summary", "body", "transcript", "skill"]),
        ("negotiating", ["title", "summary", "body", "transcript", "skill"]),  # stemmed alike
        ('"the board"', ["summary"]),
        ("negotiation -abroad", ["summary", "body", "transcript", "skill"]),
        ("board OR talked", ["summary", "transcript"]),
        ('negotiation "lost then won"', ["body"]),
    ],
)
def test_both_engines_give_the_same_order(graded, q, expected):
    """The suite runs on SQLite and on PostgreSQL: this exact order is what both databases return."""
    by_pk = {pk: key for key, pk in graded.items()}
    assert [by_pk[pk] for pk in search.search(search.parse(q))] == expected


def test_renaming_a_skill_by_import_updates_what_finds_its_stories(db):
    def framework(name: str, labels: list[str]) -> ParsedFramework:
        skill = ParsedSkill(row=2, code="N1", name=name, kind="skill", parent_code="", alternative_labels=labels)
        return ParsedFramework(format="plain", code="acme", name="Acme", skills=[skill])

    framework_import(parsed=framework("Negotiation", []))
    story = StoryFactory(title="A move", skills=[Skill.objects.get(code="N1")])
    assert search.search(search.parse("negotiation")) == [story.pk]

    framework_import(parsed=framework("Deal making", ["Haggling"]))
    assert search.search(search.parse("haggling")) == [story.pk]
    assert search.search(search.parse("deal")) == [story.pk]
    assert search.search(search.parse("negotiation")) == []


def test_merging_skills_makes_the_merged_stories_findable_by_both_names(db):
    source, target = SkillFactory(name="Bargaining"), SkillFactory(name="Negotiation")
    story = StoryFactory(title="A move", skills=[source])
    skill_merge(source=source, target=target)
    assert search.search(search.parse("negotiation")) == [story.pk]
    assert search.search(search.parse("bargaining")) == [story.pk]  # now an alternative label of Negotiation


def test_the_rebuild_command_restores_a_lost_index(db):
    story = StoryFactory(title="Negotiation abroad")
    draft = StoryFactory(title="Negotiation draft", status=Story.Status.DRAFT)
    StorySearchDocument.objects.all().delete()
    StorySearchDocument.objects.create(story=draft, title=draft.title)  # a stale row for a story not published
    assert search.search(search.parse("negotiation")) == [draft.pk]

    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "1 published stories" in out.getvalue()
    assert search.search(search.parse("negotiation")) == [story.pk]


def test_search_finds_open_opportunities_by_their_words_and_not_closed_ones(employee_client):
    from stories.models import Opportunity

    OpportunityFactory(title="Treasury secondment", description="Cash forecasting with the treasury team.")
    OpportunityFactory(title="Filled treasury rotation", state=Opportunity.State.FILLED)
    OpportunityFactory(title="Sales shadowing", description="Sit with an account manager.")
    page = employee_client.get(reverse("stories:search"), {"q": '"cash forecasting" OR rotation -sales'})
    content = page.content.decode()
    assert "Treasury secondment" in content
    assert "Filled treasury rotation" not in content and "Sales shadowing" not in content
    content = employee_client.get(reverse("stories:search"), {"q": "account -manager"}).content.decode()
    assert "Sales shadowing" not in content

"""Search works the same on SQLite (FTS5) and PostgreSQL (tsvector): the suite runs on both."""

import pytest
from django.urls import reverse

from stories import search
from stories.models import Story, StorySearchDocument
from tests.factories import SkillFactory, StoryFactory

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


def test_title_and_skills_rank_above_body_and_drafts_never_appear(employee_client, library):
    found = titles(employee_client.get(reverse("stories:search"), {"q": "negotiation"}))
    assert set(found[:2]) == {"Negotiating my secondment", "Into finance"}
    assert found[2:] == ["Sales to product"]


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
    [(found, snippet, moment)] = employee_client.get(reverse("stories:search"), {"q": "dublin"}).context["results"]
    assert found == story and moment == (2, "We opened the Dublin office.")
    assert "<mark>" in snippet
    assert (
        f"{story.get_absolute_url()}?t=2"
        in employee_client.get(reverse("stories:search"), {"q": "dublin"}).content.decode()
    )


def test_no_result_suggests_close_skills(employee_client, library):
    response = employee_client.get(reverse("stories:search"), {"q": "negotation skils"})
    assert response.context["results"] == []
    response = employee_client.get(reverse("stories:search"), {"q": "negotiatoin"})
    assert [skill.name for skill in response.context["suggested_skills"]] == ["Negotiation"]


def test_unpublishing_removes_the_document(library):
    story = library["title"]
    story.status = Story.Status.ARCHIVED
    story.save()
    assert not StorySearchDocument.objects.filter(story=story).exists()
    assert story.pk not in search.search(search.parse("secondment"))


def test_search_keeps_its_query_count(employee_client, django_assert_num_queries):
    for size in (3, 30):
        StoryFactory.create_batch(size, title="Leadership lessons")
        with django_assert_num_queries(11):
            employee_client.get(reverse("stories:search"), {"q": "leadership"})

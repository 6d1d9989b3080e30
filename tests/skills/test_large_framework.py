"""With an ESCO-sized framework (14,000 skills in a 4-level tree), pages keep the query counts of a small one."""

import pytest
from django.urls import reverse

from skills.importers import ParsedFramework, ParsedSkill
from skills.models import Framework, Skill
from skills.services import framework_import
from tests.factories import StoryFactory


def esco_like(count: int) -> ParsedFramework:
    levels = [10, 100, 1000, count]
    skills = []
    for i in range(count):
        level = next(n for n, size in enumerate(levels) if i < size)
        start = levels[level - 2] if level > 1 else 0  # the parent level's first index
        parent = f"S{start + i % (levels[level - 1] - start)}" if level else ""
        skills.append(ParsedSkill(row=i + 2, code=f"S{i}", name=f"Skill {i}", kind="skill", parent_code=parent))
    return ParsedFramework(format="esco", code="esco", name="ESCO skills", skills=skills)


@pytest.fixture(scope="module")
def large_framework(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        report = framework_import(parsed=esco_like(14_000))
        assert report.ok and len(report.added) == 14_000
        yield
        Framework.objects.filter(code="esco").delete()


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        (lambda: "/skills/", 5),  # the top level, then it and its children with their story counts
        (lambda: Skill.objects.get(code="S5").get_absolute_url(), 9),  # + its open opportunities
        (lambda: f"/stories/?skill={Skill.objects.get(code='S500').slug}", 7),
    ],
    ids=["skills tree", "skill with 9 sub-skills", "stories filtered by a skill"],
)
def test_pages_with_a_large_framework_keep_their_query_counts(
    large_framework, employee_client, django_assert_num_queries, url, queries
):
    StoryFactory.create_batch(3, skills=[Skill.objects.get(code="S500"), Skill.objects.get(code="S5")])
    target = url()
    with django_assert_num_queries(queries):
        response = employee_client.get(target)
    assert response.status_code == 200


def test_skills_tree_shows_two_levels_and_says_how_many_more(large_framework, employee_client):
    response = employee_client.get("/skills/")
    [(_, roots)] = [(f, r) for f, r in response.context["frameworks"] if f.code == "esco"]
    assert len(roots) == 10
    assert all(not child.children for root in roots for child in root.children)
    assert sum(child.inside for root in roots for child in root.children) == 1_000 - 100  # the third level
    assert "more inside" in response.content.decode()


def test_admin_autocomplete_searches_a_large_framework_in_fixed_queries(
    large_framework, curator_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = curator_client.get(
            reverse("admin:autocomplete"),
            {"term": "Skill 1399", "app_label": "stories", "model_name": "story", "field_name": "skills"},
        )
    assert [result["text"] for result in response.json()["results"]][:1] == ["Skill 1399"]

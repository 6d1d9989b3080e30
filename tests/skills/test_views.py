import pytest

from skills.models import Skill
from stories.models import Story
from tests.factories import FrameworkFactory, ProficiencyLevelFactory, SkillFactory, StoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework():
    framework = FrameworkFactory(name="Core framework")
    for level, name in enumerate(["Foundation", "Practitioner", "Advanced", "Expert"], start=1):
        ProficiencyLevelFactory(framework=framework, level=level, name=name)
    communication = SkillFactory(framework=framework, name="Communication", kind=Skill.Kind.CATEGORY)
    return {
        "framework": framework,
        "communication": communication,
        "storytelling": SkillFactory(
            framework=framework,
            parent=communication,
            name="Storytelling",
            description="Shaping experience into a story.",
            level_descriptors={"1": "Tells a clear story about their own work.", "4": "Coaches others."},
            alternative_labels="Narrative\nPitching",
        ),
        "negotiation": SkillFactory(framework=framework, parent=communication, name="Negotiation"),
        "courage": SkillFactory(framework=framework, name="Courage", kind=Skill.Kind.STRENGTH),
        "retired": SkillFactory(framework=framework, parent=communication, name="Telegraphy", is_retired=True),
    }


def test_skills_page_shows_the_framework_as_a_tree_with_story_counts(employee_client, framework):
    StoryFactory(skills=[framework["storytelling"], framework["courage"]])
    StoryFactory(skills=[framework["storytelling"]], status=Story.Status.DRAFT)
    response = employee_client.get("/skills/")
    [(shown, roots)] = response.context["frameworks"]
    assert shown == framework["framework"]
    tree = {node.skill.name: [(child.skill.name, child.skill.story_count) for child in node.children] for node in roots}
    assert tree == {"Communication": [("Negotiation", 0), ("Storytelling", 1)], "Courage": []}
    assert "Telegraphy" not in response.content.decode()


def test_skills_page_shows_two_levels_each_saying_how_many_live_skills_it_holds(employee_client, framework):
    storytelling, retired = framework["storytelling"], framework["retired"]
    SkillFactory(framework=framework["framework"], parent=storytelling, name="Pitching to investors")
    SkillFactory(framework=framework["framework"], parent=storytelling, name="Fables", is_retired=True)
    SkillFactory(framework=framework["framework"], parent=retired, name="Morse code")  # under a retired skill
    response = employee_client.get("/skills/")
    [(_, roots)] = response.context["frameworks"]
    assert [node.skill.name for node in roots] == ["Communication", "Courage", "Morse code"]
    [storytelling_node] = [child for child in roots[0].children if child.skill == storytelling]
    assert (storytelling_node.children, storytelling_node.inside) == ([], 1)
    content = response.content.decode()
    assert f'<a class="tree__more" href="{storytelling.get_absolute_url()}">1 more inside</a>' in content
    assert "Pitching to investors" not in content and "Fables" not in content


def test_skill_page_shows_description_levels_stories_and_related_skills(employee_client, framework):
    storytelling, courage, negotiation = (
        framework["storytelling"],
        framework["courage"],
        framework["negotiation"],
    )
    StoryFactory(title="Pitching my move", skills=[storytelling, courage])
    StoryFactory(title="Finding my voice", skills=[storytelling, courage, negotiation])
    StoryFactory(title="Unrelated", skills=[negotiation])
    response = employee_client.get(storytelling.get_absolute_url())
    content = response.content.decode()
    assert "Shaping experience into a story." in content
    assert "Tells a clear story about their own work." in content and "Expert" in content
    assert "Also known as: Narrative, Pitching" in content
    assert sorted(story.title for story in response.context["page"].object_list) == [
        "Finding my voice",
        "Pitching my move",
    ]
    assert [(skill.name, skill.shared) for skill in response.context["related"]] == [
        ("Courage", 2),
        ("Negotiation", 1),
    ]


def test_category_page_lists_stories_of_its_skills(employee_client, framework):
    StoryFactory(title="Pitching my move", skills=[framework["storytelling"]])
    response = employee_client.get(framework["communication"].get_absolute_url())
    assert [story.title for story in response.context["page"].object_list] == ["Pitching my move"]
    assert [child.name for child in response.context["children"]] == ["Negotiation", "Storytelling"]


def test_retired_and_unknown_skills_are_not_found(employee_client, framework):
    assert employee_client.get(framework["retired"].get_absolute_url()).status_code == 404
    assert employee_client.get("/skills/no-such-skill/").status_code == 404


def test_skill_page_of_a_framework_without_a_scale_shows_its_descriptors_by_level(employee_client):
    plain = SkillFactory(
        framework=FrameworkFactory(code="plain", name="Plain"),
        name="Planning",
        level_descriptors={"1": "Plans their own week.", "3": "Plans work across\nseveral teams.", "2": ""},
    )

    content = employee_client.get(plain.get_absolute_url()).content.decode()

    assert "Proficiency levels" in content
    assert "<dt>Level 1</dt><dd>Plans their own week.</dd>" in content
    assert "<dt>Level 3</dt><dd>Plans work across<br>several teams.</dd>" in content
    assert "Level 2" not in content


def test_skill_page_names_scale_levels_and_adds_levels_only_the_skill_describes(employee_client, framework):
    storytelling = framework["storytelling"]
    storytelling.level_descriptors = {**storytelling.level_descriptors, "6": "Beyond the scale."}
    storytelling.save()

    response = employee_client.get(storytelling.get_absolute_url())

    assert response.context["levels"] == [
        (1, "Foundation", "Tells a clear story about their own work."),
        (2, "Practitioner", ""),
        (3, "Advanced", ""),
        (4, "Expert", "Coaches others."),
        (6, "", "Beyond the scale."),
    ]
    content = response.content.decode()
    assert '<span class="visually-hidden">Level </span>4</span> Expert</dt><dd>Coaches others.</dd>' in content
    assert "<dt>Level 6</dt><dd>Beyond the scale.</dd>" in content

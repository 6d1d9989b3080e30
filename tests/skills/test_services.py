import io

import pytest
from django.core.exceptions import ValidationError

from skills.importers import ParsedFramework, ParsedLevel, ParsedSkill, Problem, parse_framework_file
from skills.models import Framework, Skill
from skills.services import framework_import, framework_load_builtin, skill_merge
from tests.factories import SkillFactory, StoryFactory
from tests.skills.framework_versions import VERSIONS

pytestmark = pytest.mark.django_db


def parsed(*skills: ParsedSkill, problems=(), scale=()) -> ParsedFramework:
    return ParsedFramework(
        format="plain",
        code="acme",
        name="Acme skills",
        skills=list(skills),
        problems=list(problems),
        scale=list(scale),
    )


def skill(code, name, parent="", kind="skill", **extra) -> ParsedSkill:
    return ParsedSkill(row=0, code=code, name=name, kind=kind, parent_code=parent, **extra)


VERSION_1 = [
    skill("COM", "Communication", kind="category"),
    skill("COM-1", "Negotiation", "COM", description="Reaching agreement."),
    skill("COM-2", "Presenting", "COM"),
    skill("DAT", "Data", kind="category"),
    skill("DAT-1", "SQL", "DAT", alternative_labels=["Structured Query Language"]),
]


def tree() -> dict[str, str]:
    return {s.code: (s.parent.code if s.parent else "") for s in Skill.objects.filter(framework__code="acme")}


def test_first_import_creates_the_framework_its_scale_and_tree():
    report = framework_import(parsed=parsed(*VERSION_1, scale=[ParsedLevel(1, "Aware"), ParsedLevel(2, "Skilled")]))
    assert report.applied and report.new_framework
    assert len(report.added) == 5
    framework = Framework.objects.get(code="acme")
    assert [level.name for level in framework.levels.all()] == ["Aware", "Skilled"]
    assert tree() == {"COM": "", "COM-1": "COM", "COM-2": "COM", "DAT": "", "DAT-1": "DAT"}
    sql = Skill.objects.get(code="DAT-1")
    assert sql.alternative_label_list == ["Structured Query Language"]
    assert [s.code for s in Skill.objects.filter(parent__code="COM")] == ["COM-1", "COM-2"]


def test_reimport_updates_moves_adds_and_retires_by_code_without_duplicates():
    framework_import(parsed=parsed(*VERSION_1))
    story = StoryFactory(skills=[Skill.objects.get(code="COM-2")])
    version_2 = [
        skill("COM", "Communication", kind="category"),
        skill("COM-1", "Negotiating", "COM", description="Reaching agreement."),  # renamed
        skill("DAT", "Data", kind="category"),
        skill("DAT-1", "SQL", "COM", alternative_labels=["Structured Query Language"]),  # moved
        skill("DAT-2", "Python", "DAT"),  # new
    ]  # COM-2 "Presenting" has gone
    report = framework_import(parsed=parsed(*version_2))
    assert (report.added, report.updated, report.moved, report.retired) == (
        ["Python"],
        ["Negotiating"],
        ["SQL"],
        ["Presenting"],
    )
    assert Skill.objects.filter(framework__code="acme").count() == 6
    presenting = Skill.objects.get(code="COM-2")
    assert presenting.is_retired
    assert list(story.skills.all()) == [presenting]  # the story keeps its tag
    assert tree()["DAT-1"] == "COM"


def test_reimporting_the_same_file_changes_nothing():
    framework_import(parsed=parsed(*VERSION_1))
    before = list(Skill.objects.values_list("pk", "slug", "name", "parent_id", "position"))
    report = framework_import(parsed=parsed(*VERSION_1))
    assert report.changes == 0 and report.unchanged == 5
    assert list(Skill.objects.values_list("pk", "slug", "name", "parent_id", "position")) == before


def test_a_retired_skill_that_comes_back_is_restored():
    framework_import(parsed=parsed(*VERSION_1))
    framework_import(parsed=parsed(*VERSION_1[:2]))
    assert Skill.objects.get(code="COM-2").is_retired
    report = framework_import(parsed=parsed(*VERSION_1))
    assert "Presenting" in report.updated
    assert not Skill.objects.filter(framework__code="acme", is_retired=True).exists()


def test_a_file_with_problems_changes_nothing():
    framework_import(parsed=parsed(*VERSION_1))
    report = framework_import(
        parsed=parsed(skill("COM-1", "Renamed"), problems=[Problem(4, "Code 'COM-1' is also used on row 2.")])
    )
    assert not report.ok and not report.applied
    assert Skill.objects.get(code="COM-1").name == "Negotiation"
    assert not Skill.objects.get(code="COM-2").is_retired


def test_dry_run_reports_but_writes_nothing():
    report = framework_import(parsed=parsed(*VERSION_1), dry_run=True)
    assert len(report.added) == 5 and not report.applied
    assert not Framework.objects.exists()


def test_same_names_in_two_frameworks_get_distinct_slugs():
    framework_import(parsed=parsed(*VERSION_1))
    framework_import(parsed=ParsedFramework(format="plain", code="other", skills=[skill("X", "Negotiation")]))
    slugs = list(Skill.objects.filter(name="Negotiation").values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) == 2


def test_builtin_framework_loads_and_reloads_idempotently():
    framework = framework_load_builtin()
    count = framework.skills.count()
    assert framework.is_builtin and count > 40
    assert framework.levels.count() == 4
    framework_load_builtin()
    assert framework.skills.count() == count


def test_merging_moves_stories_and_keeps_the_name_as_alternative_label():
    target = SkillFactory(name="Negotiation", alternative_labels="Bargaining")
    source = SkillFactory(name="Negotiating", alternative_labels="Deal making")
    child = SkillFactory(name="Contract negotiation", parent=source)
    both = StoryFactory(skills=[source, target])
    only_source = StoryFactory(skills=[source])

    moved = skill_merge(source=source, target=target)

    assert moved == 1
    assert list(both.skills.all()) == [target] and list(only_source.skills.all()) == [target]
    target.refresh_from_db()
    source.refresh_from_db()
    child.refresh_from_db()
    assert target.alternative_label_list == ["Bargaining", "Negotiating", "Deal making"]
    assert source.is_retired and child.parent == target


def test_a_skill_cannot_merge_into_itself_or_a_category():
    negotiation = SkillFactory()
    with pytest.raises(ValidationError):
        skill_merge(source=negotiation, target=negotiation)
    with pytest.raises(ValidationError):
        skill_merge(source=negotiation, target=SkillFactory(kind=Skill.Kind.CATEGORY))


def test_a_new_framework_without_a_name_is_named_after_its_file():
    nameless = ParsedFramework(format="plain", skills=[skill("X", "Negotiation")])
    report = framework_import(parsed=nameless, default_name="acme-skills-2026")
    assert report.applied
    assert Framework.objects.get(code="acme-skills-2026").name == "acme-skills-2026"
    assert not framework_import(parsed=nameless).ok  # nothing to name it by


def test_a_scale_name_or_description_change_alone_is_reported_before_it_is_applied():
    framework_import(parsed=parsed(*VERSION_1, scale=[ParsedLevel(1, "Aware"), ParsedLevel(2, "Skilled", "Alone.")]))
    renamed = parsed(*VERSION_1, scale=[ParsedLevel(1, "Aware"), ParsedLevel(2, "Expert"), ParsedLevel(3, "Master")])
    renamed.name, renamed.description = "Acme skills 2", "New words."

    preview = framework_import(parsed=renamed, dry_run=True)

    assert preview.framework_changes == [
        "Name: “Acme skills” becomes “Acme skills 2”",
        "Description: added",
        "Level 2: “Skilled” becomes “Expert”",
        "Level 2 “Expert”: description rewritten",
        "Level 3 “Master”: added to the scale",
    ]
    assert preview.changes == 5 and preview.unchanged == 5
    assert preview.summary() == "5 changes to the framework"
    assert framework_import(parsed=parsed(*VERSION_1[:4]), dry_run=True).summary() == "1 retired"
    framework = Framework.objects.get(code="acme")
    assert (framework.name, [level.name for level in framework.levels.all()]) == ("Acme skills", ["Aware", "Skilled"])

    applied = framework_import(parsed=renamed)

    assert applied.framework_changes == preview.framework_changes
    framework.refresh_from_db()
    assert (framework.name, framework.description) == ("Acme skills 2", "New words.")
    assert list(framework.levels.values_list("name", "description")) == [
        ("Aware", ""),
        ("Expert", ""),
        ("Master", ""),
    ]
    assert framework_import(parsed=renamed).changes == 0


def test_a_file_without_a_scale_keeps_the_framework_scale_and_reports_no_change():
    framework_import(parsed=parsed(*VERSION_1, scale=[ParsedLevel(1, "Aware")]))

    report = framework_import(parsed=parsed(*VERSION_1))

    assert report.framework_changes == [] and report.changes == 0
    assert Framework.objects.get(code="acme").levels.count() == 1


def test_a_new_only_import_refuses_a_code_that_is_taken():
    framework_import(parsed=parsed(*VERSION_1))

    report = framework_import(parsed=parsed(skill("X", "Other")), new_only=True)

    assert [str(problem) for problem in report.problems] == [
        "The framework “Acme skills” already has the code “acme”: update it, or give the new framework another code."
    ]
    assert not report.applied and not Skill.objects.filter(code="X").exists()
    assert framework_import(parsed=parsed(skill("X", "Other")), framework_code="acme-2", new_only=True).applied


@pytest.mark.parametrize("fmt", sorted(VERSIONS))
def test_reimporting_a_changed_file_keeps_the_framework_name(fmt):
    versions = VERSIONS[fmt]

    def import_(content: bytes, **choices):
        parsed = parse_framework_file(io.BytesIO(content), filename=versions.filename)
        return framework_import(parsed=parsed, default_name="from the file name", **choices)

    first = import_(versions.first, framework_name=versions.first_name)
    assert first.ok, first.problems
    # The admin names the framework it updates by code; a curator may type its name again.
    second = import_(versions.second, framework_code=first.framework_code, framework_name=versions.first_name)

    assert second.ok and len(second.updated) == 1, second
    assert second.framework_name == versions.name
    assert Framework.objects.get(code=first.framework_code).name == versions.name
    third = import_(versions.first, framework_code=first.framework_code)  # and without a name
    assert len(third.updated) == 1
    assert Framework.objects.get(code=first.framework_code).name == versions.name


def test_only_a_new_name_or_the_files_framework_row_renames_a_framework():
    framework_import(parsed=parsed(*VERSION_1), framework_name="Acme")
    renamed = framework_import(parsed=parsed(*VERSION_1), framework_code="acme", framework_name="Acme 2")
    assert renamed.framework_name == "Acme 2"
    assert Framework.objects.get(code="acme").name == "Acme 2"

    from_row = ParsedFramework(format="moodle", code="acme", name="Acme from Moodle", skills=list(VERSION_1))
    framework_import(parsed=from_row)
    assert Framework.objects.get(code="acme").name == "Acme from Moodle"


def test_report_counts_every_skill_once_and_reordering_counts_as_moved():
    framework_import(parsed=parsed(*VERSION_1))
    version_2 = [
        skill("COM", "Communication", kind="category"),
        skill("COM-2", "Presenting", "COM"),  # swapped with COM-1: reordered only
        skill("COM-1", "Negotiation", "COM", description="Reaching agreement."),
        skill("DAT", "Data", kind="category"),
        skill("DAT-2", "Python", "COM"),  # new
    ]  # DAT-1 retired

    report = framework_import(parsed=parsed(*version_2), dry_run=True)

    assert (report.added, report.updated, report.moved, report.retired, report.unchanged) == (
        ["Python"],
        [],
        ["Presenting", "Negotiation"],
        ["SQL"],
        2,
    )
    total = len(report.added) + len(report.updated) + len(report.moved) + len(report.retired) + report.unchanged
    assert total == len(version_2) + len(report.retired)
    framework_import(parsed=parsed(*version_2))
    assert [s.code for s in Skill.objects.filter(parent__code="COM")] == ["COM-2", "COM-1", "DAT-2"]


def test_a_file_without_a_tree_warns_that_it_flattens_the_framework():
    framework_import(parsed=parsed(*VERSION_1))
    flat = [skill(s.code, s.name, kind=s.kind) for s in VERSION_1]

    report = framework_import(parsed=parsed(*flat), dry_run=True)

    assert report.ok
    assert report.warnings == [
        "The file gives no skill a parent, so this import flattens the framework's tree: 3 skills lose their parent. "
        "For ESCO, import the broader relations file with it."
    ]
    assert framework_import(parsed=parsed(*VERSION_1), dry_run=True).warnings == []


def test_a_name_repeated_thousands_of_times_gets_distinct_slugs():
    many = [skill(f"C{number}", "Communication") for number in range(3000)]
    SkillFactory(name="Communication", slug="communication-2")

    framework_import(parsed=parsed(*many))

    slugs = list(Skill.objects.filter(framework__code="acme").values_list("slug", flat=True))
    assert len(set(slugs)) == 3000
    assert {"communication", "communication-3", "communication-3001"} <= set(slugs)
    assert "communication-2" not in slugs

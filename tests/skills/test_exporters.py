import csv
import io

import pytest

from skills.exporters import FORMATS, export_framework
from skills.importers import ParsedFramework, ParsedLevel, ParsedSkill, parse_framework_file
from skills.models import Framework, Skill
from skills.services import framework_import

pytestmark = pytest.mark.django_db

TRICKY = 'Ünïcode, "quoted",\nand on a new line'


def skill(code, name, parent="", kind="skill", **extra) -> ParsedSkill:
    return ParsedSkill(row=0, code=code, name=name, kind=kind, parent_code=parent, **extra)


def framework_using_every_field() -> Framework:
    """Names with commas, quotes, new lines, a leading = and non-ASCII; a scale whose names hold commas; all three
    kinds, three tree levels, siblings out of alphabetical order, alternative labels and level descriptors."""
    framework_import(
        parsed=ParsedFramework(
            format="plain",
            code="acme",
            name="Acme, “the” skills",
            description='How we grow.\n\n=Reviewed "yearly", by the guild.',
            scale=[
                ParsedLevel(1, "Follow", "Works under close direction."),
                ParsedLevel(2, "Ensure, advise", 'Advises, with "authority".\nSecond line.'),
                ParsedLevel(3, "Set strategy, inspire, mobilise", ""),
            ],
            skills=[
                skill("Z-CAT", "Zeta category", kind="category", description="=Comes first all the same"),
                skill("Z-1", TRICKY, "Z-CAT", alternative_labels=["=SUM(A1)", "Mit Umlaut: ä", "+plus, comma"]),
                skill("Z-1-a", "-Minus first", "Z-1", level_descriptors={"1": "@at start", "3": 'Leads, "all".'}),
                skill("Z-0", "Anchor", "Z-CAT", description="Second sibling, alphabetically first"),
                skill("A-STR", "Résilience", kind="strength", level_descriptors={"2": "Recovers\nquickly."}),
                skill("M-9", "Beyond the scale", level_descriptors={"5": "Described outside the scale."}),
            ],
        )
    )
    return Framework.objects.get(code="acme")


def everything(framework: Framework) -> dict:
    return {
        "framework": (framework.code, framework.name, framework.description),
        "scale": list(framework.levels.values_list("level", "name", "description")),
        "skills": list(
            framework.skills.order_by("code").values_list(
                "code",
                "name",
                "kind",
                "parent__code",
                "position",
                "description",
                "alternative_labels",
                "level_descriptors",
                "is_retired",
            )
        ),  # fmt: skip
    }


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_export_format_imports_back_into_an_identical_framework(fmt):
    framework = framework_using_every_field()
    before = everything(framework)
    content, _, filename = export_framework(framework, fmt)
    framework.delete()

    parsed = parse_framework_file(io.BytesIO(content), filename=filename)
    assert parsed.ok, parsed.problems
    report = framework_import(parsed=parsed)

    assert report.ok and report.new_framework, report.problems
    assert everything(Framework.objects.get()) == before


def test_retired_skills_are_left_out_and_their_live_children_come_out_at_the_top():
    framework = framework_using_every_field()
    Skill.objects.filter(code="Z-1").update(is_retired=True)

    content, _, filename = export_framework(framework, "csv")
    parsed = parse_framework_file(io.BytesIO(content), filename=filename)

    assert parsed.ok, parsed.problems
    assert {skill.code: skill.parent_code for skill in parsed.skills}["Z-1-a"] == ""
    assert "Z-1" not in {skill.code for skill in parsed.skills}


def test_plain_export_starts_with_the_framework_and_its_scale_and_neutralises_formulas():
    content, content_type, filename = export_framework(framework_using_every_field(), "csv")

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert (content_type, filename) == ("text/csv; charset=utf-8", "acme.csv")
    assert rows[:5] == [
        [
            "code",
            "name",
            "kind",
            "parent code",
            "description",
            "alternative labels",
            *(f"level {n}" for n in (1, 2, 3, 5)),
        ],
        [
            "acme",
            "Acme, “the” skills",
            "framework",
            "",
            'How we grow.\n\n=Reviewed "yearly", by the guild.',
            "",
            *[""] * 4,
        ],
        ["1", "Follow", "level", "", "Works under close direction.", "", *[""] * 4],
        ["2", "Ensure, advise", "level", "", 'Advises, with "authority".\nSecond line.', "", *[""] * 4],
        ["3", "Set strategy, inspire, mobilise", "level", "", "", "", *[""] * 4],
    ]
    assert ["Z-CAT", "Zeta category", "category", "", "'=Comes first all the same", "", *[""] * 4] in rows

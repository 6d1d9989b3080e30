"""Exports a framework as the plain spreadsheet (CSV or XLSX) or as Moodle's competency framework CSV.

Every format comes back through the importer into the same framework: its code, name and description, its
proficiency scale, and each live skill's kind, place in the tree, order, description, alternative labels and level
descriptors. Retired skills are left out. Cells that a spreadsheet would run as a formula are neutralised.
"""

import csv
import io
import json
from collections.abc import Iterator

from openpyxl import Workbook

from careerportal.spreadsheets import NEUTRALISED_STARTS
from skills.models import Framework, ProficiencyLevel, Skill

MOODLE_PLAIN_TEXT = "2"  # Moodle's FORMAT_PLAIN: our descriptions are plain text
PLAIN_COLUMNS = ["code", "name", "kind", "parent code", "description", "alternative labels"]
# The plain sheet's rows for the framework itself and for each level of its scale, above the skills.
PLAIN_FRAMEWORK_KIND, PLAIN_LEVEL_KIND = "framework", "level"
MOODLE_COLUMNS = [
    "Parent ID number", "ID number", "Short name", "Description", "Description format", "Scale values",
    "Scale configuration", "Rule type (optional)", "Rule outcome (optional)", "Rule config (optional)",
    "Cross-referenced competency ID numbers", "Exported ID (optional)", "Is framework", "Taxonomy",
]  # fmt: skip
# Moodle reads its columns by position and ignores these, which carry what Moodle has no place for.
MOODLE_EXTRA_COLUMNS = ["Kind", "Alternative labels"]
FORMATS = {
    "csv": ("Plain spreadsheet (CSV)", "text/csv; charset=utf-8", "csv"),
    "xlsx": (
        "Plain spreadsheet (Excel)",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "moodle": ("Moodle competency framework (CSV)", "text/csv; charset=utf-8", "moodle.csv"),
}


def neutralise(value: str) -> str:
    """A cell a spreadsheet would evaluate (=, +, -, @, tab, CR) gets a leading apostrophe; the importer removes it."""
    return f"'{value}" if value.startswith(NEUTRALISED_STARTS) else value


def _live_in_tree_order(framework: Framework) -> list[Skill]:
    """The framework's live skills, parents before their children, siblings in position order; a skill whose parent
    is retired comes at the top level, as on the /skills/ page."""
    skills = list(framework.skills.filter(is_retired=False).order_by("position", "name"))
    children: dict[int | None, list[Skill]] = {}
    known = {skill.pk for skill in skills}
    for skill in skills:
        children.setdefault(skill.parent_id if skill.parent_id in known else None, []).append(skill)
    ordered, stack = [], list(reversed(children.get(None, [])))
    while stack:
        skill = stack.pop()
        ordered.append(skill)
        stack.extend(reversed(children.get(skill.pk, [])))
    return ordered


def _level_numbers(scale: list[ProficiencyLevel], skills: list[Skill]) -> list[int]:
    """Every level of the scale and every level a skill describes (a plain framework may have descriptors only)."""
    described = {
        int(key) for skill in skills for key in skill.level_descriptors if key.isascii() and key.isdigit() and int(key)
    }
    return sorted({level.level for level in scale} | described)


def plain_rows(framework: Framework) -> Iterator[list[str]]:
    """A header, a row for the framework, a row per level of the scale (its number as the code), then the skills."""
    scale = list(framework.levels.all())
    skills = _live_in_tree_order(framework)
    levels = _level_numbers(scale, skills)
    codes = {skill.pk: skill.code for skill in skills}
    yield [*PLAIN_COLUMNS, *(f"level {level}" for level in levels)]
    no_descriptors = [""] * len(levels)
    rows = [
        [framework.code, framework.name, PLAIN_FRAMEWORK_KIND, "", framework.description, "", *no_descriptors],
        *(
            [str(level.level), level.name, PLAIN_LEVEL_KIND, "", level.description, "", *no_descriptors]
            for level in scale
        ),
        *(
            [skill.code, skill.name, skill.kind, codes.get(skill.parent_id, ""), skill.description,
             "\n".join(skill.alternative_label_list), *(skill.level_descriptors.get(str(n), "") for n in levels)]
            for skill in skills
        ),
    ]  # fmt: skip
    for row in rows:
        yield [neutralise(cell) for cell in row]


def moodle_scale(scale: list[ProficiencyLevel]) -> tuple[str, str]:
    """Moodle's scale values and scale configuration for the framework row.

    Moodle separates scale values by commas, so a comma inside a level's name becomes a semicolon there; the exact
    names and descriptions travel in the scale configuration, whose extra keys Moodle keeps and the importer reads.
    """
    values = ",".join(level.name.replace(",", ";") for level in scale)
    configuration = [{"scaleid": "0"}] + [
        {
            "id": level.level,
            "scaledefault": int(index == 0),
            "proficient": int(index == len(scale) - 1),
            "name": level.name,
            "description": level.description,
        }
        for index, level in enumerate(scale)
    ]
    return values, json.dumps(configuration, ensure_ascii=False, separators=(",", ":"))


def moodle_rows(framework: Framework) -> Iterator[list[str]]:
    scale = list(framework.levels.all())
    skills = _live_in_tree_order(framework)
    levels = _level_numbers(scale, skills)
    codes = {skill.pk: skill.code for skill in skills}
    yield [*MOODLE_COLUMNS, *MOODLE_EXTRA_COLUMNS, *(f"Level {level}" for level in levels)]
    scale_values, configuration = moodle_scale(scale)
    framework_row = ["", framework.code, framework.name, framework.description, MOODLE_PLAIN_TEXT,
                     scale_values, configuration, "", "", "", "", "", "1", ""]  # fmt: skip
    yield [neutralise(cell) for cell in framework_row]
    for skill in skills:
        row = [codes.get(skill.parent_id, ""), skill.code, skill.name, skill.description, MOODLE_PLAIN_TEXT,
               "", "", "", "", "", "", "", "0", "", skill.kind, "\n".join(skill.alternative_label_list),
               *(skill.level_descriptors.get(str(level), "") for level in levels)]  # fmt: skip
        yield [neutralise(cell) for cell in row]


def to_csv(rows: Iterator[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def to_xlsx(rows: Iterator[list[str]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Skills")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_framework(framework: Framework, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the framework in one of FORMATS."""
    _, content_type, extension = FORMATS[fmt]
    if fmt == "moodle":
        content = to_csv(moodle_rows(framework))
    elif fmt == "xlsx":
        content = to_xlsx(plain_rows(framework))
    else:
        content = to_csv(plain_rows(framework))
    return content, content_type, f"{framework.code}.{extension}"

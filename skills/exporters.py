"""Exports a framework as the plain spreadsheet (CSV or XLSX) or as Moodle's competency framework CSV.

Both come back through the importer unchanged. Cells that a spreadsheet would run as a formula are neutralised.
"""

import csv
import io
from collections.abc import Iterator

from openpyxl import Workbook

from skills.models import Framework, Skill

FORMULA_STARTS = ("=", "+", "-", "@")
MOODLE_PLAIN_TEXT = "2"  # Moodle's FORMAT_PLAIN: our descriptions are plain text
PLAIN_COLUMNS = ["code", "name", "kind", "parent code", "description", "alternative labels"]
MOODLE_COLUMNS = [
    "Parent ID number", "ID number", "Short name", "Description", "Description format", "Scale values",
    "Scale configuration", "Rule type (optional)", "Rule outcome (optional)", "Rule config (optional)",
    "Cross-referenced competency ID numbers", "Exported ID (optional)", "Is framework", "Taxonomy",
]  # fmt: skip
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
    """A cell a spreadsheet would evaluate (=, +, -, @) gets a leading apostrophe; the importer removes it again."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _in_tree_order(framework: Framework) -> list[Skill]:
    """Every skill of the framework, parents before their children, siblings in position order."""
    skills = list(framework.skills.select_related(None).order_by("position", "name"))
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


def plain_rows(framework: Framework) -> Iterator[list[str]]:
    scale = [level.level for level in framework.levels.all()]
    yield [*PLAIN_COLUMNS, *(f"level {level}" for level in scale)]
    skills = _in_tree_order(framework)
    codes = {skill.pk: skill.code for skill in skills}
    for skill in skills:
        if skill.is_retired:
            continue
        row = [
            skill.code, skill.name, skill.kind, codes.get(skill.parent_id, ""), skill.description,
            "\n".join(skill.alternative_label_list),
            *(skill.level_descriptors.get(str(level), "") for level in scale),
        ]  # fmt: skip
        yield [neutralise(cell) for cell in row]


def moodle_rows(framework: Framework) -> Iterator[list[str]]:
    yield MOODLE_COLUMNS
    levels = list(framework.levels.all())
    configuration = '[{"scaleid":"0"}' + "".join(
        f',{{"id":{level.level},"scaledefault":{int(i == 0)},"proficient":{int(i == len(levels) - 1)}}}'
        for i, level in enumerate(levels)
    )
    scale_values = ",".join(level.name for level in levels)
    framework_row = ["", framework.code, framework.name, framework.description, MOODLE_PLAIN_TEXT,
                     scale_values, configuration + "]", "", "", "", "", "", "1", ""]  # fmt: skip
    yield [neutralise(cell) for cell in framework_row]
    skills = _in_tree_order(framework)
    codes = {skill.pk: skill.code for skill in skills}
    for skill in skills:
        if not skill.is_retired:
            row = [codes.get(skill.parent_id, ""), skill.code, skill.name, skill.description, MOODLE_PLAIN_TEXT,
                   "", "", "", "", "", "", "", "", ""]  # fmt: skip
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

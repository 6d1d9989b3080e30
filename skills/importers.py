"""Reading a company's skills framework file into one neutral structure.

`parse_framework_file` understands Moodle competency framework CSVs, ESCO's skills CSV, SFIA's skills
sheet, O*NET's Content Model Reference and a plain spreadsheet, as their publishers ship them: CSV in UTF-8,
UTF-16 or Windows-1252, with Excel's `sep=` line, or `.xlsx`. It never touches the database: it returns a
`ParsedFramework` listing every problem it found (the caller imports all of it or nothing) and every warning
(a publisher's quirk that was skipped or worked around; warnings never stop an import). Files are read as
streams, row by row, within caps on rows, cell size and a workbook's expanded size, so memory stays bounded
(careerportal.spreadsheets reads them).
"""

import html
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import BinaryIO, NamedTuple

import nh3

from careerportal.spreadsheets import Columns, Problem, Rows, Unreadable, capped, loops, normalise, open_rows

FORMATS = {
    "moodle": "Moodle competency framework CSV",
    "esco": "ESCO skills CSV",
    "sfia": "SFIA skills CSV",
    "onet": "O*NET Content Model Reference (text, CSV or XLSX)",
    "plain": "Plain spreadsheet (CSV or XLSX)",
}

KINDS = ("skill", "strength", "category")
MAX_CODE_LENGTH = 255  # Skill.code
MAX_NAME_LENGTH = 255  # Skill.name
MAX_LEVEL_NAME_LENGTH = 100  # ProficiencyLevel.name
MAX_LEVEL = 99
MAX_DESCRIPTION_LENGTH = 10_000
MAX_LABEL_LENGTH = 255
# Caps that keep a hostile or mistaken file from taking the server's memory and time.
MAX_ROWS = 100_000  # ESCO, the largest published framework, has about 14,000
SFIA_LEVEL_NAMES = (
    "Follow",
    "Assist",
    "Apply",
    "Enable",
    "Ensure, advise",
    "Initiate, influence",
    "Set strategy, inspire, mobilise",
)

NO_SKILLS = "The file has no skills."

_TRUE_VALUES = {"1", "true", "yes"}
# "level 3" or "Level 3 description": a skill's descriptor for level 3 (the plain sheet, and our Moodle export).
_LEVEL_COLUMN = r"level([1-9][0-9]*)(?:description)?"


@dataclass
class ParsedLevel:
    level: int
    name: str
    description: str = ""


@dataclass
class ParsedSkill:
    row: int
    code: str
    name: str
    kind: str
    parent_code: str = ""
    description: str = ""
    alternative_labels: list[str] = field(default_factory=list)
    level_descriptors: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedFramework:
    """`name` is the framework's name as the file states it (Moodle's framework row), `default_name` what the
    format calls a new framework ("ESCO skills"); `encoding` is the text encoding a CSV was read in ("" for
    XLSX); `warnings` are sentences about publisher quirks that were skipped or worked around, with their rows."""

    format: str
    code: str = ""
    name: str = ""
    default_name: str = ""
    description: str = ""
    encoding: str = ""
    scale: list[ParsedLevel] = field(default_factory=list)
    skills: list[ParsedSkill] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add_problem(self, row: int | None, message: str) -> None:
        self.problems.append(Problem(row, message))


class _Labels(NamedTuple):
    """What a format calls its code, name and parent columns, for messages; code and name are required."""

    code: str
    name: str
    parent: str


_LABELS = {
    "moodle": _Labels("ID number", "Short name", "Parent ID number"),
    "esco": _Labels("conceptUri", "preferredLabel", "broader skill"),
    "sfia": _Labels("Code", "Skill", "parent"),
    "onet": _Labels("Element ID", "Element Name", "parent Element ID"),
    "plain": _Labels("code", "name", "parent code"),
}


def parse_framework_file(
    file: BinaryIO,
    *,
    filename: str = "",
    format: str | None = None,
    broader_file: BinaryIO | None = None,
    max_bytes: int | None = None,
) -> ParsedFramework:
    """Parses a framework file (CSV or XLSX, seekable) and reports every problem; `format` skips detection."""
    result = ParsedFramework(format=format or "")
    try:
        _parse_into(result, file, filename=filename, broader_file=broader_file, max_bytes=max_bytes)
    except Unreadable as error:
        result.add_problem(None, str(error))
    result.problems = capped(result.problems)
    return result


def _parse_into(
    result: ParsedFramework,
    file: BinaryIO,
    *,
    filename: str,
    broader_file: BinaryIO | None,
    max_bytes: int | None,
) -> None:
    if result.format and result.format not in FORMATS:
        raise Unreadable(f"Unknown format '{result.format}'; choose one of: {', '.join(FORMATS)}.")
    with open_rows(file, max_bytes=max_bytes, max_rows=MAX_ROWS) as (rows, encoding):
        result.encoding = encoding
        first = next(rows, None)
        if first is None:
            raise Unreadable(f"{NO_SKILLS} It is empty.")
        columns = Columns(first[1])
        result.format = result.format or _detect_format(columns)
        if not result.format:
            raise Unreadable(
                f"Could not tell the format from the columns ({columns.found()}); choose it explicitly: "
                f"{_joined(list(FORMATS.values()), 'or')}."
            )
        labels = _LABELS[result.format]
        missing = [label for label in (labels.code, labels.name) if not columns.has(normalise(label))]
        if missing:
            raise Unreadable(
                f"The file is missing required columns for {FORMATS[result.format]}: {', '.join(missing)}. "
                f"Columns found: {columns.found()}."
            )
        _PARSERS[result.format](result, columns, rows)
    if not result.skills:
        raise Unreadable(f"{NO_SKILLS} It has a header row but no skills under it.")
    if result.format == "sfia":
        result.default_name = _sfia_name(filename)
    if broader_file is not None:
        if result.format == "esco":
            _apply_broader_relations(result, broader_file, max_bytes=max_bytes)
        else:
            result.notes.append("The broader relations file was ignored: it is only used with ESCO.")
    _check_tree(result, labels)


# Reading rows
def _detect_format(columns: Columns) -> str:
    """The format a telling column points to, so a file missing a required column gets a precise message."""
    if columns.has("concepturi") or columns.has("preferredlabel"):
        return "esco"
    if columns.has("elementid") and columns.has("elementname"):
        return "onet"
    if columns.has("idnumber") or columns.has("shortname") or columns.has("isframework"):
        return "moodle"
    if columns.has("skill") and not columns.has("name"):  # SFIA calls its name column "Skill".
        return "sfia"
    if columns.has("code") or columns.has("name"):
        return "plain"
    return ""


# Formats


def _parse_moodle(result: ParsedFramework, columns: Columns, rows: Rows) -> None:
    """One optional framework row (Is framework = 1) and competencies linked by Parent ID number."""
    labels = _LABELS["moodle"]
    framework_row = 0
    cross_references = 0
    stated_kinds = set()  # codes whose Kind cell (our exports' column) says what they are
    for row, cells in rows:
        code = columns.value(cells, "idnumber")
        name = columns.value(cells, "shortname")
        description = _moodle_description(
            columns.value(cells, "description"), columns.value(cells, "descriptionformat")
        )
        if columns.value(cells, "isframework").lower() in _TRUE_VALUES:
            if framework_row:
                result.add_problem(
                    row,
                    f"only one row can be the framework (Is framework = 1); row {framework_row} already is.",
                )
                continue
            framework_row = row
            result.code, result.name, result.description = code, name, description
            result.scale = _moodle_scale(
                result, row, columns.value(cells, "scalevalues"), columns.value(cells, "scaleconfiguration")
            )
            _check_values(result, row, labels, code=code, name=name, description=description)
            continue
        if columns.value(cells, "crossreferencedcompetencyidnumbers"):
            cross_references += 1
        if columns.value(cells, "kind"):
            stated_kinds.add(code)
        skill = ParsedSkill(
            row=row,
            code=code,
            name=name,
            kind=_kind(result, row, columns.value(cells, "kind")),
            parent_code=columns.value(cells, "parentidnumber"),
            description=description,
            alternative_labels=_labels(columns.value(cells, "alternativelabels")),
            level_descriptors=columns.levels(cells, _LEVEL_COLUMN),
        )
        _add_skill(result, skill, labels)
    _groups_become_categories(result, "competencies", stated=stated_kinds)
    if not framework_row:
        result.notes.append("The file has no framework row (Is framework = 1), so the framework has no code or name.")
    if cross_references:
        result.notes.append(
            f"Cross-referenced competencies were not imported ({_plural(cross_references, 'row')} had them)."
        )


def _moodle_description(text: str, text_format: str) -> str:
    """Moodle descriptions are HTML unless their format says plain text (2) or Markdown (4)."""
    if text_format in ("2", "4") or not re.search(r"<[a-zA-Z/!]|&[#a-zA-Z0-9]+;", text):
        return text
    return _html_to_text(text)


def _html_to_text(value: str) -> str:
    """Plain text of an HTML fragment, keeping paragraphs, line breaks and list items on their own lines."""
    text = re.sub(r"\s*\n\s*", " ", value)
    text = re.sub(r"</(?:p|div|h[1-6]|ul|ol|table)\s*>", "\n\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<br\s*/?>|</li\s*>", "\n", text, flags=re.IGNORECASE)
    text = html.unescape(nh3.clean(text, tags=set()))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _moodle_scale(result: ParsedFramework, row: int, scale_values: str, configuration: str) -> list[ParsedLevel]:
    """The framework row's comma-separated scale values, lowest first, as levels 1..n; or, when the scale
    configuration names its levels (as our export does, so that a name may hold a comma), those names and
    descriptions."""
    scale = _named_scale(configuration) or [
        ParsedLevel(level=level, name=name)
        for level, name in enumerate(filter(None, (name.strip() for name in scale_values.split(","))), start=1)
    ]
    for level in scale:
        _check_length(result, row, f"scale value '{_preview(level.name)}'", level.name, MAX_LEVEL_NAME_LENGTH)
        _check_length(
            result, row, f"scale value {level.level}'s description", level.description, MAX_DESCRIPTION_LENGTH
        )
    return scale


def _named_scale(configuration: str) -> list[ParsedLevel]:
    """Levels from a scale configuration whose entries (after the first, Moodle's scale id) carry an id and a name."""
    try:
        entries = json.loads(configuration) if configuration else []
    except ValueError:
        return []
    if not isinstance(entries, list):
        return []
    named = [
        ParsedLevel(
            level=entry["id"], name=entry["name"].strip(), description=str(entry.get("description", "")).strip()
        )
        for entry in entries[1:]
        if isinstance(entry, dict) and entry.get("id") in range(1, MAX_LEVEL + 1) and isinstance(entry.get("name"), str)
    ]
    return sorted(named, key=lambda level: level.level) if named else []


def _parse_esco(result: ParsedFramework, columns: Columns, rows: Rows) -> None:
    """ESCO's skills_en.csv: one skill per concept URI, flat until broader relations give it a tree.

    ESCO's own quirks lose nothing and only warn: a concept without a preferred label takes its first alternative
    label, or is skipped when it has none; obsolete concepts are skipped; hidden labels (ESCO's search terms) are
    left out."""
    result.code, result.default_name = "esco", "ESCO skills"
    labels = _LABELS["esco"]
    renamed, unlabelled, obsolete, hidden = [], [], [], []
    for row, cells in rows:
        code = columns.value(cells, "concepturi")
        name = columns.value(cells, "preferredlabel")
        alternative_labels = _distinct(columns.value(cells, "altlabels").splitlines())
        if columns.value(cells, "hiddenlabels"):
            hidden.append(row)
        if code and columns.value(cells, "status").lower() == "obsolete":
            obsolete.append(row)
            continue
        if code and not name:
            if not alternative_labels:
                unlabelled.append(row)
                continue
            name = alternative_labels.pop(0)
            renamed.append(row)
        skill = ParsedSkill(
            row=row,
            code=code,
            name=name,
            kind="skill",
            description=columns.value(cells, "description") or columns.value(cells, "definition"),
            alternative_labels=alternative_labels,
        )
        _add_skill(result, skill, labels)
    if unlabelled:
        result.warnings.append(
            f"Skipped {_plural(len(unlabelled), 'concept')} with no preferredLabel and no altLabels "
            f"({_rows(unlabelled)}): there is no name to show for them."
        )
    if renamed:
        result.warnings.append(
            f"Concepts with no preferredLabel are named after their first altLabel ({_rows(renamed)})."
        )
    if obsolete:
        result.warnings.append(f"Skipped {_plural(len(obsolete), 'obsolete concept')} ({_rows(obsolete)}).")
    if hidden:
        result.warnings.append(
            f"hiddenLabels were not imported ({_rows(hidden)}): ESCO keeps them as search terms, not names to show."
        )


def _apply_broader_relations(result: ParsedFramework, file: BinaryIO, *, max_bytes: int | None) -> None:
    """Sets parents from ESCO's broader relations between two skills of the file; the first relation wins."""
    skills: dict[str, ParsedSkill] = {}
    for skill in result.skills:
        skills.setdefault(skill.code, skill)
    outside = extra = 0
    try:
        with open_rows(file, max_bytes=max_bytes, max_rows=MAX_ROWS) as (rows, _encoding):
            first = next(rows, None)
            if first is None:
                raise Unreadable("The file is empty.")
            columns = Columns(first[1])
            if not (columns.has("concepturi") and columns.has("broaderuri")):
                raise Unreadable(f"The file needs conceptUri and broaderUri columns. Columns found: {columns.found()}.")
            for _row, cells in rows:
                child = skills.get(columns.value(cells, "concepturi"))
                parent = skills.get(columns.value(cells, "broaderuri"))
                if child is None or parent is None:
                    outside += 1
                elif child.parent_code:
                    extra += 1
                else:
                    child.parent_code = parent.code
    except Unreadable as error:
        result.add_problem(None, f"Broader relations file: {error}")
        return
    if outside:
        result.notes.append(
            f"Ignored {_plural(outside, 'broader relation')} pointing outside the file (for example to skill groups)."
        )
    if extra:
        result.notes.append(
            f"Ignored {_plural(extra, 'further broader relation')} between skills: "
            "a skill takes the first broader skill listed for it as its parent."
        )


def _parse_sfia(result: ParsedFramework, columns: Columns, rows: Rows) -> None:
    """SFIA's skills sheet: categories and subcategories become category nodes above the skills."""
    result.code, result.default_name = "sfia", "SFIA"
    result.scale = [ParsedLevel(level=level, name=name) for level, name in enumerate(SFIA_LEVEL_NAMES, start=1)]
    labels = _LABELS["sfia"]
    groups: set[str] = set()
    for row, cells in rows:
        category = columns.value(cells, "category")
        subcategory = columns.value(cells, "subcategory")
        parent_code = ""
        if category:
            parent_code = _sfia_group(result, groups, row, f"sfia-cat-{_slug(category)}", category, "")
        if subcategory:
            code = "sfia-sub-" + "--".join(filter(None, [_slug(category), _slug(subcategory)]))
            parent_code = _sfia_group(result, groups, row, code, subcategory, parent_code)
        overall = columns.value(cells, "overalldescription", "description", "skilldescription")
        skill = ParsedSkill(
            row=row,
            code=columns.value(cells, "code"),
            name=columns.value(cells, "skill"),
            kind="skill",
            parent_code=parent_code,
            description="\n\n".join(filter(None, [overall, columns.value(cells, "guidancenotes")])),
            level_descriptors=columns.levels(cells, r"level([1-7])description"),
        )
        _add_skill(result, skill, labels)


def _sfia_group(result: ParsedFramework, groups: set[str], row: int, code: str, name: str, parent: str) -> str:
    """Adds a category node the first time it is seen; returns its code."""
    if code not in groups:
        groups.add(code)
        _add_skill(result, ParsedSkill(row, code, name, "category", parent_code=parent), _LABELS["sfia"])
    return code


def _sfia_name(filename: str) -> str:
    version = re.search(r"sfia[\s_-]*v?(\d+)", filename, flags=re.IGNORECASE)
    return f"SFIA {version.group(1)}" if version else "SFIA"


def _parse_onet(result: ParsedFramework, columns: Columns, rows: Rows) -> None:
    """O*NET's Content Model Reference: dotted Element IDs encode the tree (1.A.1.a's parent is 1.A.1), and the
    elements that hold others are O*NET's headings, so they become categories above the rated elements."""
    result.code, result.default_name = "onet", "O*NET content model"
    labels = _LABELS["onet"]
    for row, cells in rows:
        code = columns.value(cells, "elementid")
        name = columns.value(cells, "elementname")
        description = columns.value(cells, "description")
        skill = ParsedSkill(
            row=row,
            code=code,
            name=name,
            kind="skill",
            parent_code=code.rpartition(".")[0],
            description="" if description == name else description,  # headings repeat their name
        )
        _add_skill(result, skill, labels)
    _groups_become_categories(result)


def _groups_become_categories(result: ParsedFramework, what: str = "", *, stated: set[str] = frozenset()) -> None:
    """Skills that other skills name as their parent group them: they become categories, which are not tagged.
    Rows whose kind the file `stated` keep it (a skill with sub-skills, from our own Moodle export)."""
    holders = {skill.parent_code for skill in result.skills if skill.parent_code} - stated
    grouping = [skill for skill in result.skills if skill.code in holders and skill.kind != "category"]
    for skill in grouping:
        skill.kind = "category"
    if grouping and what:
        result.notes.append(
            f"Rows that hold other {what} became categories, which stories are not tagged with: "
            f"{_rows([skill.row for skill in grouping])}."
        )


def _parse_plain(result: ParsedFramework, columns: Columns, rows: Rows) -> None:
    """The hand-written sheet: code, name, kind, parent code, description, alternative labels, level N.

    Optional rows of kind "framework" (its code, name and description) and "level" (the level's number as its code,
    its name and description) carry the framework itself and its proficiency scale.
    """
    labels = _LABELS["plain"]
    framework_row = 0
    for row, cells in rows:
        code, name = columns.value(cells, "code"), columns.value(cells, "name")
        description = columns.value(cells, "description")
        kind = columns.value(cells, "kind")
        if kind.lower() == "framework":
            if framework_row:
                result.add_problem(row, f"only one row can be of kind framework; row {framework_row} already is.")
                continue
            framework_row = row
            result.code, result.name, result.description = code, name, description
            _check_values(result, row, labels, code=code, name=name, description=description)
        elif kind.lower() == "level":
            _add_plain_level(result, row, code, name, description)
        else:
            skill = ParsedSkill(
                row=row,
                code=code,
                name=name,
                kind=_kind(result, row, kind),
                parent_code=columns.value(cells, "parentcode", "parent"),
                description=description,
                alternative_labels=_labels(columns.value(cells, "alternativelabels")),
                level_descriptors=columns.levels(cells, _LEVEL_COLUMN),
            )
            _add_skill(result, skill, labels)
    result.scale.sort(key=lambda level: level.level)


def _add_plain_level(result: ParsedFramework, row: int, code: str, name: str, description: str) -> None:
    if not (code.isascii() and code.isdigit() and 1 <= int(code) <= MAX_LEVEL):
        result.add_problem(row, f"a level's code is its number, 1 (the lowest) to {MAX_LEVEL}, not '{_preview(code)}'.")
        return
    if any(level.level == int(code) for level in result.scale):
        result.add_problem(row, f"level {int(code)} is on another row too; give each level one row.")
        return
    if not name:
        result.add_problem(row, f"level {int(code)} has no name; fill it in or delete the row.")
    _check_length(result, row, f"level {int(code)}'s name", name, MAX_LEVEL_NAME_LENGTH)
    _check_length(result, row, f"level {int(code)}'s description", description, MAX_DESCRIPTION_LENGTH)
    result.scale.append(ParsedLevel(level=int(code), name=name, description=description))


def _kind(result: ParsedFramework, row: int, kind: str) -> str:
    """A skill's kind from its cell (empty means skill); anything else is a problem."""
    if kind.lower() not in ("", *KINDS):
        result.add_problem(row, f"kind '{kind}' is not one of skill, strength or category (leave it empty for skill).")
    return kind.lower() or "skill"


def _labels(cell: str) -> list[str]:
    """Alternative labels separated by new lines or semicolons."""
    return _distinct(re.split(r"[\n;]", cell))


_PARSERS: dict[str, Callable[[ParsedFramework, Columns, Rows], None]] = {
    "moodle": _parse_moodle,
    "esco": _parse_esco,
    "sfia": _parse_sfia,
    "onet": _parse_onet,
    "plain": _parse_plain,
}


# Checks


def _add_skill(result: ParsedFramework, skill: ParsedSkill, labels: _Labels) -> None:
    result.skills.append(skill)
    _check_values(result, skill.row, labels, code=skill.code, name=skill.name, description=skill.description)
    for label in skill.alternative_labels:
        _check_length(result, skill.row, f"alternative label '{_preview(label)}'", label, MAX_LABEL_LENGTH)
    for level, text in skill.level_descriptors.items():
        _check_length(result, skill.row, f"level {level} description", text, MAX_DESCRIPTION_LENGTH)


def _check_values(
    result: ParsedFramework, row: int, labels: _Labels, *, code: str, name: str, description: str
) -> None:
    for label, value in ((labels.code, code), (labels.name, name)):
        if not value:
            result.add_problem(row, f"{label} is empty; fill it in or delete the row.")
    _check_length(result, row, labels.code, code, MAX_CODE_LENGTH)
    _check_length(result, row, labels.name, name, MAX_NAME_LENGTH)
    _check_length(result, row, "description", description, MAX_DESCRIPTION_LENGTH)


def _check_length(result: ParsedFramework, row: int, what: str, value: str, limit: int) -> None:
    if len(value) > limit:
        result.add_problem(row, f"{what} is {len(value):,} characters long; the limit is {limit:,}. Shorten it.")


def _check_tree(result: ParsedFramework, labels: _Labels) -> None:
    """Reports duplicate codes with different content, parents missing from the file and loops of parents; a row
    that repeats an earlier one exactly is dropped with a warning."""
    firsts: dict[str, ParsedSkill] = {}
    first_rows: dict[str, int] = {}
    parents: dict[str, str] = {}
    repeated: list[int] = []
    kept = []
    for skill in result.skills:
        if skill.code in firsts:
            first = firsts[skill.code]
            if replace(skill, row=first.row) == first:
                repeated.append(skill.row)
                continue
            result.add_problem(
                skill.row,
                f"{labels.code} '{skill.code}' is also used on row {first.row}, with different content. "
                f"Give each row its own {labels.code}.",
            )
        elif skill.code:
            firsts[skill.code] = skill
            first_rows[skill.code] = skill.row
            if skill.parent_code:
                parents[skill.code] = skill.parent_code
        kept.append(skill)
    result.skills = kept
    if repeated:
        result.warnings.append(
            f"Skipped {_plural(len(repeated), 'row')} repeating an earlier row exactly ({_rows(repeated)})."
        )
    for skill in result.skills:
        if skill.parent_code and skill.parent_code not in first_rows:
            result.add_problem(
                skill.row,
                f"{labels.parent} '{skill.parent_code}' does not match the {labels.code} of any row; "
                "correct it or leave it empty.",
            )
    for loop in loops(parents):
        start = min(range(len(loop)), key=lambda index: first_rows[loop[index]])
        loop = loop[start:] + loop[:start]
        result.add_problem(first_rows[loop[0]], _loop_message(loop, first_rows, labels))


def _loop_message(loop: list[str], rows: dict[str, int], labels: _Labels) -> str:
    if len(loop) == 1:
        return f"'{loop[0]}' is its own parent. Change its {labels.parent}."
    names = [f"'{code}' (row {rows[code]})" for code in loop]
    chain = ", which has parent ".join([*names[1:], names[0]])
    return (
        f"the parents go round in a loop: {names[0]} has parent {chain}. "
        f"Change one of these {labels.parent}s to break the loop."
    )


# Small helpers


def _distinct(labels: list[str]) -> list[str]:
    """Non-blank labels, stripped, first occurrence kept."""
    return list(dict.fromkeys(label.strip() for label in labels if label.strip()))


def _slug(name: str) -> str:
    """A stable ASCII slug for generated codes, at most 40 characters."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")


def _preview(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"


def _rows(rows: list[int]) -> str:
    """ "row 4", "rows 4, 9 and 12", "rows 4, 9, 12, 20, 31 and 8 more"."""
    if len(rows) == 1:
        return f"row {rows[0]}"
    shown = [str(row) for row in rows[:5]]
    if len(rows) > 5:
        return f"rows {', '.join(shown)} and {len(rows) - 5:,} more"
    return f"rows {_joined(shown, 'and')}"


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _joined(items: list[str], conjunction: str) -> str:
    """ "a, b or c"."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} {items[-1]}"

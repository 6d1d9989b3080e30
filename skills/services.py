"""Writes to the skills framework: the built-in framework, imports and re-imports of a company's matrix, merges."""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from taggit.models import ItemBase

from skills.importers import ParsedFramework, ParsedLevel, ParsedSkill, Problem
from skills.models import Framework, ProficiencyLevel, Skill
from skills.signals import framework_changed, skills_renamed

BUILTIN_FRAMEWORK_FILE = Path(__file__).resolve().parent / "data" / "builtin_framework.json"
BATCH = 500
# What a re-import compares and updates on each skill (the tree is compared separately, by parent code).
SKILL_FIELDS = ("name", "kind", "description", "alternative_labels", "level_descriptors", "position")
EXAMPLES = 5


@dataclass
class ImportReport:
    """What an import changed (or, for a dry run or a preview, would change), or why it changed nothing.

    Each skill of the file, and each skill it retires, is counted once: added, updated (its content changed,
    perhaps its place too), moved (only its parent or its order among siblings changed), retired or unchanged.
    `encoding` names the text encoding the file was read in ("" for a workbook); `warnings` are sentences about
    quirks that were skipped or worked around, which never stop an import."""

    framework_code: str
    framework_name: str
    new_framework: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0
    encoding: str = ""
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.updated) + len(self.moved) + len(self.retired)

    def sections(self) -> list[tuple[str, int, list[str]]]:
        """(label, count, first examples) for each kind of change, for previews and command output."""
        return [
            ("to add", len(self.added), self.added[:EXAMPLES]),
            ("to update", len(self.updated), self.updated[:EXAMPLES]),
            ("to move or reorder", len(self.moved), self.moved[:EXAMPLES]),
            ("to retire", len(self.retired), self.retired[:EXAMPLES]),
        ]


def _skill_values(parsed: ParsedSkill, position: int) -> dict:
    return {
        "name": parsed.name,
        "kind": parsed.kind,
        "description": parsed.description,
        "alternative_labels": "\n".join(parsed.alternative_labels),
        "level_descriptors": parsed.level_descriptors,
        "position": position,
    }


class _Slugs:
    """Unique slugs for many new skills in one pass: the slugs taken are read once, and each base remembers the
    last number it tried, so a name repeated n times costs n steps, not n squared."""

    def __init__(self) -> None:
        self.taken = set(Skill.objects.values_list("slug", flat=True))
        self.last: dict[str, int] = {}

    def new(self, name: str) -> str:
        base = slugify(name, allow_unicode=True)[:240] or "skill"
        n = self.last.get(base, 1)
        slug = base if n == 1 else f"{base}-{n}"
        while slug in self.taken:
            n += 1
            slug = f"{base}-{n}"
        self.last[base] = n
        self.taken.add(slug)
        return slug


def _create_in_tree_order(framework: Framework, new: list[Skill], parents: dict[str, str], *, ids: dict) -> None:
    """Inserts new skills a tree level at a time, so each row is written once with its parent already known."""
    slugs = _Slugs()
    pending = new
    while pending:
        ready = [skill for skill in pending if not parents[skill.code] or parents[skill.code] in ids]
        for skill in ready:
            skill.framework, skill.parent_id = framework, ids.get(parents[skill.code])
            skill.slug = slugs.new(skill.name)
        Skill.objects.bulk_create(ready, batch_size=BATCH)
        ids.update((skill.code, skill.pk) for skill in ready)
        waiting = {id(skill) for skill in ready}
        pending = [skill for skill in pending if id(skill) not in waiting]


def _scale_replace(framework: Framework, scale: list[ParsedLevel]) -> None:
    framework.levels.exclude(level__in=[level.level for level in scale]).delete()
    for level in scale:
        ProficiencyLevel.objects.update_or_create(
            framework=framework,
            level=level.level,
            defaults={"name": level.name, "description": level.description},
        )


@transaction.atomic
def framework_import(
    *,
    parsed: ParsedFramework,
    framework_code: str = "",
    framework_name: str = "",
    default_name: str = "",
    dry_run: bool = False,
) -> ImportReport:
    """Imports a parsed framework file, or re-imports a new version of it, all or nothing.

    Skills are matched by code: new codes are added, known ones updated and moved in the tree, and codes that have
    disappeared are retired (hidden from pickers and browsing, kept on the stories that use them). A file with any
    problem changes nothing. A new framework is named by `framework_name`, else by the file (Moodle's framework
    row), else by its format ("ESCO skills"), else `default_name` (the file's name, say). A re-import keeps the
    framework's name unless `framework_name` or the file's framework row gives it a new one.
    """
    name = framework_name or parsed.name or parsed.default_name or default_name
    code = slugify(framework_code or parsed.code or name)[:100]
    name = name or code
    report = ImportReport(
        framework_code=code,
        framework_name=name,
        encoding=parsed.encoding,
        problems=list(parsed.problems),
        warnings=list(parsed.warnings),
        notes=list(parsed.notes),
    )
    if not code:
        report.problems.append(Problem(None, "Name the framework: the file does not say which framework it is."))
    if not report.ok:
        return report

    framework = Framework.objects.filter(code=code).first()
    report.new_framework = framework is None
    renames = framework is None or bool(framework_name or parsed.name)
    if not renames:
        report.framework_name = framework.name
    existing = {skill.code: skill for skill in Skill.objects.filter(framework=framework)} if framework else {}
    code_by_id = {skill.pk: skill.code for skill in existing.values()}
    if existing and not any(parsed_skill.parent_code for parsed_skill in parsed.skills):
        in_a_tree = sum(1 for skill in existing.values() if skill.parent_id and not skill.is_retired)
        if in_a_tree:
            report.warnings.append(
                f"The file gives no skill a parent, so this import flattens the framework's tree: {in_a_tree:,} "
                "skills lose their parent. For ESCO, import the broader relations file with it."
            )

    siblings: Counter[str] = Counter()
    new, changed, parents = [], [], {}
    skill_changes: dict[int, set[str]] = {}
    for parsed_skill in parsed.skills:
        values = _skill_values(parsed_skill, siblings[parsed_skill.parent_code])
        siblings[parsed_skill.parent_code] += 1
        skill = existing.get(parsed_skill.code)
        if skill is None:
            new.append(Skill(code=parsed_skill.code, **values))
            report.added.append(parsed_skill.name)
            parents[parsed_skill.code] = parsed_skill.parent_code
            continue
        differs = [field_name for field_name in SKILL_FIELDS if getattr(skill, field_name) != values[field_name]]
        restored = skill.is_retired
        skill_changes[skill.pk] = {*differs, *(["is_retired"] if restored else [])}
        moved = code_by_id.get(skill.parent_id, "") != parsed_skill.parent_code
        if differs or restored:
            for field_name in differs:
                setattr(skill, field_name, values[field_name])
            skill.is_retired = False
            changed.append(skill)
        if moved:
            parents[parsed_skill.code] = parsed_skill.parent_code
        if restored or set(differs) - {"position"}:
            report.updated.append(parsed_skill.name)
        elif moved or differs:  # only its parent or its order among siblings changed
            report.moved.append(parsed_skill.name)
        else:
            report.unchanged += 1
    in_file = {parsed_skill.code for parsed_skill in parsed.skills}
    retiring = [skill for code, skill in existing.items() if code not in in_file and not skill.is_retired]
    report.retired = [skill.name for skill in retiring]
    if dry_run:
        return report

    if framework is None:
        framework = Framework.objects.create(code=code, name=name, description=parsed.description)
    elif renames:
        framework.name, framework.description = name, parsed.description or framework.description
        framework.save(update_fields=["name", "description", "updated_at"])
    if parsed.scale:
        _scale_replace(framework, parsed.scale)

    ids = {code: skill.pk for code, skill in existing.items()}
    _create_in_tree_order(framework, new, parents, ids=ids)
    Skill.objects.bulk_update(changed, [*SKILL_FIELDS, "is_retired"], batch_size=BATCH)
    moving = [
        Skill(pk=existing[code].pk, parent_id=ids[parent] if parent else None)
        for code, parent in parents.items()
        if code in existing
    ]
    Skill.objects.bulk_update(moving, ["parent"], batch_size=BATCH)
    retiring_ids = [skill.pk for skill in retiring]
    for start in range(0, len(retiring_ids), BATCH):
        Skill.objects.filter(pk__in=retiring_ids[start : start + BATCH]).update(is_retired=True)
    renamed = {skill.pk for skill in changed if {"name", "alternative_labels", "is_retired"} & skill_changes[skill.pk]}
    renamed.update(retiring_ids)
    if renamed:
        skills_renamed.send(sender=Skill, skill_ids=renamed)
    framework_changed.send(sender=Framework)
    report.applied = True
    return report


def framework_load_builtin(*, path: Path = BUILTIN_FRAMEWORK_FILE) -> Framework:
    """Loads (or brings up to date) the built-in lightweight framework, through the same import as a company's."""
    data = json.loads(path.read_text(encoding="utf-8"))
    skills = []
    for category in data["categories"]:
        skills.append(ParsedSkill(0, category["code"], category["name"], "category", "", category["description"]))
        skills.extend(
            ParsedSkill(
                row=0,
                code=entry["code"],
                name=entry["name"],
                kind=entry["kind"],
                parent_code=category["code"],
                description=entry.get("description", ""),
                alternative_labels=entry.get("alt_labels", []),
                level_descriptors=entry.get("levels", {}),
            )
            for entry in category["skills"]
        )
    parsed = ParsedFramework(
        format="builtin",
        code=data["code"],
        name=data["name"],
        description=data.get("description", ""),
        scale=[ParsedLevel(level["level"], level["name"], level.get("description", "")) for level in data["scale"]],
        skills=skills,
    )
    report = framework_import(parsed=parsed)
    if not report.ok:
        raise ValidationError([str(problem) for problem in report.problems])
    framework = Framework.objects.get(code=data["code"])
    if not framework.is_builtin:
        framework.is_builtin = True
        framework.save(update_fields=["is_builtin"])
    return framework


@transaction.atomic
def skill_merge(*, source: Skill, target: Skill) -> int:
    """Merges `source` into `target`: whatever was tagged with source is tagged with target (once), source's
    sub-skills move under target, its names become target's alternative labels, and source is retired.

    Returns how many tagged items moved. Works for any taggit through model, so skills needs to know no app that tags.
    """
    if source.pk == target.pk:
        raise ValidationError("Choose two different skills to merge.")
    if not target.is_taggable:
        raise ValidationError(f"“{target}” is a category or retired: merge into a live skill or strength.")
    moved = 0
    for relation in Skill._meta.related_objects:
        through = relation.related_model
        if issubclass(through, ItemBase) and relation.field.name == "tag":
            tagged_with_target = through.objects.filter(tag=target).values("content_object")
            through.objects.filter(tag=source, content_object__in=tagged_with_target).delete()
            moved += through.objects.filter(tag=source).update(tag=target)
    source.children.update(parent=target)
    labels = [*target.alternative_label_list, source.name, *source.alternative_label_list]
    target.alternative_labels = "\n".join(dict.fromkeys(label for label in labels if label != target.name))
    target.save(update_fields=["alternative_labels"])
    source.is_retired = True
    source.save(update_fields=["is_retired"])
    skills_renamed.send(sender=Skill, skill_ids={source.pk, target.pk})
    framework_changed.send(sender=Framework)
    return moved

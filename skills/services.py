"""Writes to the skills framework: the built-in framework, imports and re-imports of a company's matrix, merges."""

import datetime
import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import ItemBase

from skills.importers import ParsedFramework, ParsedLevel, ParsedSkill, Problem
from skills.models import Framework, ProficiencyLevel, Skill
from skills.signals import skills_renamed

BUILTIN_FRAMEWORK_FILE = Path(__file__).resolve().parent / "data" / "builtin_framework.json"
BATCH = 500
# What a re-import compares and updates on each skill (the tree is compared separately, by parent code).
SKILL_FIELDS = ("name", "kind", "description", "alternative_labels", "level_descriptors", "position")
EXAMPLES = 5
# A framework file uploaded for a preview waits here until the curator confirms or cancels the import, for
# PREVIEW_LIFETIME at most: each new preview deletes the files of the expired ones.
PREVIEW_DIR = "framework-imports"
PREVIEW_LIFETIME = datetime.timedelta(hours=24)
PREVIEW_TOKEN = re.compile(r"[0-9a-f]{32}")


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
    framework_changes: list[str] = field(default_factory=list)  # to its name, description and scale, in words
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
        return len(self.framework_changes) + len(self.added) + len(self.updated) + len(self.moved) + len(self.retired)

    def summary(self) -> str:
        """What changed, in a few words: "2 changes to the framework, 3 added, 1 retired"."""
        parts = [f"{_plural(len(self.framework_changes), 'change')} to the framework"] if self.framework_changes else []
        for skills, done in (
            (self.added, "added"),
            (self.updated, "updated"),
            (self.moved, "moved"),
            (self.retired, "retired"),
        ):
            if skills:
                parts.append(f"{len(skills)} {done}")
        return ", ".join(parts) or "nothing changed"

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


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _framework_changes(framework: Framework, details: dict[str, str], scale: list[ParsedLevel]) -> list[str]:
    """What an import would change on the framework itself, in words; an empty scale keeps the framework's."""
    changes = []
    if details.get("name", framework.name) != framework.name:
        changes.append(f"Name: “{framework.name}” becomes “{details['name']}”")
    if details.get("description", framework.description) != framework.description:
        changes.append("Description: rewritten" if framework.description else "Description: added")
    old = {level.level: level for level in framework.levels.all()} if scale else {}
    new = {level.level: level for level in scale}
    for number in sorted(old.keys() | new.keys()):
        before, after = old.get(number), new.get(number)
        if before is None:
            changes.append(f"Level {number} “{after.name}”: added to the scale")
        elif after is None:
            changes.append(f"Level {number} “{before.name}”: removed from the scale")
        else:
            if before.name != after.name:
                changes.append(f"Level {number}: “{before.name}” becomes “{after.name}”")
            if before.description != after.description:
                changes.append(f"Level {number} “{after.name}”: description rewritten")
    return changes


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
    new_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Imports a parsed framework file, or re-imports a new version of it, all or nothing.

    Skills are matched by code: new codes are added, known ones updated and moved in the tree, and codes that have
    disappeared are retired (hidden from pickers and browsing, kept on the stories that use them). A file with any
    problem changes nothing. A new framework is named by `framework_name`, else by the file (Moodle's framework
    row), else by its format ("ESCO skills"), else `default_name` (the file's name, say). A re-import keeps the
    framework's name unless `framework_name` or the file's framework row gives it a new one. The framework is the one
    with `framework_code`, else the file's own code (SFIA, ESCO and Moodle files carry one), else a code made from the
    name; `new_only` refuses to update an existing one.
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
    # A file or a caller that names the framework sets its name and description; an empty description keeps the old.
    details = {}
    if framework is None or parsed.name or framework_name:
        details = {"name": name, "description": parsed.description or (framework.description if framework else "")}
    if framework is not None:
        if new_only:
            report.problems.append(
                Problem(
                    None,
                    f"The framework “{framework.name}” already has the code “{code}”: update it, or give the new "
                    "framework another code.",
                )
            )
            return report
        report.framework_name = details.get("name", framework.name)
        report.framework_changes = _framework_changes(framework, details, parsed.scale)
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

    framework = framework or Framework(code=code)
    for attribute, value in {**details, "format": parsed.format, "imported_at": timezone.now()}.items():
        setattr(framework, attribute, value)
    framework.save()
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
    return moved


def framework_preview_keep(*, file, broader_file=None) -> str:
    """Keeps a previewed upload (and ESCO's broader relations) until it is confirmed; returns the preview's token.

    Deletes the files of the previews that expired first, so that unconfirmed uploads do not pile up.
    """
    framework_previews_expire()
    token = uuid.uuid4().hex
    default_storage.save(f"{PREVIEW_DIR}/{token}", file)
    if broader_file:
        default_storage.save(f"{PREVIEW_DIR}/{token}-broader", broader_file)
    return token


def framework_preview_files(token: str) -> tuple[str, str | None] | None:
    """The storage names of a live preview's file and broader file (or None); None once it expired or was used."""
    name = f"{PREVIEW_DIR}/{token}"
    if not PREVIEW_TOKEN.fullmatch(token) or not default_storage.exists(name) or _preview_expired(name):
        return None
    broader = f"{name}-broader"
    return name, broader if default_storage.exists(broader) else None


def framework_preview_discard(*, token: str) -> None:
    """Deletes a preview's files: once it is confirmed or cancelled."""
    if PREVIEW_TOKEN.fullmatch(token):
        for name in (f"{PREVIEW_DIR}/{token}", f"{PREVIEW_DIR}/{token}-broader"):
            default_storage.delete(name)


def framework_previews_expire() -> int:
    """Deletes the files of previews older than PREVIEW_LIFETIME; returns how many files it deleted."""
    try:
        folders, files = default_storage.listdir(PREVIEW_DIR)
    except FileNotFoundError:
        return 0
    names = [f"{PREVIEW_DIR}/{name}" for name in files]
    for folder in folders:  # earlier releases kept each preview in a folder of its own
        names += [f"{PREVIEW_DIR}/{folder}/{name}" for name in default_storage.listdir(f"{PREVIEW_DIR}/{folder}")[1]]
    expired = [name for name in names if _preview_expired(name)]
    for name in expired:
        default_storage.delete(name)
    return len(expired)


def _preview_expired(name: str) -> bool:
    try:
        modified = default_storage.get_modified_time(name)
    except FileNotFoundError:  # deleted meanwhile, by a confirmation or another clean-up
        return True
    return modified < timezone.now() - PREVIEW_LIFETIME

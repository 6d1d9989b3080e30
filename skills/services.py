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
    """What an import changed (or, for a dry run or a preview, would change), or why it changed nothing."""

    framework_code: str
    framework_name: str
    new_framework: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
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
            ("to move in the tree", len(self.moved), self.moved[:EXAMPLES]),
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


def _unique_slug(name: str, taken: set[str]) -> str:
    base = slugify(name, allow_unicode=True)[:240] or "skill"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def _create_in_tree_order(framework: Framework, new: list[Skill], parents: dict[str, str], *, ids: dict) -> None:
    """Inserts new skills a tree level at a time, so each row is written once with its parent already known."""
    taken = set(Skill.objects.values_list("slug", flat=True))
    pending = new
    while pending:
        ready = [skill for skill in pending if not parents[skill.code] or parents[skill.code] in ids]
        for skill in ready:
            skill.framework, skill.parent_id = framework, ids.get(parents[skill.code])
            skill.slug = _unique_slug(skill.name, taken)
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
    problem changes nothing. A new framework is named by `framework_name`, else by the file, else `default_name`
    (the file's name, say).
    """
    name = framework_name or parsed.name or default_name
    code = slugify(framework_code or parsed.code or name)[:100]
    name = name or code
    report = ImportReport(framework_code=code, framework_name=name, problems=list(parsed.problems))
    report.notes.extend(parsed.notes)
    if not code:
        report.problems.append(Problem(None, "Name the framework: the file does not say which framework it is."))
    if not report.ok:
        return report

    framework = Framework.objects.filter(code=code).first()
    report.new_framework = framework is None
    existing = {skill.code: skill for skill in Skill.objects.filter(framework=framework)} if framework else {}
    code_by_id = {skill.pk: skill.code for skill in existing.values()}

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
        differs = [name for name in SKILL_FIELDS if getattr(skill, name) != values[name]]
        skill_changes[skill.pk] = {*differs, *(["is_retired"] if skill.is_retired else [])}
        restored = skill.is_retired
        moved = code_by_id.get(skill.parent_id, "") != parsed_skill.parent_code
        if differs or restored:
            for name in differs:
                setattr(skill, name, values[name])
            skill.is_retired = False
            changed.append(skill)
            if restored or differs != ["position"]:  # a new place among siblings alone is no news
                report.updated.append(parsed_skill.name)
        if moved:
            parents[parsed_skill.code] = parsed_skill.parent_code
            report.moved.append(parsed_skill.name)
        if not (differs or restored or moved):
            report.unchanged += 1
    in_file = {parsed_skill.code for parsed_skill in parsed.skills}
    retiring = [skill for code, skill in existing.items() if code not in in_file and not skill.is_retired]
    report.retired = [skill.name for skill in retiring]
    if dry_run:
        return report

    if framework is None:
        framework = Framework.objects.create(code=code, name=name, description=parsed.description)
    elif parsed.name or framework_name:
        framework.name, framework.description = name, parsed.description or framework.description
        framework.save(update_fields=["name", "description", "updated_at"])
    if parsed.scale:
        _scale_replace(framework, parsed.scale)

    _create_in_tree_order(framework, new, parents, ids={code: skill.pk for code, skill in existing.items()})
    Skill.objects.bulk_update(changed, [*SKILL_FIELDS, "is_retired"], batch_size=BATCH)
    moving = [
        Skill(
            pk=existing[code].pk, parent_id=Skill.objects.get(framework=framework, code=parent).pk if parent else None
        )
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

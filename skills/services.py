"""Writes to the skills framework."""

import json
from pathlib import Path

from django.db import transaction

from skills.models import Framework, ProficiencyLevel, Skill

BUILTIN_FRAMEWORK_FILE = Path(__file__).resolve().parent / "data" / "builtin_framework.json"


def _skill_upsert(*, framework: Framework, code: str, values: dict) -> Skill:
    skill = Skill.objects.filter(framework=framework, code=code).first() or Skill(
        framework=framework, code=code
    )
    for name, value in values.items():
        setattr(skill, name, value)
    skill.full_clean(exclude=["slug"])
    skill.save()
    return skill


@transaction.atomic
def framework_load_builtin(*, path: Path = BUILTIN_FRAMEWORK_FILE) -> Framework:
    """Loads (or brings up to date) the built-in lightweight framework. Skills are matched by code."""
    data = json.loads(path.read_text(encoding="utf-8"))
    framework, _ = Framework.objects.update_or_create(
        code=data["code"],
        defaults={"name": data["name"], "description": data.get("description", ""), "is_builtin": True},
    )
    for level in data["scale"]:
        ProficiencyLevel.objects.update_or_create(
            framework=framework,
            level=level["level"],
            defaults={"name": level["name"], "description": level.get("description", "")},
        )
    for category_position, category in enumerate(data["categories"]):
        parent = _skill_upsert(
            framework=framework,
            code=category["code"],
            values={
                "name": category["name"],
                "kind": Skill.Kind.CATEGORY,
                "description": category.get("description", ""),
                "position": category_position,
                "parent": None,
                "is_retired": False,
            },
        )
        for position, entry in enumerate(category["skills"]):
            _skill_upsert(
                framework=framework,
                code=entry["code"],
                values={
                    "name": entry["name"],
                    "kind": entry["kind"],
                    "description": entry.get("description", ""),
                    "alternative_labels": "\n".join(entry.get("alt_labels", [])),
                    "level_descriptors": entry.get("levels", {}),
                    "position": position,
                    "parent": parent,
                    "is_retired": False,
                },
            )
    return framework

"""Reads of the skills framework."""

from dataclasses import dataclass, field

from skills.models import Framework, Skill


@dataclass
class SkillNode:
    skill: Skill
    children: list["SkillNode"] = field(default_factory=list)
    count: int = 0  # filled in by callers that know about stories


def framework_tree(framework: Framework, *, counts: dict[int, int] | None = None) -> list[SkillNode]:
    """The framework's live skills as a tree, from one query; orphans (parent retired) go to the top level."""
    counts = counts or {}
    skills = framework.skills.filter(is_retired=False).order_by("position", "name")
    nodes = {skill.pk: SkillNode(skill, count=counts.get(skill.pk, 0)) for skill in skills}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.skill.parent_id)
        (parent.children if parent else roots).append(node)
    return roots


def frameworks_in_use() -> list[Framework]:
    """Frameworks with at least one live skill, the built-in one last (an imported matrix replaces it)."""
    return list(Framework.objects.filter(skills__is_retired=False).distinct().order_by("is_builtin", "name"))

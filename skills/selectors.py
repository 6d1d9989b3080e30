"""Reads of the skills framework."""

from dataclasses import dataclass, field

from skills.models import Framework, Skill

TREE_FIELDS = ("id", "name", "slug", "kind", "parent_id", "position", "framework_id", "story_count")


@dataclass
class SkillNode:
    skill: Skill
    children: list["SkillNode"] = field(default_factory=list)
    hidden: int = 0  # descendants not shown because the tree is cut at max_depth


def framework_tree(framework: Framework, *, max_nodes: int = 400, max_depth: int = 2) -> list[SkillNode]:
    """The framework's live skills as a tree, from one query; orphans (parent retired) go to the top level.

    A framework of more than `max_nodes` skills (ESCO has about 14,000) is cut at `max_depth` levels: the last shown
    level says how many skills lie below it, and each skill's own page lists its children.
    """
    skills = framework.skills.filter(is_retired=False).only(*TREE_FIELDS).order_by("position", "name")
    nodes = {skill.pk: SkillNode(skill) for skill in skills}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.skill.parent_id)
        (parent.children if parent else roots).append(node)
    if len(nodes) > max_nodes:
        _cut(roots, depth=1, max_depth=max_depth)
    return roots


def _cut(nodes: list[SkillNode], *, depth: int, max_depth: int) -> int:
    """Removes children below max_depth, recording how many were hidden; returns the size of the subtree."""
    size = 0
    for node in nodes:
        below = _cut(node.children, depth=depth + 1, max_depth=max_depth)
        if depth >= max_depth and node.children:
            node.hidden, node.children = below, []
        size += 1 + below
    return size


def frameworks_in_use() -> list[Framework]:
    """Frameworks with at least one live skill, the built-in one last (an imported matrix replaces it)."""
    return list(Framework.objects.filter(skills__is_retired=False).distinct().order_by("is_builtin", "name"))

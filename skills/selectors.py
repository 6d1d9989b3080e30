"""Reads of the skills framework."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from skills.models import Framework, Skill

TREE_FIELDS = ("id", "name", "slug", "kind", "parent_id", "position", "framework_id", "story_count")


@dataclass
class SkillNode:
    skill: Skill
    children: list["SkillNode"] = field(default_factory=list)
    inside: int = 0  # live skills one level below a second-level skill: its own page lists them


def framework_tree(framework: Framework) -> list[SkillNode]:
    """The framework's top two levels of live skills as a tree, each second-level skill with how many live skills it
    holds (its own page lists them). Two queries through indexes: the top level (no parent, or a retired one) from
    skill_framework_parent_idx, then it and its children by key and parent. A framework of any size (ESCO has about
    14,000 skills) reads only what the page shows.
    """
    retired = framework.skills.filter(is_retired=True).values("pk")
    top = list(
        framework.skills.filter(Q(parent=None) | Q(parent__in=retired), is_retired=False)
        .order_by()
        .values_list("pk", flat=True)
    )
    children = Skill.objects.filter(parent=OuterRef("pk"), is_retired=False).order_by().values("parent")
    children = children.annotate(n=Count("pk")).values("n")
    skills = (
        Skill.objects.filter(Q(pk__in=top) | Q(parent__in=top))
        .filter(is_retired=False)
        .only(*TREE_FIELDS)
        .annotate(inside=Coalesce(Subquery(children), 0))
        .order_by("position", "name")
    )
    nodes = {skill.pk: SkillNode(skill, inside=skill.inside) for skill in skills}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.skill.parent_id)
        if parent:
            parent.children.append(node)
        else:
            node.inside = 0  # its children are shown
            roots.append(node)
    return roots


def frameworks_in_use() -> list[Framework]:
    """Frameworks with at least one live skill, the built-in one last (an imported matrix replaces it)."""
    live = Skill.objects.filter(framework=OuterRef("pk"), is_retired=False)
    return list(Framework.objects.filter(Exists(live)).order_by("is_builtin", "name"))


def skills_named(text: str):
    """Taggable skills whose name, or one of whose alternative labels, contains `text` in any case."""
    return Skill.objects.taggable().filter(Q(name__icontains=text) | Q(alternative_labels__icontains=text))

from django.db import models
from taggit.models import TagBase

from careerportal.navigation import link


class FrameworkManager(models.Manager):
    def get_by_natural_key(self, code: str) -> "Framework":
        return self.get(code=code)


class Framework(models.Model):
    """A skills framework: the built-in one, or a company's imported matrix."""

    code = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_builtin = models.BooleanField(default=False)
    format = models.CharField(
        max_length=20, blank=True, default="", db_default="", help_text="The format of the file last imported into it."
    )
    imported_at = models.DateTimeField("last import", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FrameworkManager()

    class Meta:
        ordering = ["name"]
        permissions = [("import_framework", "Can import and re-import a skills framework file")]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class ProficiencyLevel(models.Model):
    """One step of a framework's proficiency scale (1 is the lowest)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["framework", "level"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "level"], name="proficiency_level_unique_per_framework"),
            models.CheckConstraint(condition=models.Q(level__gte=1), name="proficiency_level_starts_at_one"),
        ]

    def __str__(self) -> str:
        return f"{self.level}. {self.name}"


class SkillQuerySet(models.QuerySet):
    def taggable(self) -> "SkillQuerySet":
        """Skills and strengths a curator may tag a story with: no categories, nothing retired."""
        return self.filter(Skill.taggable_rule())

    def get_by_natural_key(self, framework_code: str, code: str) -> "Skill":
        return self.get(framework__code=framework_code, code=code)


class Skill(TagBase):
    """A skill, strength or category of a framework; as a taggit tag, it labels stories.

    The vocabulary is controlled: skills come from a framework and are never created by typing a tag.
    """

    class Kind(models.TextChoices):
        CATEGORY = "category", "Category"
        SKILL = "skill", "Skill"
        STRENGTH = "strength", "Strength"

    TAGGABLE_KINDS = (Kind.SKILL, Kind.STRENGTH)

    # TagBase makes names unique; two frameworks may both have a "Leadership", so codes identify skills.
    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, unique=True, allow_unicode=True)
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="skills")
    code = models.CharField(max_length=255, help_text="The framework's own identifier: re-imports match on it.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SKILL)
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children")
    position = models.PositiveIntegerField(default=0, help_text="Order among its siblings.")
    description = models.TextField(blank=True)
    alternative_labels = models.TextField(blank=True, help_text="Other names for this skill, one per line.")
    level_descriptors = models.JSONField(
        default=dict,
        blank=True,
        help_text='What each proficiency level looks like: {"1": "...", "2": "..."}.',
    )
    is_retired = models.BooleanField(
        default=False,
        help_text="No longer in the framework: hidden from pickers and browsing, kept on stories.",
    )
    story_count = models.PositiveIntegerField(
        default=0,
        db_default=0,
        editable=False,
        help_text="Published stories tagged with it: kept by the stories app whenever a story or its tags change.",
    )

    objects = SkillQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="skill_code_unique_per_framework"),
        ]
        indexes = [
            # The /skills/ tree loads one framework's skills in tree order.
            models.Index(fields=["framework", "position"], name="skill_framework_position_idx"),
            # The /skills/ tree reads a framework's top two levels from here: its live skills without a parent (or
            # under a retired one), and which frameworks have any (skills.selectors.framework_tree).
            models.Index(fields=["framework", "is_retired", "parent"], name="skill_framework_parent_idx"),
            # The most used skills first: the home page's popular skills, the skill box of /stories/.
            models.Index(fields=["-story_count", "name"], name="skill_story_count_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return link("skills:detail", self.slug)

    def natural_key(self) -> tuple[str, str]:
        """The framework's code and the skill's code (names repeat across frameworks), so that dumpdata
        --natural-foreign writes fixtures that load into another database; taggit's default is the name."""
        return (*self.framework.natural_key(), self.code)

    natural_key.dependencies = ["skills.framework"]

    @classmethod
    def taggable_rule(cls, through: str = "") -> models.Q:
        """The taggable rule (skills and strengths, nothing retired) as a filter, on a related skill when `through`
        names the relation: filtering on a join lets the database start from the rows that relate (`skill__in` a
        subquery of every taggable skill made SQLite look up all 14,000 of them)."""
        prefix = f"{through}__" if through else ""
        return models.Q(**{f"{prefix}kind__in": cls.TAGGABLE_KINDS, f"{prefix}is_retired": False})

    @property
    def is_taggable(self) -> bool:
        """The same rule for a skill in hand."""
        return self.kind in self.TAGGABLE_KINDS and not self.is_retired

    @property
    def alternative_label_list(self) -> list[str]:
        return [label.strip() for label in self.alternative_labels.splitlines() if label.strip()]

    def levels_with_descriptors(self, scale) -> list[tuple[int, str, str]]:
        """(number, name, what it looks like) for each level of the framework's scale and each level this skill
        describes: the skill's descriptor, else the scale's description of the level. A framework without a scale
        (a plain spreadsheet's, say) still shows its skills' descriptors, by level number."""
        levels = {level.level: (level.name, level.description) for level in scale}
        for key, descriptor in self.level_descriptors.items():
            if key.isascii() and key.isdigit() and descriptor:
                levels[int(key)] = (levels.get(int(key), ("", ""))[0], descriptor)
        return [(number, *levels[number]) for number in sorted(levels)]

"""The employee's private toolkit. Every row belongs to one owner; nothing here is registered in the admin."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from skills.models import Skill
from stories.models import Opportunity, Story

User = settings.AUTH_USER_MODEL


class OwnedQuerySet(models.QuerySet):
    def for_owner(self, user) -> "OwnedQuerySet":
        return self.filter(owner=user)


class StoryVisit(models.Model):
    """A story the employee explored: first and last visit, how often, and for media how far they got."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="story_visits")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")
    first_visited_at = models.DateTimeField(default=timezone.now)
    last_visited_at = models.DateTimeField(default=timezone.now)
    visits = models.PositiveIntegerField(default=1)
    furthest_seconds = models.PositiveIntegerField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-last_visited_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["owner", "story"], name="story_visit_once_per_story")]
        indexes = [
            # /me/explored/ lists the newest first.
            models.Index(fields=["owner", "-last_visited_at"], name="visit_owner_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.story} ({self.visits} visits)"


class SavedStory(models.Model):
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_stories")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-saved_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["owner", "story"], name="saved_story_once_per_story")]

    def __str__(self) -> str:
        return str(self.story)


class Reflection(models.Model):
    """Guided notes on a story (or standing alone)."""

    PROMPTS = {
        "what_they_did": "What did they do, and why?",
        "skills_relied_on": "Which skills and strengths did they rely on?",
        "what_i_have": "Which of those do I have, or want?",
        "what_i_could_try": "What could I try?",
    }

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reflections")
    story = models.ForeignKey(Story, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=200, blank=True)
    what_they_did = models.TextField(PROMPTS["what_they_did"], blank=True)
    skills_relied_on = models.TextField(PROMPTS["skills_relied_on"], blank=True)
    what_i_have = models.TextField(PROMPTS["what_i_have"], blank=True)
    what_i_could_try = models.TextField(PROMPTS["what_i_could_try"], blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title or (f"On “{self.story}”" if self.story_id else "Reflection")

    def get_absolute_url(self) -> str:
        return reverse("reflection:reflection_edit", args=[self.pk])

    def answers(self) -> list[tuple[str, str]]:
        return [(prompt, getattr(self, name)) for name, prompt in self.PROMPTS.items() if getattr(self, name)]


class SelfAssessment(models.Model):
    """One assessment of one skill at one moment; re-assessing adds a row, so the history stays."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="self_assessments")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True, help_text="On the framework's scale.")
    is_strength = models.BooleanField("this is a strength of mine", default=False)
    wants_to_develop = models.BooleanField("I want to develop this", default=False)
    note = models.TextField(blank=True)
    assessed_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [
            # The assessment page and suggestions read each skill's latest assessment.
            models.Index(fields=["owner", "skill", "-assessed_at"], name="assessment_latest_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(level__isnull=True) | Q(level__gte=1), name="assessment_level_positive")
        ]

    def __str__(self) -> str:
        return f"{self.skill}: {self.level or '–'}"

    @property
    def level_described(self) -> tuple[str, str]:
        """The level's name and what it looks like for this skill (its descriptor, else the scale's), or blanks.
        Reads the framework's levels: prefetch `skill__framework__levels` for a list."""
        for number, name, descriptor in self.skill.levels_with_descriptors(self.skill.framework.levels.all()):
            if number == self.level:
                return name, descriptor
        return "", ""


class Aspiration(models.Model):
    """Long-term goals and preferences: one per employee, kept up to date."""

    class Track(models.TextChoices):
        UNDECIDED = "undecided", "Not sure yet"
        SPECIALIST = "specialist", "Specialist (dual) ladder"
        MANAGEMENT = "management", "Management"

    class Horizon(models.TextChoices):
        ONE_YEAR = "1y", "Within a year"
        TWO_THREE = "2-3y", "In two or three years"
        FIVE_PLUS = "5y", "Five years or more"

    owner = models.OneToOneField(User, on_delete=models.CASCADE, related_name="aspiration")
    long_term_goals = models.TextField("my long-term career goals", blank=True)
    track = models.CharField(max_length=12, choices=Track.choices, default=Track.UNDECIDED)
    open_to_other_function = models.BooleanField("I would move to another function", default=False)
    open_to_relocation = models.BooleanField("I would move to another location", default=False)
    horizon = models.CharField("time horizon", max_length=5, choices=Horizon.choices, default=Horizon.TWO_THREE)
    trade_offs = models.TextField("short-term trade-offs I accept", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    def __str__(self) -> str:
        return "Aspirations"


class Objective(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    OPEN = (Status.NOT_STARTED, Status.ON_TRACK, Status.AT_RISK)

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(max_length=200)
    why = models.TextField("why it matters", blank=True)
    success_measure = models.TextField("how I will know I have done it", blank=True)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    skills = models.ManyToManyField(Skill, blank=True, related_name="+", help_text="The skills it builds.")
    stories = models.ManyToManyField(Story, blank=True, related_name="+", help_text="Stories that inspired it.")
    version = models.PositiveIntegerField(default=1, editable=False)  # detects saves from two tabs
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["target_date", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reflection:objective", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class Action(models.Model):
    class Kind(models.TextChoices):
        COURSE = "course", "Course"
        MENTORING = "mentoring", "Mentoring"
        SHADOWING = "shadowing", "Shadowing"
        SECONDMENT = "secondment", "Secondment"
        STRETCH = "stretch", "Stretch project"
        CONVERSATION = "conversation", "Conversation"
        READING = "reading", "Reading"
        OTHER = "other", "Other"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    due_date = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class PlanShareQuerySet(models.QuerySet):
    def active(self) -> "PlanShareQuerySet":
        return self.filter(revoked_at__isnull=True)


class PlanShare(models.Model):
    """The owner lets a colleague read their plan and comment on objectives, until they stop sharing."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="plan_shares")
    shared_with = models.ForeignKey(User, on_delete=models.CASCADE, related_name="plans_shared_with_me")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PlanShareQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "shared_with"], condition=Q(revoked_at__isnull=True), name="plan_share_one_active"
            ),
            models.CheckConstraint(condition=~Q(owner=models.F("shared_with")), name="plan_share_not_with_self"),
        ]

    def __str__(self) -> str:
        return f"Plan shared with {self.shared_with}"


class ObjectiveComment(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.author}"


class ConversationRequestQuerySet(OwnedQuerySet):
    def for_party(self, user) -> "ConversationRequestQuerySet":
        """The requests the user asked or was asked: the only ones they may open."""
        return self.filter(Q(owner=user) | Q(colleague=user))

    def open_first(self) -> "ConversationRequestQuerySet":
        """Open requests (awaiting an answer, or accepted and not yet held) before closed ones, newest first in each."""
        still_open = models.Case(
            models.When(state__in=ConversationRequest.OPEN, then=models.Value(0)), default=models.Value(1)
        )
        return self.order_by(still_open, "-created_at", "-id")


class ConversationRequest(models.Model):
    """The owner asks a colleague for a career conversation (or mentoring, or shadowing), with an optional agenda:
    their manager from the sharing page, or a storyteller from one of their stories (`story`); the colleague answers.

    requested → accepted (a proposed time or a note) or declined (a message); accepted → held (then either side adds
    notes, and agreed actions can go onto the owner's plan); requested or accepted → withdrawn by the owner. Only the
    services in reflection/services.py change the state, each with a conditional UPDATE, so of two answers at once
    one wins and the other is told what happened."""

    class Kind(models.TextChoices):
        CONVERSATION = "conversation", "a conversation"
        MENTORING = "mentoring", "mentoring"
        SHADOWING = "shadowing", "work shadowing"

    class State(models.TextChoices):
        REQUESTED = "requested", "Awaiting an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        HELD = "held", "Held"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN = (State.REQUESTED, State.ACCEPTED)

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="conversation_requests")
    colleague = models.ForeignKey(User, on_delete=models.CASCADE, related_name="conversations_requested_of_me")
    kind = models.CharField(
        max_length=12,
        choices=Kind.choices,
        default=Kind.CONVERSATION,
        db_default=Kind.CONVERSATION,  # rows that the previous release adds during an upgrade get it too
    )
    # The story whose storyteller (the colleague) was asked from its page; empty for other requests.
    story = models.ForeignKey(Story, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    message = models.TextField(blank=True)
    objectives = models.ManyToManyField(Objective, blank=True, related_name="+")
    stories = models.ManyToManyField(Story, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Defaults in the database too: the previous release, still serving during an upgrade, inserts without them.
    state = models.CharField(max_length=12, choices=State.choices, default=State.REQUESTED, db_default=State.REQUESTED)
    state_changed_at = models.DateTimeField(null=True, blank=True)  # empty while it awaits its first answer
    proposed_at = models.DateTimeField("proposed time", null=True, blank=True)
    answer = models.TextField(blank=True, default="", db_default="")  # a note on accepting, a message on declining

    objects = ConversationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(owner=models.F("colleague")), name="conversation_not_with_self"),
            models.CheckConstraint(
                condition=Q(state__in=["requested", "accepted", "declined", "held", "withdrawn"]),
                name="conversation_state_known",
            ),
            models.UniqueConstraint(
                fields=["owner", "colleague"],
                condition=Q(state__in=["requested", "accepted"]),
                name="conversation_one_open_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation with {self.colleague}"

    def get_absolute_url(self) -> str:
        return reverse("reflection:request", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN

    @property
    def what(self) -> str:
        """What was asked for, in words for a sentence: "a career conversation", "mentoring"."""
        if self.kind == self.Kind.CONVERSATION:
            return "a career conversation"
        return self.get_kind_display()


class ConversationNote(models.Model):
    """A note either side adds once the conversation was held; an agreed action can become an action on the plan."""

    request = models.ForeignKey(ConversationRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    agreed_action = models.BooleanField("this is an action we agreed", default=False)
    # The action on the owner's plan it became ("Add to my plan"); empty until then, and again if that action goes.
    action = models.OneToOneField(Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note by {self.author}"


class Openness(models.Model):
    """What a storyteller with an account is open to being asked from their stories, and how often: their own choice,
    made in their toolkit (never in the admin: curators link the account, only its owner opens it). Everything is off
    until they turn it on."""

    owner = models.OneToOneField(User, on_delete=models.CASCADE, related_name="openness")
    conversation = models.BooleanField("I am open to a 30-minute conversation", default=False)
    mentoring = models.BooleanField("I am open to mentoring", default=False)
    shadowing = models.BooleanField("I am open to work shadowing", default=False)
    monthly_limit = models.PositiveSmallIntegerField(
        "at most this many requests a month",
        default=3,
        help_text="Once this many colleagues have asked you in a calendar month, nobody else can until the next.",
    )
    paused = models.BooleanField("pause: take no new requests for now", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "openness"
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_limit__gte=1, monthly_limit__lte=50), name="openness_monthly_limit_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Open to {', '.join(str(label) for label in self.kinds_labels()) or 'nothing'}"

    @property
    def kinds(self) -> list[str]:
        """The kinds of request (ConversationRequest.Kind) the owner is open to, whether paused or not."""
        return [kind for kind in ConversationRequest.Kind.values if getattr(self, kind)]

    def kinds_labels(self) -> list[str]:
        return [ConversationRequest.Kind(kind).label for kind in self.kinds]


class OpportunityInterest(models.Model):
    """The owner's "I'm interested" in an opportunity: a note for its poster and, if they chose, their plan shared
    with the poster (a PlanShare, which they stop like any other). The poster answers it once (through the inbox)."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="opportunity_interests")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="interests")
    note = models.TextField(max_length=2000, blank=True)
    plan_shared = models.BooleanField(default=False)
    answer = models.TextField(max_length=2000, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # Also the index from an opportunity to its interested people (the poster's list).
            models.UniqueConstraint(fields=["opportunity", "owner"], name="opportunity_interest_once"),
        ]

    def __str__(self) -> str:
        return f"Interest in {self.opportunity}"

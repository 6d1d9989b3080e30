from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.db.models import OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from taggit.managers import TaggableManager
from taggit.models import ItemBase

from careerportal.navigation import link
from careerportal.queries import listed, rows
from careerportal.roles import is_curator
from skills.models import Skill
from stories.text import render_markdown, render_transcript


class Function(models.Model):
    """A business function (Finance, Sales, Engineering...), in the organisation's display order."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Level(models.Model):
    """A career level, ordered by rank (1 is the most junior)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    rank = models.PositiveSmallIntegerField(unique=True)

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class StorytellerQuerySet(models.QuerySet):
    def consenting(self) -> "StorytellerQuerySet":
        return self.filter(consent_given_on__isnull=False, consent_withdrawn_on__isnull=True)


class Storyteller(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    role_title = models.CharField(max_length=200)
    function = models.ForeignKey(Function, on_delete=models.PROTECT, related_name="storytellers")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="storytellers")
    portrait = models.ImageField(upload_to="portraits/", blank=True)
    portrait_renditions = models.JSONField(default=dict, blank=True, editable=False)
    bio = models.TextField("short bio", blank=True)
    consent_given_on = models.DateField(null=True, blank=True)
    consent_withdrawn_on = models.DateField(
        null=True, blank=True, help_text="Withdrawing consent unpublishes all of this storyteller's stories."
    )
    # The storyteller's own account, set by curators: with it, the storyteller may open themselves to conversations,
    # mentoring or shadowing (their own choice, in their toolkit: the reflection app keeps it, never the admin).
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="storyteller",
        help_text="The storyteller's own account: they decide themselves whether colleagues may ask them.",
    )

    objects = StorytellerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stories:storyteller", args=[self.slug])

    @property
    def has_consent(self) -> bool:
        return self.consent_given_on is not None and self.consent_withdrawn_on is None


class TaggedStory(ItemBase):
    """The through model that tags stories with skills from the framework."""

    # Its own single-column index is redundant beside tagged_story_tag_story_idx; dropping it waits for a later
    # release (migrations only add while the previous release still serves).
    tag = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="tagged_stories")
    content_object = models.ForeignKey("Story", on_delete=models.CASCADE, related_name="tagged_skills")

    class Meta:
        verbose_name = "story skill"
        constraints = [
            # Also the index from a story to its skills (cards, story pages, filters).
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_story_unique_skill"),
        ]
        indexes = [
            # From a skill to its stories: related stories (stories.selectors.related_stories), skill pages, facets.
            models.Index(fields=["tag", "content_object"], name="tagged_story_tag_story_idx"),
        ]


class CardSkill(NamedTuple):
    """A skill as a card shows it: lighter than a Skill, of which a page of cards holds a hundred."""

    position: int
    name: str
    kind: str
    pk: int


class CardSkills:
    """The skills of a story or an opportunity, read with it as one column (`listed`) rather than prefetched: its
    queryset's for_cards() annotates `skill_rows`."""

    _cards: dict[tuple, models.QuerySet] = {}

    @classmethod
    def cards(cls, *also: str) -> models.QuerySet:
        """`objects.for_cards(*also)` of every row, built once per process and copied at each use: filter after it
        (`Story.cards().filter(pk__in=...)`). Building it, the skills' subquery resolved against the model, cost
        nearly half of reading six cards (1 of 2.2 ms, SQLite); a copy costs 0.05 ms. The built one is never read."""
        key = (cls, also)
        if key not in CardSkills._cards:
            CardSkills._cards[key] = cls.objects.for_cards(*also)
        return CardSkills._cards[key].all()

    @staticmethod
    def listed(tagged: type[ItemBase]) -> models.Subquery:
        """The annotation: each row's skills through `tagged`, its through model."""
        skills = tagged.objects.filter(content_object=OuterRef("pk"))
        return listed(skills, "tag__position", "tag__name", "tag__kind", "tag_id", by="content_object")

    @cached_property
    def skills_in_order(self) -> list[CardSkill]:
        """Its skills in the framework's order (Skill's own)."""
        return sorted(CardSkill(*row) for row in rows(self.skill_rows))

    @property
    def card_skills(self) -> list[CardSkill]:
        """The first three, as its card shows them."""
        return self.skills_in_order[:3]


# The columns a story card shows (for_cards): its link, title, format and length, picture, and storyteller.
CARD_FIELDS = (
    "title",
    "slug",
    "format",
    "status",
    "duration_seconds",
    "poster_renditions",
    "published_at",
    "storyteller__name",
    "storyteller__slug",
    "storyteller__role_title",
    "storyteller__portrait_renditions",
    "storyteller__function__name",
    "storyteller__level__name",
)


class StoryQuerySet(models.QuerySet):
    def published(self) -> "StoryQuerySet":
        return self.filter(status=Story.Status.PUBLISHED)

    def visible_to(self, user) -> "StoryQuerySet":
        """Published stories for everyone; curators also preview drafts, reviews and archived stories."""
        if is_curator(user):
            return self
        return self.published()

    def for_cards(self, *also: str) -> "StoryQuerySet":
        """What a story card shows (includes/card/story.html), in one query: the stories with their storytellers and
        their skills (`CardSkills`). Only the card's columns are read (not a story's text or transcript), and `also`
        those the page shows beside the card."""
        return (
            self.select_related("storyteller__function", "storyteller__level")
            .only(*CARD_FIELDS, *also)
            .annotate(skill_rows=CardSkills.listed(TaggedStory))
        )


class Story(CardSkills, models.Model):
    class Format(models.TextChoices):
        VIDEO = "video", "Video"
        PODCAST = "podcast", "Podcast"
        TEXT = "text", "Text"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    storyteller = models.ForeignKey(Storyteller, on_delete=models.PROTECT, related_name="stories")
    format = models.CharField(max_length=10, choices=Format.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False)
    featured = models.BooleanField(default=False, help_text="Shown on the home page.")
    summary = models.TextField(max_length=600, help_text="One or two sentences for cards and link previews.")
    body = models.TextField(
        blank=True, help_text="Markdown. The story itself for text stories; an introduction for media."
    )
    body_html = models.TextField(blank=True, editable=False)
    transcript = models.TextField(blank=True, help_text="Required for video and podcast stories.")
    media = models.FileField(upload_to="stories/media/", blank=True, help_text="Video or audio file.")
    media_type = models.CharField(
        max_length=50,
        blank=True,
        default="",
        db_default="",  # rows that the previous release adds during an upgrade get it too
        editable=False,
        help_text="The video or audio type found in the media's content at upload: the media are served as this.",
    )
    captions = models.FileField(upload_to="stories/captions/", blank=True, help_text="WebVTT captions.")
    poster = models.ImageField(upload_to="stories/posters/", blank=True)
    poster_renditions = models.JSONField(default=dict, blank=True, editable=False)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    transcript_cues = models.JSONField(
        default=list, blank=True, editable=False, help_text="[start, end, text] of each caption, from the captions."
    )
    # What the story page shows of the transcript (stories.text.render_transcript), kept in step by save().
    transcript_html = models.TextField(blank=True, default="", db_default="", editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    skills = TaggableManager(through=TaggedStory, blank=True, help_text="Skills and strengths this story shows.")

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stories"
        ordering = ["-published_at", "-id"]
        permissions = [("publish_story", "Can review, publish and archive stories")]
        indexes = [
            # Stories newest first, as Story's ordering has them (the id breaks ties: an index without it leaves the
            # database a sort to do, and SQLite then preferred another index and read stories it did not show).
            # /stories/ and the home page list published stories from this one; For you's candidates
            # (reflection.selectors.suggested_stories) and a page deep in the list are found in it alone (on
            # PostgreSQL, reading the stories' rows instead, each with its text, took 4 ms for For you).
            models.Index(fields=["status", "-published_at", "-id"], name="story_status_newest_idx"),
            # The home page's featured stories, and its latest, without reading the others (selectors.home_stories).
            models.Index(fields=["featured", "status", "-published_at", "-id"], name="story_featured_newest_idx"),
            # The function, level and format facets of /stories/ and search count published stories from this index
            # alone, never reading a story's row (stories.selectors.story_facets).
            models.Index(fields=["status", "storyteller", "format"], name="story_status_teller_format_idx"),
            # Stories looked up by id in bulk (a search's matches, For you's candidates, related stories) are read
            # from this index alone, never from their rows: on SQLite a row holds the story's text and transcript
            # (14 KB in the benchmark) before its publication date, and reading a thousand rows' dates cost 5 ms.
            models.Index(fields=["id", "status", "published_at", "storyteller", "format"], name="story_by_id_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # body_html and transcript_html are derived from body, transcript and transcript_cues: kept in step here, so no
        # page renders Markdown or the transcript's cues per request.
        fields = kwargs.get("update_fields")
        if fields is None or "body" in fields:
            self.body_html = render_markdown(self.body)
        if fields is None or {"transcript", "transcript_cues"} & {*fields}:
            self.transcript_html = render_transcript(transcript=self.transcript, cues=self.transcript_cues)
        if fields is not None:
            derived = {"body": "body_html", "transcript": "transcript_html", "transcript_cues": "transcript_html"}
            kwargs["update_fields"] = {*fields, *(derived[field] for field in fields if field in derived)}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return link("stories:detail", self.slug)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def has_player(self) -> bool:
        return self.format in (self.Format.VIDEO, self.Format.PODCAST) and bool(self.media)

    @property
    def image_renditions(self) -> tuple[str, dict]:
        """Where a card's picture comes from: the poster if there is one, else the storyteller's portrait."""
        if self.poster_renditions:
            return "poster", self.poster_renditions
        return "portrait", self.storyteller.portrait_renditions


class CareerMove(models.Model):
    """One step of the career a story tells: from a role to another, and what kind of move it was."""

    class Kind(models.TextChoices):
        PROMOTION = "promotion", "Promotion"
        LATERAL = "lateral", "Lateral move"
        SECONDMENT = "secondment", "Secondment"
        SPECIALIST = "specialist", "Specialist (dual) ladder"
        RESKILLING = "reskilling", "Reskilling"
        RETURN = "return", "Return to work"
        INTERNATIONAL = "international", "International move"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="moves")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=15, choices=Kind.choices)
    from_role = models.CharField(max_length=200, blank=True)
    from_function = models.ForeignKey(Function, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_role = models.CharField(max_length=200)
    to_function = models.ForeignKey(Function, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["story", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__isnull=True) | models.Q(year__gte=1950, year__lte=2100),
                name="career_move_year_plausible",
            ),
        ]
        indexes = [
            # The kinds of move of given stories from the index alone: the move facet of /stories/ and search, the
            # home page's moves (stories.selectors).
            models.Index(fields=["story", "kind"], name="career_move_story_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.from_role or '…'} → {self.to_role}"


class FacetCount(models.Model):
    """How many published stories each storyteller function and level, format and kind of move have: the filters of
    /stories/ (with no skill chosen) and the home page's kinds of move add these up instead of counting every story.
    Moved in the transaction of every change that moves a count, by that change alone (stories.signals); a cell
    whose count falls to 0 keeps its row.
    """

    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="+")
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=10, choices=Story.Format.choices)
    # "" counts the stories themselves; a kind counts the stories with at least one move of that kind.
    move = models.CharField(max_length=15, choices=CareerMove.Kind.choices, blank=True)
    stories = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["function", "level", "format", "move"], name="facet_count_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.function_id}/{self.level_id}/{self.format}/{self.move or 'stories'}: {self.stories}"


class CollectionQuerySet(models.QuerySet):
    def featured(self) -> "CollectionQuerySet":
        return self.filter(is_featured=True)

    def link_shared(self) -> "CollectionQuerySet":
        """The collections whose owners turned link sharing on: the only ones curators may feature."""
        return self.filter(link_key__isnull=False)

    def visible_to(self, user, *, key: str = "") -> "CollectionQuerySet":
        """What `user` may read: their own collections, those shared with them, and, given a link's `key`, the
        collection whose link it is while its link sharing is on. Anonymous users get only that last one.

        Every read of a collection goes through here. A key is 192 random bits, found through its unique index.
        """
        readers = models.Q(pk__in=[])
        if user.is_authenticated:
            shared = CollectionShare.objects.filter(collection=models.OuterRef("pk"), user=user)
            readers = models.Q(owner=user) | models.Q(models.Exists(shared))
        if not key:
            return self.filter(readers)
        return self.filter(readers | models.Q(link_key=key))


class Collection(models.Model):
    """An ordered set of stories with notes, put together for a career conversation and shared by link."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collections")
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    is_featured = models.BooleanField(default=False, help_text="Shown on the home page.")
    # An unguessable key (192 bits) that opens the collection to anyone logged in who has its link; NULL while link
    # sharing is off. Turning it on, or making a new link, draws a new key, so an old link stops working.
    link_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CollectionShare", related_name="collections_shared_with_me", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CollectionQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_featured=False) | models.Q(link_key__isnull=False),
                name="collection_featured_only_when_link_shared",
                violation_error_message="Only a collection whose owner turned link sharing on can be featured.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The collection's own address: it opens for its owner and the colleagues it is shared with."""
        return reverse("stories:collection", args=[self.pk])

    def get_link_url(self) -> str:
        """The link that opens it for anyone logged in, with its key; the plain address while link sharing is off."""
        url = self.get_absolute_url()
        return f"{url}?{urlencode({'key': self.link_key})}" if self.link_key else url


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True, help_text="For example: watch from 2:10, where she talks about the secondment.")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "story"], name="collection_item_story_once"),
        ]

    def __str__(self) -> str:
        return str(self.story)


class CollectionShare(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["collection", "user"], name="collection_share_once")]

    def __str__(self) -> str:
        return f"{self.collection} shared with {self.user}"


class StorySearchDocument(models.Model):
    """A published story's searchable text, kept in step with the story by stories.search.

    The database indexes it with its own full-text engine (see stories.search): on PostgreSQL a tsvector of all of it
    with a GIN index, to match (migration 0004), and a small weighted one, to rank (0012); on SQLite an FTS5 table kept
    in sync by triggers, whose rowid is the story's id (0012).
    """

    story = models.OneToOneField(Story, on_delete=models.CASCADE, related_name="search_document")
    title = models.TextField()
    skills = models.TextField(blank=True, help_text="Skill names and their alternative labels.")
    summary = models.TextField(blank=True)
    people = models.TextField(blank=True, help_text="The storyteller's name, role, function and level.")
    body = models.TextField(blank=True)
    transcript = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.title


class StoryEvent(models.Model):
    """The audit trail: who created, edited, moved through the workflow, unpublished or deleted which story, when.

    Rows are only ever added (by stories.services.story_event_record). The story's title and the person's username
    are copied in, so the trail still reads after either is deleted.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        SUBMITTED = "submitted", "Submitted for review"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"
        RETURNED_TO_DRAFT = "returned_to_draft", "Returned to draft"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Unpublished: consent withdrawn"
        DELETED = "deleted", "Deleted"

    story = models.ForeignKey(Story, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    story_title = models.CharField(max_length=200)
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True, help_text="Empty for the system (imports, demo).")
    changed_fields = models.JSONField(default=list, blank=True, help_text="For edits: the fields that changed.")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["story", "-at"], name="story_event_story_at")]

    def __str__(self) -> str:
        who = self.actor_username or "the system"
        return f"{self.get_action_display()}: “{self.story_title}” by {who}"


class TaggedOpportunity(ItemBase):
    """The through model that tags opportunities with skills from the framework (as TaggedStory does stories)."""

    tag = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="tagged_opportunities")
    content_object = models.ForeignKey("Opportunity", on_delete=models.CASCADE, related_name="tagged_skills")

    class Meta:
        verbose_name = "opportunity skill"
        constraints = [
            # Also the index from an opportunity to its skills (cards, the opportunity's page).
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_opportunity_unique_skill"),
        ]
        indexes = [
            # From skills to their opportunities: a skill's page, a story's "Try it yourself", "For you", the skill
            # filter of /opportunities/ (stories.selectors.opportunities_for_skills).
            models.Index(fields=["tag", "content_object"], name="tagged_opp_tag_opp_idx"),
        ]


class OpportunityQuerySet(models.QuerySet):
    def visible(self) -> "OpportunityQuerySet":
        """Open opportunities whose closing date has not passed, as of today: the date is in the query, so no list
        read from here outlives a closing date (nothing caches one)."""
        return self.filter(state=Opportunity.State.OPEN, closes_on__gte=timezone.localdate())

    def posted_by(self, user) -> "OpportunityQuerySet":
        return self.filter(poster=user) if user.is_authenticated else self.none()

    def for_cards(self) -> "OpportunityQuerySet":
        """What an opportunity card shows (includes/card/opportunity.html), in one query: with its function and its
        skills (`CardSkills`)."""
        return (
            self.select_related("function")
            .defer("description")
            .annotate(skill_rows=CardSkills.listed(TaggedOpportunity))
        )


class Opportunity(CardSkills, models.Model):
    """A short experience a manager or curator offers, to try a move: tagged with skills, open until its closing date.

    Visible to everyone only while open and not past its closing date (OpportunityQuerySet.visible); its poster and
    curators also read it in the other states. With PORTAL_OPPORTUNITIES_NEED_REVIEW on, a manager's opportunity
    waits for a curator to open it (stories.services.opportunity_post)."""

    class Kind(models.TextChoices):
        SECONDMENT = "secondment", "Secondment"
        SHADOWING = "shadowing", "Work shadowing"
        STRETCH = "stretch", "Stretch project"
        MENTORING = "mentoring", "Mentoring offer"
        ROTATION = "rotation", "Job rotation"
        OPEN_ROLE = "open_role", "Open role"

    class State(models.TextChoices):
        PENDING_REVIEW = "pending_review", "Waiting for review"
        OPEN = "open", "Open"
        FILLED = "filled", "Filled"
        WITHDRAWN = "withdrawn", "Withdrawn"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=5000)
    careers_url = models.URLField(
        "link to the careers site", blank=True, help_text="Required for an open role: where to apply."
    )
    function = models.ForeignKey(Function, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    location = models.CharField(max_length=200, blank=True)
    remote = models.BooleanField("can be done remotely", default=False)
    time_commitment = models.CharField(max_length=200, help_text="For example: two days a week for three months.")
    starts_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(help_text="The last day to show interest: after it, it shows nowhere.")
    poster = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="opportunities")
    state = models.CharField(max_length=15, choices=State.choices, default=State.PENDING_REVIEW, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    skills = TaggableManager(through=TaggedOpportunity, blank=True, help_text="Skills and strengths it builds.")

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "opportunities"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="open_role") | ~models.Q(careers_url=""),
                name="opportunity_open_role_has_link",
                violation_error_message="An open role needs its link to the careers site.",
            ),
        ]
        indexes = [
            # /opportunities/, newest first, the open ones not yet closed (OpportunityQuerySet.visible).
            models.Index(fields=["state", "closes_on", "-created_at"], name="opportunity_state_closes_idx"),
            # "Posted by me" (stories.views.opportunity_list).
            models.Index(fields=["poster", "-created_at"], name="opportunity_poster_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("stories:opportunity", args=[self.pk])

    @property
    def is_visible(self) -> bool:
        return self.state == self.State.OPEN and self.closes_on >= timezone.localdate()


class OpportunityEvent(models.Model):
    """The audit trail of opportunities, as StoryEvent is of stories: rows are only ever added
    (stories.services.opportunity_event_record), the title and username copied in."""

    class Action(models.TextChoices):
        POSTED = "posted", "Posted"
        EDITED = "edited", "Edited"
        OPENED = "opened", "Opened"
        FILLED = "filled", "Filled"
        WITHDRAWN = "withdrawn", "Withdrawn"

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    opportunity_title = models.CharField(max_length=200)
    action = models.CharField(max_length=12, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True, help_text="Empty for the system (the demo).")
    changed_fields = models.JSONField(default=list, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["opportunity", "-at"], name="opportunity_event_opp_at")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: “{self.opportunity_title}” by {self.actor_username or 'the system'}"

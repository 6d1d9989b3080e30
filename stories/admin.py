from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget, AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Case, Model, QuerySet, Value, When
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponseRedirect
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from skills.models import Skill
from stories import services
from stories.forms import CaptionsUploadField, ImageUploadField, MediaUploadField
from stories.models import (
    CareerMove,
    Collection,
    CollectionItem,
    Function,
    Level,
    Opportunity,
    OpportunityEvent,
    Story,
    StoryEvent,
    Storyteller,
)
from stories.validators import MEDIA_TYPES


class UploadNotStored(Exception):
    """Saving failed in the storage (a full disk) after new uploads were stored; they were deleted again."""


@contextmanager
def _new_uploads_deleted_on_failure(obj: Model, form: forms.ModelForm) -> Iterator[None]:
    """If saving fails once the form's new uploads are stored (say the disk fills up while their renditions are
    written), the database rolls back, so nothing may be left pointing at them: they are deleted again."""
    try:
        yield
    except Exception as error:
        for name in form.changed_data:
            field_file = getattr(obj, name)
            # _committed: this upload reached the storage (Django's FieldFile marks it so once saved).
            if isinstance(field_file, FieldFile) and field_file and field_file._committed:
                field_file.delete(save=False)
        if isinstance(error, OSError):
            raise UploadNotStored(
                f"The upload could not be stored ({error.strerror or error}), so nothing was saved. "
                f"Please try again later, and tell IT if it happens again."
            ) from error
        raise


class UploadWidget(AdminFileWidget):
    """The admin's file input, named by its field's label (Django's fieldset and legend leave the input itself
    unnamed). The current file links to the portal's access-checked address for it (`view`, a URL name taking the
    object's slug), as uploads have no public address; a picture also shows as a thumbnail of its smallest rendition
    (`renditions`, the field holding them). Its template is in stories/templates, where the forms renderer looks.
    """

    template_name = "admin/stories/widgets/upload.html"
    use_fieldset = False

    def __init__(self, *, view: str, renditions: str = "", attrs=None):
        super().__init__(attrs)
        self.view, self.renditions = view, renditions

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            slug = value.instance.slug
            if self.renditions:
                renditions = getattr(value.instance, self.renditions)
                smallest = min(renditions.values(), key=lambda rendition: rendition["width"], default=None)
                if smallest is not None:  # none yet: the upload is named, not linked
                    src = reverse(self.view, kwargs={"slug": slug, "width": smallest["width"]})
                    context["widget"]["thumbnail"] = {**smallest, "src": src}
                    context["widget"]["href"] = src
            else:
                context["widget"]["href"] = reverse(self.view, kwargs={"slug": slug})
        return context


class UploadsAdmin(admin.ModelAdmin):
    """An admin whose saves store uploads: a storage failure is a message on the form, not an error page."""

    def changeform_view(self, request: HttpRequest, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except UploadNotStored as error:  # raised inside the admin's transaction, which rolled back
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class CollectionItemInline(admin.TabularInline):
    model = CollectionItem
    extra = 0
    fields = ["position", "story", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    """Curators feature employees' collections on the home page; the collections themselves stay their owners'.

    Only collections whose owners turned link sharing on are here: the others are private to their owners and the
    colleagues they shared them with, and only a collection shared by link may be featured.
    """

    list_display = ["title", "owner", "is_featured", "updated_at"]
    list_editable = ["is_featured"]
    list_filter = ["is_featured"]
    list_select_related = ["owner"]
    search_fields = ["title", "introduction"]
    fields = ["title", "introduction", "owner", "is_featured"]
    readonly_fields = ["title", "introduction", "owner"]
    inlines = [CollectionItemInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).link_shared()

    def save_model(self, request: HttpRequest, obj: Collection, form, change: bool) -> None:
        # Featuring is all a curator changes: never write back a link key that its owner changed meanwhile.
        obj.save(update_fields=["is_featured"])


@admin.register(Function)
class FunctionAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ["name", "rank"]
    list_editable = ["rank"]
    prepopulated_fields = {"slug": ["name"]}


class StorytellerForm(forms.ModelForm):
    # Typed as a username: curators cannot browse the accounts, and a list of every employee would not load.
    account = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True),
        to_field_name="username",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        label="Account (username)",
        help_text="The storyteller's own account. Only they can then open themselves to colleagues' requests (a "
        "conversation, mentoring, shadowing), on their toolkit page. Leave empty for none.",
        error_messages={"invalid_choice": "No active account has this username."},
    )

    class Meta:
        model = Storyteller
        fields = [
            "name", "slug", "role_title", "function", "level", "portrait", "bio",
            "consent_given_on", "consent_withdrawn_on", "account",
        ]  # fmt: skip
        field_classes = {"portrait": ImageUploadField}
        widgets = {"portrait": UploadWidget(view="stories:portrait", renditions="portrait_renditions")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.account_id:
            self.initial["account"] = self.instance.account.get_username()

    def clean(self):
        cleaned = super().clean()
        given, withdrawn = cleaned.get("consent_given_on"), cleaned.get("consent_withdrawn_on")
        if withdrawn and not given:
            self.add_error("consent_withdrawn_on", "Consent can only be withdrawn once it has been given.")
        elif withdrawn and given and withdrawn < given:
            self.add_error("consent_withdrawn_on", "Withdrawal cannot come before consent was given.")
        return cleaned


@admin.register(Storyteller)
class StorytellerAdmin(UploadsAdmin):
    form = StorytellerForm
    list_display = ["name", "role_title", "function", "level", "consent_given_on", "consent_withdrawn_on", "account"]
    list_filter = ["function", "level"]
    list_select_related = ["function", "level", "account"]
    search_fields = ["name", "role_title"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request: HttpRequest, obj: Storyteller, form, change: bool) -> None:
        withdrawing = "consent_withdrawn_on" in form.changed_data and obj.consent_withdrawn_on
        previous = Storyteller.objects.get(pk=obj.pk).account if change and "account" in form.changed_data else None
        with _new_uploads_deleted_on_failure(obj, form):
            super().save_model(request, obj, form, change)
            if previous is not None:
                services.storyteller_account_unlinked(storyteller=obj, account=previous)
            if withdrawing:
                count = services.storyteller_withdraw_consent(
                    storyteller=obj, on=obj.consent_withdrawn_on, by=request.user
                )
                if count:
                    stories = f"{count} published {pluralize(count, 'story was,stories were')}"
                    messages.warning(request, f"Consent withdrawn: {stories} unpublished.")
            if "portrait" in form.changed_data:
                services.storyteller_update_portrait(storyteller=obj)


class LabelledCellsFormSet(forms.BaseInlineFormSet):
    """The rows of a tabular inline, each input named by its column's heading (a table cell has no label)."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        for field in form.fields.values():
            widget = getattr(field.widget, "widget", field.widget)  # a select inside the admin's add/change links
            widget.attrs.setdefault("aria-label", capfirst(field.label))


class CareerMoveInline(admin.TabularInline):
    model = CareerMove
    formset = LabelledCellsFormSet
    extra = 1
    fields = ["position", "kind", "from_role", "from_function", "to_role", "to_function", "year"]


HISTORY_EVENTS = 20


@admin.register(StoryEvent)
class StoryEventAdmin(admin.ModelAdmin):
    """Who created, edited, published, archived or deleted which story: read-only for everyone."""

    list_display = ["at", "story_title", "action", "actor_username", "changed_fields"]
    list_filter = ["action", "at"]
    search_fields = ["story_title", "actor_username"]
    date_hierarchy = "at"
    list_select_related = ["story"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class LabelledAutocompleteMixin:
    """The admin's autocomplete, whose box and search field its field's label names too."""

    @property
    def media(self) -> forms.Media:
        # Named with autocomplete.js so that the two load in this order, after jQuery and Select2.
        return super().media + forms.Media(js=["admin/js/autocomplete.js", "js/admin-autocomplete-labels.js"])


class LabelledAutocompleteSelect(LabelledAutocompleteMixin, AutocompleteSelect):
    pass


class SkillPicker(LabelledAutocompleteMixin, AutocompleteSelectMultiple):
    """The admin's autocomplete over the framework: it offers existing skills and never creates one.

    It has no clear-all button: each chosen skill has its own remove button, and Select2 puts the clear-all one
    inside its list of choices, where only list items belong.
    """

    def build_attrs(self, base_attrs, extra_attrs=None):
        return {**super().build_attrs(base_attrs, extra_attrs), "data-allow-clear": "false"}

    def optgroups(self, name, value, attr=None):
        # When a form comes back with errors, a typed name (not an id) must not break the re-rendering.
        return super().optgroups(name, [v for v in value if str(v).isdigit()], attr)


class StoryForm(forms.ModelForm):
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.taggable(),
        required=False,
        widget=SkillPicker(Story._meta.get_field("skills"), admin.site),
        help_text="Pick from the skills framework; type to search names, codes and alternative labels.",
    )

    class Meta:
        model = Story
        fields = [
            "title", "slug", "storyteller", "format", "featured", "summary", "body", "skills",
            "media", "captions", "transcript", "poster", "duration_seconds",
        ]  # fmt: skip
        field_classes = {"media": MediaUploadField, "captions": CaptionsUploadField, "poster": ImageUploadField}
        widgets = {
            "storyteller": LabelledAutocompleteSelect(Story._meta.get_field("storyteller"), admin.site),
            "media": UploadWidget(view="stories:media"),
            "captions": UploadWidget(view="stories:captions"),
            "poster": UploadWidget(view="stories:poster", renditions="poster_renditions"),
        }

    def clean(self):
        cleaned = super().clean()
        story_format, media = cleaned.get("format"), cleaned.get("media")
        if "media" in self.changed_data and "media" in cleaned:
            # A new upload's content_type is the type its content showed (MediaUploadField); cleared, no type.
            self.instance.media_type = media.content_type if media else ""
        if media and "media" in self.changed_data and story_format in (Story.Format.VIDEO, Story.Format.PODCAST):
            expected = "video" if story_format == Story.Format.VIDEO else "audio"
            if MEDIA_TYPES[media.content_type].kind != expected:
                article = "an" if expected == "audio" else "a"
                self.add_error("media", f"A {story_format} story needs {article} {expected} file; this one is not.")
        if story_format == Story.Format.TEXT and media:
            self.add_error("media", "A text story has no media file; choose video or podcast as the format.")
        return cleaned


WORKFLOW_LABELS = {
    Story.Status.IN_REVIEW: "Submit for review",
    Story.Status.PUBLISHED: "Publish",
    Story.Status.ARCHIVED: "Archive",
    Story.Status.DRAFT: "Return to draft",
}


@admin.register(Story)
class StoryAdmin(UploadsAdmin):
    form = StoryForm
    list_display = ["title", "storyteller", "format", "status", "featured", "published_at"]
    list_filter = ["status", "format", "featured", "storyteller__function", "storyteller__level"]
    list_select_related = ["storyteller"]
    # Work waiting for curators first (drafts and stories in review), then the rest; the newest first in each.
    ordering = [
        Case(When(status__in=[Story.Status.DRAFT, Story.Status.IN_REVIEW], then=Value(0)), default=Value(1)).asc(),
        "-created_at",
        "-pk",
    ]
    search_fields = ["title", "summary", "storyteller__name"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "published_at", "history"]
    inlines = [CareerMoveInline]
    actions = ["submit_for_review", "publish", "archive", "return_to_draft"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "storyteller",
                    "format",
                    "status",
                    "published_at",
                    "featured",
                ]
            },
        ),
        ("The story", {"fields": ["summary", "body", "skills"]}),
        ("Media", {"fields": ["media", "captions", "transcript", "poster", "duration_seconds"]}),
        ("History", {"fields": ["history"], "classes": ["collapse"]}),
    ]

    @admin.display(description="Recent changes")
    def history(self, story: Story) -> str:
        """The last events of the audit trail; the whole trail is under Story events."""
        if story.pk is None:
            return "—"
        events = story.events.all()[:HISTORY_EVENTS]
        return (
            format_html_join(
                mark_safe("<br>"),
                "{}: {} by {}{}",
                (
                    (
                        date_format(timezone.localtime(event.at), "DATETIME_FORMAT"),
                        event.get_action_display(),
                        event.actor_username or "the system",
                        f" ({', '.join(event.changed_fields)})" if event.changed_fields else "",
                    )
                    for event in events
                ),
            )
            or "—"
        )

    def save_model(self, request: HttpRequest, obj: Story, form, change: bool) -> None:
        with _new_uploads_deleted_on_failure(obj, form):
            super().save_model(request, obj, form, change)
            if "poster" in form.changed_data:
                services.story_update_poster(story=obj)
            if "captions" in form.changed_data:
                services.story_update_cues(story=obj)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Records the edit once the career moves are saved too: a change to them alone is an edit (and makes its
        author the one who edited the story last, whom publishing asks about)."""
        super().save_related(request, form, formsets, change)
        changed = [*form.changed_data, *(formset.prefix for formset in formsets if formset.has_changed())]
        if changed or not change:
            action = StoryEvent.Action.EDITED if change else StoryEvent.Action.CREATED
            services.story_event_record(story=form.instance, action=action, by=request.user, changed_fields=changed)

    def delete_model(self, request: HttpRequest, obj: Story) -> None:
        services.story_event_record(story=obj, action=StoryEvent.Action.DELETED, by=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for story in queryset:
            services.story_event_record(story=story, action=StoryEvent.Action.DELETED, by=request.user)
        super().delete_queryset(request, queryset)

    def _allowed_transitions(self, request: HttpRequest, story: Story) -> list[Story.Status]:
        """Where the story may go next from its status; only those who may publish go beyond review."""
        allowed = [to for to in WORKFLOW_LABELS if story.status in services.TRANSITIONS[to]]
        if not self.has_publish_permission(request):
            allowed = [to for to in allowed if to == Story.Status.IN_REVIEW]
        return allowed

    def _checklist(self, request: HttpRequest, story: Story) -> list[tuple[services.PublicationCheck, str]]:
        """What publishing checks (stories.services), each with a link to the field that fixes it."""
        consent = reverse("admin:stories_storyteller_change", args=[story.storyteller_id]) + "#id_consent_given_on"
        return [
            (check, consent if check.field == "consent" else f"#id_{check.field}" if check.field else "")
            for check in services.story_publication_checks(story, by=request.user)
        ]

    def render_change_form(self, request: HttpRequest, context: dict, *args, obj: Story | None = None, **kwargs):
        if obj is not None:
            context["workflow"] = [(to.value, WORKFLOW_LABELS[to]) for to in self._allowed_transitions(request, obj)]
            if not obj.is_published:
                context["checklist"] = self._checklist(request, obj)
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def response_change(self, request: HttpRequest, obj: Story):
        """The workflow buttons save the form first, then move the story (or say why it cannot move)."""
        to = request.POST.get("_transition")
        if to in {status.value for status in self._allowed_transitions(request, obj)}:
            self._transition(request, Story.objects.filter(pk=obj.pk), Story.Status(to))
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def _transition(self, request: HttpRequest, queryset: QuerySet, to: Story.Status) -> None:
        moved = 0
        for story in queryset.select_related("storyteller"):
            try:
                services.story_transition(story=story, to=to, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"“{story}”: {' '.join(error.messages)}", messages.ERROR)
            else:
                moved += 1
        if moved:
            stories = f"{moved} {pluralize(moved, 'story is,stories are')}"
            self.message_user(request, f"{stories} now {Story.Status(to).label.lower()}.", messages.SUCCESS)

    @admin.action(description="Submit for review", permissions=["change"])
    def submit_for_review(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._transition(request, queryset, Story.Status.IN_REVIEW)

    @admin.action(description="Publish", permissions=["publish"])
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._transition(request, queryset, Story.Status.PUBLISHED)

    @admin.action(description="Archive", permissions=["publish"])
    def archive(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._transition(request, queryset, Story.Status.ARCHIVED)

    @admin.action(description="Return to draft", permissions=["publish"])
    def return_to_draft(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._transition(request, queryset, Story.Status.DRAFT)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("stories.publish_story")


@admin.register(OpportunityEvent)
class OpportunityEventAdmin(admin.ModelAdmin):
    """Who posted, edited, opened, filled or withdrew which opportunity: read-only for everyone."""

    list_display = ["at", "opportunity_title", "action", "actor_username", "changed_fields"]
    list_filter = ["action", "at"]
    search_fields = ["opportunity_title", "actor_username"]
    date_hierarchy = "at"


class OpportunityForm(forms.ModelForm):
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.taggable(),
        required=False,
        widget=SkillPicker(Opportunity._meta.get_field("skills"), admin.site),
        help_text="Pick from the skills framework; type to search names, codes and alternative labels.",
    )

    class Meta:
        model = Opportunity
        fields = [
            "kind", "title", "description", "careers_url", "skills", "function", "location", "remote",
            "time_commitment", "starts_on", "closes_on",
        ]  # fmt: skip


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    """Curators review, edit, open, fill and withdraw opportunities; managers and curators post them on the site
    (/opportunities/new/), so none is added here. Every change goes through stories.services and its audit trail."""

    form = OpportunityForm
    list_display = ["title", "kind", "state", "poster", "closes_on", "created_at"]
    list_filter = ["state", "kind", "function", "remote"]
    search_fields = ["title", "description"]
    list_select_related = ["poster"]
    readonly_fields = ["state", "poster", "created_at", "updated_at"]
    actions = ["open_after_review", "fill", "withdraw"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Opportunity | None = None) -> bool:
        return False  # withdrawn, never deleted: the audit trail and people's interest stay readable

    def save_model(self, request: HttpRequest, obj: Opportunity, form, change: bool) -> None:
        pass  # saved with its skills in save_related, through the service

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        services.opportunity_save(
            opportunity=form.instance,
            skills=form.cleaned_data["skills"],
            by=request.user,
            changed_fields=form.changed_data,
        )

    def _set_state(self, request: HttpRequest, queryset: QuerySet, state: Opportunity.State) -> None:
        changed = 0
        for opportunity in queryset:
            try:
                services.opportunity_set_state(opportunity=opportunity, state=state, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"“{opportunity}”: {' '.join(error.messages)}", messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{changed} now {Opportunity.State(state).label.lower()}.", messages.SUCCESS)

    @admin.action(description="Open the selected opportunities (reviewed)", permissions=["change"])
    def open_after_review(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_state(request, queryset, Opportunity.State.OPEN)

    @admin.action(description="Mark the selected opportunities as filled", permissions=["change"])
    def fill(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_state(request, queryset, Opportunity.State.FILLED)

    @admin.action(description="Withdraw the selected opportunities", permissions=["change"])
    def withdraw(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_state(request, queryset, Opportunity.State.WITHDRAWN)

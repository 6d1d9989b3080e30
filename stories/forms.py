import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import QueryDict
from django.utils import timezone

from careerportal.people import ColleagueField
from skills.models import Skill
from stories.models import CareerMove, Collection, CollectionItem, Function, Level, Opportunity, Story
from stories.selectors import chosen_filter
from stories.validators import validate_image, validate_media, validate_webvtt


class ImageUploadField(forms.FileField):
    """A portrait or poster, checked by stories.validators: its messages say what is wrong, where Django's own
    ImageField answers an SVG, an image bomb and a damaged file alike with "Upload a valid image"."""

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is not None:
            validate_image(upload)
        return upload


class MediaUploadField(forms.FileField):
    """A story's video or audio. Its `content_type` becomes the type found in its content, replacing the browser's
    claim: the story stores it and serves the media as that type, and object storage keeps it with the file."""

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is not None:
            upload.content_type = validate_media(upload)
        return upload


class CaptionsUploadField(forms.FileField):
    """WebVTT captions, checked cue by cue."""

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is not None:
            validate_webvtt(upload)
        return upload


class SkillChoiceField(forms.ModelChoiceField):
    """A skill named by its slug (links) or by what a person typed: its name or one of its alternative labels."""

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        skills = self.queryset
        match = skills.filter(slug=text).first() or skills.filter(name__iexact=text).first()
        if match is None:
            lowered = text.lower()
            labelled = [
                skill
                for skill in skills.filter(alternative_labels__icontains=text)
                if lowered in (label.lower() for label in skill.alternative_label_list)
            ]
            match = labelled[0] if len(labelled) == 1 else None
        if match is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return match


class StoryFilterForm(forms.Form):
    """The filters of /stories/, read from the query string. Unknown values are reported and ignored."""

    errors_are_warnings = True  # shown as warnings beside the results (problems()), not as the page's error summary

    skill = SkillChoiceField(queryset=Skill.objects.taggable(), required=False, label="Skill or strength")
    function = forms.ModelChoiceField(queryset=Function.objects.all(), to_field_name="slug", required=False)
    level = forms.ModelChoiceField(queryset=Level.objects.all(), to_field_name="slug", required=False)
    format = forms.ChoiceField(choices=[("", "Any format"), *Story.Format.choices], required=False)
    move = forms.ChoiceField(
        choices=[("", "Any kind of move"), *CareerMove.Kind.choices], required=False, label="Kind of move"
    )

    def filters(self) -> dict:
        """The valid filters; each invalid one is dropped, the form keeps the error to show."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def active(self, query: QueryDict) -> list[tuple[str, str]]:
        """Each applied filter's label with the query string that removes it (and goes back to page 1)."""
        chips = []
        for name, value in self.filters().items():
            params = query.copy()
            for key in (name, "page"):
                params.pop(key, None)
            chips.append((chosen_filter(name, value)[1], f"?{params.urlencode()}"))
        return chips

    def problems(self) -> list[str]:
        labels = {name: field.label or name.capitalize() for name, field in self.fields.items()}
        return [
            f"No skill or strength is called “{self.data.get(name)}”, so that filter was ignored."
            if name == "skill"
            else f"{labels[name]}: “{self.data.get(name)}” is not one of the choices, so it was ignored."
            for name in self.errors
        ]

    @property
    def skill_text(self) -> str:
        """What the skill box shows: the chosen skill's name, or what was typed when nothing matched."""
        skill = self.filters().get("skill")
        return skill.name if skill else self.data.get("skill", "")


class CollectionForm(forms.ModelForm):
    class Meta:
        model = Collection
        fields = ["title", "introduction"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 4})}


class CollectionItemNoteForm(forms.ModelForm):
    class Meta:
        model = CollectionItem
        fields = ["note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class OfferedFormSet(forms.BaseModelFormSet):
    """A model formset that edits exactly the objects it offered, and saves all of them or none.

    Every model formset in the portal is one (`offered_formset_factory`). A post must carry one form for each object
    of the queryset and no other: a raised TOTAL_FORMS, an id from elsewhere, a repeated or missing form (also a page
    opened before the list changed) is refused with an error on the formset, and nothing is saved. New objects are
    never made (`edit_only`).
    """

    def clean(self) -> None:
        super().clean()
        offered = sorted(obj.pk for obj in self.get_queryset())
        posted = sorted(form.instance.pk or 0 for form in self.forms)  # 0: a form for no offered object
        if posted != offered:
            raise ValidationError(
                "This list changed after the page was opened, so nothing was saved. Open the page again and redo "
                "your changes there.",
                code="not_offered",
            )

    @transaction.atomic
    def save(self, commit: bool = True) -> list[Model]:
        return super().save(commit=commit)


def offered_formset_factory(model: type[Model], *, form: type[forms.ModelForm]) -> type[OfferedFormSet]:
    return forms.modelformset_factory(model, form=form, formset=OfferedFormSet, extra=0, edit_only=True)


CollectionNotesFormSet = offered_formset_factory(CollectionItem, form=CollectionItemNoteForm)


class LinkSharingForm(forms.Form):
    """The owner's link-sharing buttons: "on" turns it on, or makes a new link when it is on already; "off" ends it."""

    sharing = forms.ChoiceField(choices=[("on", "On (a new link)"), ("off", "Off")])


class AddToCollectionForm(forms.Form):
    """Checks a story page's "Add to a collection" post: the collection must be one of the user's own."""

    collection = forms.ModelChoiceField(queryset=Collection.objects.none())
    note = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collection"].queryset = Collection.objects.filter(owner=user)


class ColleagueForm(forms.Form):
    colleague = ColleagueField()


MOMENT_MAX_SECONDS = 24 * 3600  # no story is longer than a day
_MOMENT = re.compile(r"(\d{1,9})(\.\d{1,9})?")


def moment_seconds(raw: str | None, *, story: Story) -> int | None:
    """A moment in a story, as a shared link (?t=) or the player's progress gives it, in whole seconds.

    Accepts integer or decimal seconds ("95", "95.4") from 0 to a day, capped at the story's length when it is
    known. None when `raw` is absent or empty; ValueError for anything else (negative, infinite, not a number,
    exponents, more than a day).
    """
    if not raw:
        return None
    match = _MOMENT.fullmatch(raw)
    if match is None or int(match[1]) > MOMENT_MAX_SECONDS:
        raise ValueError(f"A moment is a number of seconds from 0 to {MOMENT_MAX_SECONDS}.")
    return min(int(match[1]), story.duration_seconds or MOMENT_MAX_SECONDS)


class SkillsField(forms.CharField):
    """Skills picked from the framework by name, one a line: each must be a skill or strength of the framework (by
    slug, name or one of its alternative labels, as SkillChoiceField reads them); a name that is none is refused,
    never made into a new skill."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.picker = SkillChoiceField(queryset=Skill.objects.taggable())

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(skill.name if isinstance(skill, Skill) else str(skill) for skill in value)
        return value

    def clean(self, value) -> list[Skill]:
        text = super().clean(value)
        skills, unknown = [], []
        for line in dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()):
            try:
                skills.append(self.picker.to_python(line))
            except ValidationError:
                unknown.append(f"“{line}”")
        if unknown:
            raise ValidationError(
                f"The skills framework has no skill or strength called {', '.join(unknown)}. Pick names it lists "
                "(type a few letters to see them).",
                code="unknown_skill",
            )
        if len(skills) > 10:
            raise ValidationError("Pick at most 10 skills and strengths.", code="too_many")
        return list(dict.fromkeys(skills))


class OpportunityForm(forms.ModelForm):
    """What a manager or curator posts on the site (the GOV.UK pattern, with includes/form_fields.html)."""

    skills = SkillsField(
        label="Skills and strengths it builds",
        help_text="One a line, as the skills framework names them. People whose plan builds them will see it.",
    )

    class Meta:
        model = Opportunity
        fields = [
            "kind", "title", "description", "skills", "careers_url", "function", "location", "remote",
            "time_commitment", "starts_on", "closes_on",
        ]  # fmt: skip
        labels = {"kind": "Kind of opportunity", "starts_on": "Starts on", "closes_on": "Closing date"}
        widgets = {
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 6}),
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["skills"] = list(self.instance.skills.all())

    def clean_closes_on(self) -> datetime.date:
        closes_on = self.cleaned_data["closes_on"]
        if closes_on < timezone.localdate() and "closes_on" in self.changed_data:
            raise ValidationError("The closing date must be today or later.", code="past")
        return closes_on


class OpportunityStateForm(forms.Form):
    """The poster's buttons: fill or withdraw."""

    state = forms.ChoiceField(choices=[(Opportunity.State.FILLED, "Filled"), (Opportunity.State.WITHDRAWN, "Withdraw")])


class OpportunityFilterForm(forms.Form):
    """The filters of /opportunities/, read from the query string: skill and function as for stories, the kind of
    opportunity, remote only, and words of the title or description. Unknown values are reported and ignored."""

    errors_are_warnings = True  # shown as warnings beside the results, as the story filters'

    skill = SkillChoiceField(queryset=Skill.objects.taggable(), required=False, label="Skill or strength")
    function = forms.ModelChoiceField(queryset=Function.objects.all(), to_field_name="slug", required=False)
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Opportunity.Kind.choices], required=False, label="Kind")
    remote = forms.BooleanField(required=False, label="Can be done remotely")
    q = forms.CharField(required=False, max_length=200, label="Words in the title or description")

    def filters(self) -> dict:
        """The valid filters; each invalid one is dropped, the form keeps the error to show."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def active(self, query: QueryDict) -> list[tuple[str, str]]:
        """Each applied filter's label with the query string that removes it (and goes back to page 1)."""
        kinds = dict(Opportunity.Kind.choices)
        chips = []
        for name, value in self.filters().items():
            params = query.copy()
            for key in (name, "page"):
                params.pop(key, None)
            label = {"kind": kinds.get(value), "remote": "Remote", "q": f"“{value}”"}.get(name) or str(value)
            chips.append((label, f"?{params.urlencode()}"))
        return chips

    def problems(self) -> list[str]:
        return [
            f"{self.fields[name].label or name.capitalize()}: “{self.data.get(name)}” is not one of the choices, so it "
            "was ignored."
            for name in self.errors
        ]

    @property
    def skill_text(self) -> str:
        skill = self.filters().get("skill")
        return skill.name if skill else self.data.get("skill", "")

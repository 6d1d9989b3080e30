from django import forms
from django.db.models import Model
from django.http import QueryDict

from skills.models import Skill
from stories.models import CareerMove, Collection, CollectionItem, Function, Level, Story
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
            label = str(value) if isinstance(value, Model) else dict(self.fields[name].choices)[value]
            chips.append((label, f"?{params.urlencode()}"))
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


class AddToCollectionForm(forms.Form):
    """Checks a story page's "Add to a collection" post: the collection must be one of the user's own."""

    collection = forms.ModelChoiceField(queryset=Collection.objects.none())
    note = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collection"].queryset = Collection.objects.filter(owner=user)


class ColleagueForm(forms.Form):
    colleague = forms.CharField(label="Colleague's username or email", max_length=254)

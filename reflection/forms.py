from django import forms

from careerportal.people import ColleagueField
from reflection.models import Action, Aspiration, Objective, Reflection
from skills.models import Skill
from stories.models import Story


class ReflectionForm(forms.ModelForm):
    class Meta:
        model = Reflection
        fields = ["title", "what_they_did", "skills_relied_on", "what_i_have", "what_i_could_try"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in Reflection.PROMPTS}

    def clean(self):
        cleaned = super().clean()
        if not any((cleaned.get(name) or "").strip() for name in ["title", *Reflection.PROMPTS]):
            raise forms.ValidationError("Write something in at least one of the boxes before saving.")
        return cleaned


class AssessmentForm(forms.Form):
    level = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, widget=forms.RadioSelect)
    is_strength = forms.BooleanField(required=False, label="This is one of my strengths")
    wants_to_develop = forms.BooleanField(required=False, label="I want to develop this")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, skill: Skill, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [
            ("", "Not sure"),
            *(
                (number, ": ".join(part for part in (f"{number}. {name}".rstrip(". "), descriptor) if part))
                for number, name, descriptor in skill.levels_with_descriptors(skill.framework.levels.all())
            ),
        ]
        self.fields["level"].label = "My level now"


class AspirationForm(forms.ModelForm):
    class Meta:
        model = Aspiration
        fields = ["long_term_goals", "track", "horizon", "open_to_other_function", "open_to_relocation", "trade_offs"]
        widgets = {
            "long_term_goals": forms.Textarea(attrs={"rows": 4}),
            "trade_offs": forms.Textarea(attrs={"rows": 3}),
            "track": forms.RadioSelect,
            "horizon": forms.RadioSelect,
        }


class ObjectiveForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="The skills and strengths this objective builds.",
    )  # fmt: skip
    stories = forms.ModelMultipleChoiceField(
        queryset=Story.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Stories that inspired it: the ones you explored or saved.",
    )  # fmt: skip

    class Meta:
        model = Objective
        fields = ["title", "why", "success_measure", "target_date", "status", "skills", "stories"]
        widgets = {
            "why": forms.Textarea(attrs={"rows": 3}),
            "success_measure": forms.Textarea(attrs={"rows": 3}),
            "target_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, skills, stories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = skills
        self.fields["stories"].queryset = stories
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["kind", "title", "due_date"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}
        labels = {"title": "What will you do?"}


class RemovedActionForm(forms.ModelForm):
    """A removed action's values, carried by its "Undo" button (all hidden) and checked again when it comes back."""

    class Meta:
        model = Action
        fields = ["kind", "title", "due_date", "done_at"]
        widgets = dict.fromkeys(fields, forms.HiddenInput)

    @staticmethod
    def values(action: Action) -> dict[str, str]:
        """The action's values as text, as the hidden inputs carry them (and a session stores them)."""
        return {
            "kind": action.kind,
            "title": action.title,
            "due_date": action.due_date.isoformat() if action.due_date else "",
            "done_at": action.done_at.isoformat() if action.done_at else "",
        }


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ShareForm(forms.Form):
    colleague = ColleagueField(help_text="Normally your manager.")


class ConversationForm(forms.Form):
    colleague = ColleagueField()
    message = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    objectives = forms.ModelMultipleChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Objectives to talk about",
    )
    stories = forms.ModelMultipleChoiceField(
        queryset=Story.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Stories to talk about",
    )

    def __init__(self, *args, objectives, stories, **kwargs):
        super().__init__(*args, auto_id="id_conversation_%s", **kwargs)  # beside ShareForm on one page
        self.fields["objectives"].queryset = objectives
        self.fields["stories"].queryset = stories


class DeleteAllForm(forms.Form):
    confirm = forms.CharField(
        label="Type DELETE to confirm", max_length=10, help_text="This cannot be undone. Download your data first."
    )

    def clean_confirm(self):
        if self.cleaned_data["confirm"].strip().upper() != "DELETE":
            raise forms.ValidationError("Type DELETE (in capitals or not) to confirm.")
        return self.cleaned_data["confirm"]


class OpportunityInterestForm(forms.Form):
    note = forms.CharField(
        label="A note for the poster",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why it interests you, and when you could start.",
    )
    share_plan = forms.BooleanField(
        required=False, label="Share my development plan with the poster (you can stop sharing at any time)"
    )


class OpportunityAnswerForm(forms.Form):
    answer = forms.CharField(label="Your answer", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

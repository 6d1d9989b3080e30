from django import forms

from careerportal.people import ColleagueField
from reflection.models import Action, Aspiration, ConversationRequest, Objective, Openness, Reflection
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


class OpennessForm(forms.ModelForm):
    class Meta:
        model = Openness
        fields = ["conversation", "mentoring", "shadowing", "monthly_limit", "paused"]
        labels = {"monthly_limit": "Requests a month, at most"}
        widgets = {"monthly_limit": forms.NumberInput(attrs={"min": 1, "max": 50})}

    def clean_monthly_limit(self) -> int:
        limit = self.cleaned_data["monthly_limit"]
        if not 1 <= limit <= 50:
            raise forms.ValidationError("Enter a number from 1 to 50.")
        return limit


class StoryAskForm(forms.Form):
    """Asking a story's storyteller: for what (of what they are open to), a short message, optionally an objective."""

    kind = forms.ChoiceField(label="What you would like", widget=forms.RadioSelect)
    message = forms.CharField(
        label="Your message",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A few lines: who you are, what you would like to learn from them.",
        error_messages={"required": "Write a short message."},
    )
    objective = forms.ModelChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        label="The objective of your plan it serves",
        empty_label="None",
    )

    def __init__(self, *args, kinds: list[str], objectives, objective_choices: list[tuple] | None = None, **kwargs):
        """`objective_choices`, the objectives as (pk, title) when already read: shown without a query of their own;
        an answer is still checked against `objectives`."""
        super().__init__(*args, auto_id="id_ask_%s", **kwargs)  # beside the story page's other forms
        self.fields["kind"].choices = [(kind, ConversationRequest.Kind(kind).label.capitalize()) for kind in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
            self.fields["kind"].widget = forms.HiddenInput()
        self.fields["objective"].queryset = objectives
        if objective_choices is not None:
            self.fields["objective"].choices = [("", self.fields["objective"].empty_label), *objective_choices]


class DeleteAllForm(forms.Form):
    confirm = forms.CharField(
        label="Type DELETE to confirm", max_length=10, help_text="This cannot be undone. Download your data first."
    )

    def clean_confirm(self):
        if self.cleaned_data["confirm"].strip().upper() != "DELETE":
            raise forms.ValidationError("Type DELETE (in capitals or not) to confirm.")
        return self.cleaned_data["confirm"]


# Answering a conversation request (reflection/services.py holds the states).


class AcceptForm(forms.Form):
    proposed_at = forms.DateTimeField(
        label="Proposed time",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How and where you will meet, or what to prepare. Propose a time, write a note, or both.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="id_accept_%s", **kwargs)  # beside DeclineForm on one page

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("proposed_at") is None and not cleaned.get("note", "").strip():
            raise forms.ValidationError("Propose a time or write a note on how you will meet.")
        return cleaned


class DeclineForm(forms.Form):
    message = forms.CharField(
        label="Message",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why not now, or who or what could help instead.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="id_decline_%s", **kwargs)


class HeldForm(forms.Form):
    notes = forms.CharField(label="Notes", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    agreed_actions = forms.CharField(
        label="Actions you agreed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line. Each can go on the plan with one click.",
    )

    def clean_agreed_actions(self) -> list[str]:
        actions = [line.strip() for line in self.cleaned_data["agreed_actions"].splitlines() if line.strip()]
        limit = Action._meta.get_field("title").max_length
        if too_long := [action for action in actions if len(action) > limit]:
            raise forms.ValidationError(f"Keep each action to {limit} characters: “{too_long[0][:40]}…” is longer.")
        return actions


class NoteForm(forms.Form):
    body = forms.CharField(label="Note", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    agreed_action = forms.BooleanField(label="This is an action we agreed (it can go on the plan)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="id_note_%s", **kwargs)

    def clean(self):
        cleaned = super().clean()
        limit = Action._meta.get_field("title").max_length
        if cleaned.get("agreed_action") and len(cleaned.get("body", "")) > limit:
            self.add_error("body", f"Keep an agreed action to {limit} characters, so that it fits on the plan.")
        return cleaned


class AdoptForm(forms.Form):
    """Puts one of the agreed actions (the button clicked names it) on the owner's plan, under one of their open
    objectives, as one kind of action. The choices are lists made once for the page, so the form costs no query."""

    objective = forms.TypedChoiceField(coerce=int, label="Objective")
    kind = forms.ChoiceField(choices=Action.Kind.choices, initial=Action.Kind.OTHER, label="Kind of action")
    note = forms.TypedChoiceField(coerce=int)

    def __init__(self, *args, objectives: list[Objective], notes: list, **kwargs):
        super().__init__(*args, auto_id="id_adopt_%s", **kwargs)
        self.fields["objective"].choices = [(objective.pk, objective.title) for objective in objectives]
        self.fields["note"].choices = [(note.pk, note.body) for note in notes]


# Opportunities: the employee's interest and the poster's answer.


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

from django import forms
from django.conf import settings

from skills.importers import FORMATS
from skills.models import Framework, Skill


class FrameworkImportForm(forms.Form):
    file = forms.FileField(
        help_text="A Moodle competency framework CSV, ESCO's skills_en.csv, an SFIA skills sheet saved as CSV, "
        "or the plain spreadsheet (CSV or .xlsx) described in the README."
    )
    broader_file = forms.FileField(
        required=False,
        label="ESCO broader relations (optional)",
        help_text="broaderRelationsSkillPillar_en.csv, which gives ESCO's skills their tree.",
    )
    format = forms.ChoiceField(
        choices=[("", "Tell from the columns"), *FORMATS.items()], required=False, label="Format"
    )
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.all(),
        required=False,
        empty_label="A new framework",
        help_text="Choose a framework to update it with a new version of its file.",
    )
    code = forms.SlugField(
        max_length=100,
        required=False,
        label="Code of the new framework (optional)",
        help_text="Letters, digits and hyphens, such as acme-skills. Leave it empty to take the file's own code (SFIA, "
        "ESCO and Moodle files carry one) or one made from the name. A new framework never updates an existing one: "
        "the preview says which framework the import creates or updates.",
    )
    name = forms.CharField(
        max_length=200,
        required=False,
        label="Name (optional)",
        help_text="For a new framework, if the file does not name it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].label_from_instance = lambda framework: f"{framework.name} (code {framework.code})"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.PORTAL_MAX_FRAMEWORK_BYTES:
            limit = settings.PORTAL_MAX_FRAMEWORK_BYTES / 1024 / 1024
            raise forms.ValidationError(f"The file is larger than the limit of {limit:.0f} MB.")
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("framework") and cleaned.get("code"):
            self.add_error(
                "code",
                f"Leave the code empty to update “{cleaned['framework'].name}”, or choose “A new framework”.",
            )
        return cleaned


class SkillMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Skill.objects.taggable(),
        widget=forms.RadioSelect,
        label="Keep",
        help_text="The other skill's stories move to this one and its name becomes an alternative label.",
    )

    def __init__(self, *args, skills, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Skill.objects.taggable().filter(pk__in=[skill.pk for skill in skills])

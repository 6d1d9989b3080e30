from django import forms
from django.conf import settings

from careerportal.models import EmailPreference, Notification


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        help_text="The HR system's export, CSV or .xlsx, with the columns the README lists: employee_id, email, "
        "first_name, last_name, job_title, function, level, manager_email, location, active."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.PORTAL_MAX_FRAMEWORK_BYTES:
            limit = settings.PORTAL_MAX_FRAMEWORK_BYTES / 1024 / 1024
            raise forms.ValidationError(f"The file is larger than the limit of {limit:.0f} MB.")
        return upload


class EmailPreferencesForm(forms.Form):
    """Per kind of inbox item: an email straight away, a daily digest, or none."""

    def __init__(self, *args, chosen: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Notification.Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=EmailPreference.Delivery.choices,
                initial=chosen.get(kind, EmailPreference.Delivery.NOW),
                widget=forms.RadioSelect,
            )

from django import forms
from django.conf import settings


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

"""The company directory's import in the admin, in a browser: HR uploads the export, reads the preview, confirms;
every page on the way passes axe (the admin pages directly, as tests/browser/test_admin.py explains)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from careerportal.models import Profile
from tests.browser.test_admin import serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLE = Path(__file__).resolve().parents[2] / "careerportal" / "samples" / "people.csv"


def test_hr_previews_and_imports_the_directory_and_every_page_passes_axe(page, demo, log_in, axe, tmp_path):
    log_in("curator")
    problems = {}
    directory = list(Profile.objects.values_list("user__email", "employee_id", "job_title", "manager__email"))

    def check(name: str) -> None:
        if found := serious_violations(axe, page):
            problems[name] = found

    page.goto(f"{demo.url}/admin/careerportal/profile/")
    page.get_by_role("link", name="Import the HR system's export").click()
    check("import form")

    refused = tmp_path / "refused.csv"
    refused.write_text(SAMPLE.read_text().replace(",true", ",maybe", 1))
    page.get_by_label("File").set_input_files(refused)
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name="Nothing was imported: 1 problem")).to_be_visible()
    expect(page.get_by_role("cell", name="2", exact=True)).to_be_visible()
    check("refused file")

    page.get_by_label("File").set_input_files(SAMPLE)
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name="What importing people.csv would change")).to_be_visible()
    check("preview")
    assert list(Profile.objects.values_list("user__email", "employee_id", "job_title", "manager__email")) == directory

    page.get_by_role("button", name="Import these changes").click()
    expect(page.get_by_text("Imported the directory: 2 added; 3 changed")).to_be_visible()
    check("directory list after the import")
    walsh = Profile.objects.get(employee_id="E1002")
    page.goto(f"{demo.url}/admin/careerportal/profile/{walsh.pk}/change/")
    expect(page.get_by_label("Job title")).to_have_value("Financial Analyst")
    check("profile change form")
    assert not problems, "\n".join(f"{name}:\n  " + "\n  ".join(found) for name, found in problems.items())

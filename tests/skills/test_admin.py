import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from skills.models import Framework, Skill
from tests.factories import SkillFactory, StoryFactory
from tests.skills.framework_versions import VERSIONS

pytestmark = pytest.mark.django_db

PLAIN = (
    "code,name,kind,parent code,description,alternative labels\n"
    "COM,Communication,category,,,\n"
    "COM-1,Negotiation,skill,COM,Reaching agreement,Bargaining;Deal making\n"
    "STR-1,Resilience,strength,,Bouncing back,\n"
)


def upload(content: str, name: str = "acme.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")


def test_curator_previews_then_confirms_an_import(curator_client):
    url = reverse("admin:skills_framework_import")
    preview = curator_client.post(url, {"file": upload(PLAIN), "name": "Acme skills"})
    assert preview.status_code == 200
    report = preview.context["report"]
    assert report.ok and len(report.added) == 3
    assert not Framework.objects.filter(name="Acme skills").exists()  # a preview writes nothing
    token = preview.context["token"]

    confirmed = curator_client.post(url, {"token": token, **preview.context["choices"]})

    framework = Framework.objects.get(name="Acme skills")
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:skills_framework_change", args=[framework.pk])
    assert set(framework.skills.values_list("code", flat=True)) == {"COM", "COM-1", "STR-1"}
    # The token is spent: confirming twice imports nothing more.
    again = curator_client.post(url, {"token": token, **preview.context["choices"]})
    assert again.status_code == 302 and again["Location"] == url


def test_a_bad_file_shows_its_problems_by_row_and_changes_nothing(curator_client):
    bad = PLAIN + "COM-1,Duplicate,skill,,,\nX-1,Orphan,skill,NOPE,,\n"
    response = curator_client.post(reverse("admin:skills_framework_import"), {"file": upload(bad), "name": "Acme"})
    content = response.content.decode()
    assert "Nothing was imported" in content
    assert "Row 5" in content and "Row 6" in content
    assert "token" not in response.context
    assert not Framework.objects.exists()


def test_reimport_preview_lists_what_would_be_retired(curator_client):
    url = reverse("admin:skills_framework_import")
    first = curator_client.post(url, {"file": upload(PLAIN), "name": "Acme"})
    curator_client.post(url, {"token": first.context["token"], **first.context["choices"]})
    framework = Framework.objects.get(name="Acme")
    smaller = "\n".join(PLAIN.splitlines()[:3]) + "\n"
    preview = curator_client.post(url, {"file": upload(smaller), "framework": framework.pk})
    assert preview.context["report"].retired == ["Resilience"]
    assert "Retired skills disappear from pickers" in preview.content.decode()


def test_employee_and_anonymous_cannot_import(employee_client, client):
    assert employee_client.get(reverse("admin:skills_framework_import")).status_code == 302


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "moodle"])
def test_export_then_import_gives_back_the_same_framework(curator_client, fmt):
    url = reverse("admin:skills_framework_import")
    tricky = PLAIN + 'FRM-1,=SUM(A1),skill,,"-starts with a minus, and has a ""quote""",@mention\n'
    first = curator_client.post(url, {"file": upload(tricky), "name": "Acme"})
    curator_client.post(url, {"token": first.context["token"], **first.context["choices"]})
    framework = Framework.objects.get(name="Acme")

    exported = curator_client.get(reverse("admin:skills_framework_export", args=[framework.pk, fmt]))
    assert exported.status_code == 200
    assert "attachment" in exported["Content-Disposition"]
    content = exported.content
    if fmt == "xlsx":
        cells = [cell for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True) for cell in row]
        assert "'=SUM(A1)" in cells
    else:
        assert b"'=SUM(A1)" in content and b"'-starts with a minus" in content

    before = list(Skill.objects.order_by("code").values_list("code", "name", "description", "parent__code"))
    name = f"acme.{'xlsx' if fmt == 'xlsx' else 'csv'}"
    again = curator_client.post(url, {"file": SimpleUploadedFile(name, content), "framework": framework.pk})
    report = again.context["report"]
    assert report.ok, report.problems
    assert (report.added, report.moved, report.retired) == ([], [], [])
    if fmt != "moodle":  # Moodle has no kinds or alternative labels: those are kept, not compared
        assert report.changes == 0
    after = list(Skill.objects.order_by("code").values_list("code", "name", "description", "parent__code"))
    assert after == before


def test_curator_merges_two_skills_from_the_list(curator_client):
    keep, merge = SkillFactory(name="Negotiation"), SkillFactory(name="Negotiating")
    story = StoryFactory(skills=[merge])
    url = reverse("admin:skills_skill_changelist")
    confirm = curator_client.post(url, {"action": "merge", "_selected_action": [keep.pk, merge.pk]})
    assert "Which skill do you keep?" in confirm.content.decode()
    curator_client.post(url, {"action": "merge", "_selected_action": [keep.pk, merge.pk], "target": keep.pk})
    assert list(story.skills.all()) == [keep]
    keep.refresh_from_db()
    assert "Negotiating" in keep.alternative_label_list


@pytest.mark.parametrize("fmt", sorted(VERSIONS))
def test_reimport_in_the_admin_keeps_the_framework_name(curator_client, fmt):
    versions = VERSIONS[fmt]
    url = reverse("admin:skills_framework_import")

    def import_(content: bytes, **choices) -> None:
        file = SimpleUploadedFile(versions.filename, content)
        preview = curator_client.post(url, {"file": file, **choices})
        assert preview.context["report"].ok, preview.context["report"].problems
        curator_client.post(url, {"token": preview.context["token"], **preview.context["choices"]})

    import_(versions.first, name=versions.first_name)
    framework = Framework.objects.get()
    import_(versions.second, framework=framework.pk, name=versions.first_name)  # the name typed again

    framework.refresh_from_db()
    assert framework.name == versions.name
    assert framework.skills.filter(name="Beta renamed").exists()
    import_(versions.first, framework=framework.pk)  # no name typed
    framework.refresh_from_db()
    assert framework.name == versions.name

import datetime
import io
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from skills.importers import ParsedFramework, ParsedSkill
from skills.models import Framework, Skill
from skills.services import PREVIEW_DIR, PREVIEW_LIFETIME, framework_import
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


def preview_files(settings) -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / PREVIEW_DIR
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def age(settings, name: str, by: datetime.timedelta) -> None:
    path = Path(settings.MEDIA_ROOT) / PREVIEW_DIR / name
    then = path.stat().st_mtime - by.total_seconds()
    os.utime(path, (then, then))


def test_a_new_preview_deletes_the_files_of_expired_previews_and_keeps_fresh_ones(curator_client, settings):
    url = reverse("admin:skills_framework_import")
    expired = curator_client.post(url, {"file": upload(PLAIN), "name": "Acme"}).context["token"]
    fresh = curator_client.post(url, {"file": upload(PLAIN), "name": "Acme"}).context["token"]
    age(settings, expired, PREVIEW_LIFETIME + datetime.timedelta(minutes=1))
    age(settings, fresh, PREVIEW_LIFETIME - datetime.timedelta(minutes=1))

    newest = curator_client.post(url, {"file": upload(PLAIN), "name": "Acme"}).context["token"]

    assert preview_files(settings) == sorted([fresh, newest])


def test_confirming_or_cancelling_a_preview_deletes_its_file(curator_client, settings):
    url = reverse("admin:skills_framework_import")
    confirmed = curator_client.post(url, {"file": upload(PLAIN), "name": "Acme"})
    cancelled = curator_client.post(url, {"file": upload(PLAIN), "name": "Other"})
    assert len(preview_files(settings)) == 2

    curator_client.post(url, {"token": confirmed.context["token"], **confirmed.context["choices"]})
    response = curator_client.post(
        url, {"token": cancelled.context["token"], **cancelled.context["choices"], "cancel": "Cancel"}, follow=True
    )

    assert preview_files(settings) == []
    assert list(Framework.objects.filter(is_builtin=False).values_list("name", flat=True)) == ["Acme"]
    assert "Nothing was imported." in response.content.decode()


def test_an_expired_preview_cannot_be_confirmed_and_its_file_goes(curator_client, settings):
    url = reverse("admin:skills_framework_import")
    preview = curator_client.post(url, {"file": upload(PLAIN), "name": "Acme"})
    age(settings, preview.context["token"], PREVIEW_LIFETIME + datetime.timedelta(minutes=1))

    response = curator_client.post(url, {"token": preview.context["token"], **preview.context["choices"]}, follow=True)

    assert "That upload has expired" in response.content.decode()
    assert not Framework.objects.filter(name="Acme").exists()
    assert preview_files(settings) == []


def test_expired_previews_in_the_earlier_folder_layout_are_deleted_too(curator_client, settings):
    old = Path(settings.MEDIA_ROOT) / PREVIEW_DIR / ("a" * 32)
    old.mkdir(parents=True)
    (old / "file").write_text(PLAIN)
    age(settings, f"{'a' * 32}/file", PREVIEW_LIFETIME * 2)

    curator_client.post(reverse("admin:skills_framework_import"), {"file": upload(PLAIN), "name": "Acme"})

    assert len(preview_files(settings)) == 1
    assert not (old / "file").exists()


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


MOODLE = Path(__file__).parent / "files" / "moodle_current.csv"


def import_moodle(curator_client, content: bytes, **choices):
    url = reverse("admin:skills_framework_import")
    preview = curator_client.post(url, {"file": SimpleUploadedFile("moodle.csv", content), **choices})
    if "token" in preview.context:
        curator_client.post(url, {"token": preview.context["token"], **preview.context["choices"]})
    return preview


def test_preview_of_a_scale_change_alone_shows_it_and_offers_the_import(curator_client):
    import_moodle(curator_client, MOODLE.read_bytes())
    framework = Framework.objects.get(code="eng-ladder")
    changed = MOODLE.read_bytes().replace(b'"Aware,Practising,Skilled,Expert"', b'"Aware,Practising,Skilled,Master"')

    url = reverse("admin:skills_framework_import")
    preview = curator_client.post(url, {"file": SimpleUploadedFile("moodle.csv", changed), "framework": framework.pk})

    content = preview.content.decode()
    assert "Level 4: “Expert” becomes “Master”" in content
    assert "nothing to import" not in content and "Import these changes" in content
    assert framework.levels.get(level=4).name == "Expert"
    confirmed = curator_client.post(url, {"token": preview.context["token"], **preview.context["choices"]}, follow=True)
    assert "Imported Engineering ladder: 1 change to the framework." in confirmed.content.decode()
    assert framework.levels.get(level=4).name == "Master"


def test_preview_says_in_words_whether_it_creates_or_updates_which_framework(curator_client):
    created = import_moodle(curator_client, MOODLE.read_bytes())
    framework = Framework.objects.get()

    updated = import_moodle(curator_client, MOODLE.read_bytes(), framework=framework.pk)

    assert "This will create a new framework “Engineering ladder” (code eng-ladder)" in created.content.decode()
    assert "This will update the framework “Engineering ladder” (code eng-ladder)" in updated.content.decode()
    assert "The file matches the framework as it is: there is nothing to import." in updated.content.decode()


def test_a_new_framework_never_updates_one_whose_code_the_file_carries(curator_client):
    import_moodle(curator_client, MOODLE.read_bytes())
    renamed = MOODLE.read_bytes().replace(b'"Automated testing"', b'"Testing"')

    refused = import_moodle(curator_client, renamed)

    assert (
        "The framework “Engineering ladder” already has the code “eng-ladder”: update it, or give the new framework "
        "another code." in refused.content.decode()
    )
    assert not Skill.objects.filter(name="Testing").exists()

    copy = import_moodle(curator_client, renamed, code="eng-ladder-2026")

    assert "This will create a new framework “Engineering ladder” (code eng-ladder-2026)" in copy.content.decode()
    assert Skill.objects.get(name="Testing").framework.code == "eng-ladder-2026"
    assert Skill.objects.get(name="Automated testing").framework.code == "eng-ladder"


def test_the_form_shows_framework_codes_and_refuses_a_code_with_an_existing_framework(curator_client):
    framework = Framework.objects.create(code="sfia", name="SFIA 9")
    url = reverse("admin:skills_framework_import")

    page = curator_client.get(url).content.decode()
    response = curator_client.post(url, {"file": upload(PLAIN), "framework": framework.pk, "code": "other"})

    assert "SFIA 9 (code sfia)" in page and "Code of the new framework (optional)" in page
    assert response.context["form"].errors == {
        "code": ["Leave the code empty to update “SFIA 9”, or choose “A new framework”."]
    }
    assert "report" not in response.context


@pytest.mark.parametrize("frameworks", [1, 5])
def test_framework_list_shows_code_format_live_skill_count_and_last_import_in_fixed_queries(
    curator_client, django_assert_num_queries, frameworks
):
    for number in range(frameworks):
        framework_import(
            parsed=ParsedFramework(
                format="moodle",
                code=f"acme-{number}",
                name=f"Acme {number}",
                skills=[ParsedSkill(0, f"S{n}", f"Skill {n}", "skill") for n in range(3)],
            )
        )
    Skill.objects.filter(code="S2").update(is_retired=True)

    # 8: session, user, is_curator (one group query), the permissions (two), the counts (two), the page.
    with django_assert_num_queries(8):
        response = curator_client.get(reverse("admin:skills_framework_changelist"))

    rows = response.context["cl"].result_list
    assert [(row.code, row.skill_count) for row in rows] == [(f"acme-{n}", 2) for n in range(frameworks)]
    content = response.content.decode()
    assert '<td class="field-import_format">Moodle competency framework CSV</td>' in content
    assert '<td class="field-skill_count">2</td>' in content
    assert '<td class="field-imported_at nowrap">' in content


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


def test_preview_of_a_publishers_file_says_how_it_was_read_and_lists_its_quirks(curator_client):
    url = reverse("admin:skills_framework_import")
    files = Path(__file__).parent / "files"

    esco = curator_client.post(
        url, {"file": SimpleUploadedFile("skills_en-us.csv", (files / "esco_v1_en_us_excerpt.csv").read_bytes())}
    )
    sfia = curator_client.post(
        url, {"file": SimpleUploadedFile("sfia-9.csv", (files / "sfia9_cp1252_excerpt.csv").read_bytes())}
    )

    assert "Warnings: publisher quirks" in esco.content.decode()
    assert "no preferredLabel" in esco.content.decode()
    assert "The file was read as Windows-1252 text." in sfia.content.decode()
    assert not Framework.objects.exists()

"""The company directory in the admin: HR uploads the export, sees what it would change, confirms, and marks people
as left; only curators get in."""

import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from careerportal.directory import COLUMNS, PREVIEW_DIR
from careerportal.models import Profile
from tests.factories import FunctionFactory, LevelFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
URL = "/admin/careerportal/profile/import/"
HEADER = ",".join(COLUMNS)
BELL = "E1,marcus.bell@example.com,Marcus,Bell,Head of Finance,Finance,Manager,,London,true"
WALSH = "E2,erin.walsh@example.com,Erin,Walsh,Analyst,finance,professional,marcus.bell@example.com,Leeds,true"
OKAFOR = "E3,tom.okafor@example.com,Tom,Okafor,Sales Executive,Sales,Professional,marcus.bell@example.com,Leeds,yes"


@pytest.fixture(autouse=True)
def functions_and_levels(db):
    FunctionFactory(name="Finance", slug="finance")
    FunctionFactory(name="Sales", slug="sales")
    LevelFactory(name="Professional", slug="professional", rank=2)
    LevelFactory(name="Manager", slug="manager", rank=4)


def upload(*rows: str, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\r\n".join([HEADER, *rows, ""]).encode(), content_type="text/csv")


def directory() -> list[tuple]:
    return list(
        User.objects.order_by("username").values_list(
            "username", "is_active", "profile__employee_id", "profile__job_title", "profile__manager__username",
            "profile__left_on",
        )
    )  # fmt: skip


def confirm_data(preview) -> dict:
    return {name: preview.context[name] for name in ("token", "fingerprint", "filename")}


def kept_files(settings) -> list[Path]:
    return sorted((Path(settings.MEDIA_ROOT) / PREVIEW_DIR).glob("*"))


def test_the_preview_counts_each_kind_of_change_names_the_first_people_and_writes_nothing(curator_client):
    curator_client.post(URL, {"file": upload(BELL, WALSH)})
    curator_client.post(URL, confirm_data(curator_client.post(URL, {"file": upload(BELL, WALSH)})))
    before = directory()
    bell_promoted = BELL.replace("Head of Finance", "Finance Director")
    walsh_moved = WALSH.replace("marcus.bell@example.com", "")

    preview = curator_client.post(URL, {"file": upload(bell_promoted, walsh_moved, OKAFOR)})

    assert preview.status_code == 200
    page = preview.content.decode()
    rows = {label: (count, examples) for label, count, examples in preview.context["plan"].sections()}
    assert rows == {
        "added": (1, ["Tom Okafor (E3)"]),
        "changed": (1, ["Marcus Bell (E1)"]),
        "moved to another manager": (1, ["Erin Walsh (E2), to no manager"]),
        "marked as left": (0, []),
    }
    for text in ("Tom Okafor (E3)", "Marcus Bell (E1)", "Erin Walsh (E2), to no manager", "Import these changes"):
        assert text in page
    assert directory() == before


def test_confirming_applies_the_previewed_changes_and_says_what_was_done(curator_client, settings):
    preview = curator_client.post(URL, {"file": upload(BELL, WALSH, OKAFOR)})
    assert not Profile.objects.exists()

    confirmed = curator_client.post(URL, confirm_data(preview), follow=True)

    assert confirmed.redirect_chain == [(reverse("admin:careerportal_profile_changelist"), 302)]
    assert "Imported the directory: 3 added; 0 changed; 0 moved to another manager; 0 marked as left; 0 unchanged." in (
        confirmed.content.decode()
    )
    assert set(Profile.objects.values_list("employee_id", flat=True)) == {"E1", "E2", "E3"}
    assert Profile.objects.get(employee_id="E2").manager.email == "marcus.bell@example.com"
    assert kept_files(settings) == []  # the kept upload goes once it is imported


def test_a_refused_file_lists_each_problem_with_its_row_and_writes_nothing(curator_client, settings):
    looped_bell = BELL.replace(",,London", ",tom.okafor@example.com,London")
    unknown_level = WALSH.replace("professional", "Wizard")

    preview = curator_client.post(URL, {"file": upload(looped_bell, unknown_level, OKAFOR)})

    page = preview.content.decode()
    assert "Nothing was imported: 1 problem" in page
    assert "<td>2</td><td>the managers go round in a loop: marcus.bell@example.com (row 2)" in page
    assert "Import these changes" not in page and "token" not in preview.context
    assert not Profile.objects.exists() and User.objects.count() == 1 and kept_files(settings) == []

    preview = curator_client.post(URL, {"file": upload(BELL, unknown_level, OKAFOR)})
    assert "<td>3</td><td>level “Wizard” is not one of the portal&#x27;s: Manager, Professional.</td>" in (
        preview.content.decode()
    )
    assert not Profile.objects.exists() and User.objects.count() == 1


def test_confirming_twice_imports_once(curator_client):
    preview = curator_client.post(URL, {"file": upload(BELL, WALSH)})
    curator_client.post(URL, confirm_data(preview))
    imported = directory()

    again = curator_client.post(URL, confirm_data(preview), follow=True)

    assert again.redirect_chain == [(URL, 302)]
    assert "That upload has expired or was already imported" in again.content.decode()
    assert directory() == imported


def test_a_second_confirmation_that_arrives_before_the_upload_is_discarded_imports_nothing_more(
    curator_client, settings
):
    """Two clicks on "Import these changes" can both find the kept file: the second's plan is no longer the one
    previewed (there is nothing left to do), so it applies nothing."""
    preview = curator_client.post(URL, {"file": upload(BELL, WALSH)})
    [kept] = kept_files(settings)
    shutil.copy(kept, kept.with_name("copy"))
    curator_client.post(URL, confirm_data(preview))
    imported = directory()
    shutil.move(kept.with_name("copy"), kept)

    again = curator_client.post(URL, confirm_data(preview))

    assert "The directory already holds what this file says" in again.content.decode()
    assert "Import these changes" not in again.content.decode()
    assert directory() == imported
    assert kept_files(settings) == []


def test_a_preview_made_stale_by_a_change_to_the_directory_is_refused_and_shown_afresh(curator_client):
    curator_client.post(URL, confirm_data(curator_client.post(URL, {"file": upload(BELL, WALSH)})))
    preview = curator_client.post(URL, {"file": upload(BELL, WALSH, OKAFOR)})
    walsh = Profile.objects.get(employee_id="E2")
    walsh.job_title = "Senior analyst"  # changed meanwhile, in the admin or by another import
    walsh.save()

    refused = curator_client.post(URL, confirm_data(preview))

    assert "The directory changed since the preview, so nothing was imported" in refused.content.decode()
    assert not Profile.objects.filter(employee_id="E3").exists()
    assert [section[:2] for section in refused.context["plan"].sections()][:2] == [("added", 1), ("changed", 1)]

    curator_client.post(URL, confirm_data(refused))
    assert Profile.objects.filter(employee_id="E3").exists()
    assert Profile.objects.get(employee_id="E2").job_title == "Analyst"


def test_cancelling_a_preview_deletes_its_upload_and_imports_nothing(curator_client, settings):
    preview = curator_client.post(URL, {"file": upload(BELL)})

    cancelled = curator_client.post(URL, {**confirm_data(preview), "cancel": "Cancel"}, follow=True)

    assert "Nothing was imported." in cancelled.content.decode()
    assert not Profile.objects.exists() and User.objects.count() == 1 and kept_files(settings) == []


@pytest.mark.parametrize("staff", [False, True])
def test_employees_and_staff_who_are_not_curators_get_no_access(client, staff):
    client.force_login(UserFactory(is_staff=staff))
    for url in (URL, reverse("admin:careerportal_profile_changelist")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    response = client.post(URL, {"file": upload(BELL)})
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert not Profile.objects.exists()


def test_the_directory_list_links_to_the_import_and_shows_each_persons_place(curator_client):
    curator_client.post(URL, confirm_data(curator_client.post(URL, {"file": upload(BELL, WALSH)})))

    page = curator_client.get(reverse("admin:careerportal_profile_changelist")).content.decode()

    assert f'href="{URL}"' in page
    for text in ("Erin Walsh", "Analyst", "Finance", "Professional", "Marcus Bell"):
        assert text in page


def test_the_directory_list_costs_the_same_queries_for_more_people(curator_client, django_assert_num_queries):
    url = reverse("admin:careerportal_profile_changelist")
    curator_client.post(URL, confirm_data(curator_client.post(URL, {"file": upload(BELL)})))
    curator_client.get(url)
    # session, user, curator check, two for permissions; the function and level filters; two counts; one page of
    # profiles with their accounts, functions, levels and managers
    with django_assert_num_queries(10):
        curator_client.get(url)
    curator_client.post(URL, confirm_data(curator_client.post(URL, {"file": upload(BELL, WALSH, OKAFOR)})))
    with django_assert_num_queries(10):
        assert "Tom Okafor" in curator_client.get(url).content.decode()


def test_marking_people_as_left_in_the_admin_ends_their_accounts_log_in_too(curator_client):
    curator_client.post(URL, confirm_data(curator_client.post(URL, {"file": upload(BELL, WALSH)})))
    walsh = Profile.objects.get(employee_id="E2")

    response = curator_client.post(
        reverse("admin:careerportal_profile_changelist"),
        {"action": "mark_left", "_selected_action": [walsh.pk]},
        follow=True,
    )

    assert "Marked as left; 1 account can no longer log in." in response.content.decode()
    walsh.refresh_from_db()
    walsh.user.refresh_from_db()
    assert walsh.left_on is not None and not walsh.user.is_active
    bell = Profile.objects.select_related("user").get(employee_id="E1")
    assert bell.left_on is None and bell.user.is_active


def test_the_change_form_does_not_set_left_on_apart_from_the_account(curator_client):
    curator_client.post(URL, confirm_data(curator_client.post(URL, {"file": upload(BELL)})))
    bell = Profile.objects.get(employee_id="E1")

    page = curator_client.get(reverse("admin:careerportal_profile_change", args=[bell.pk])).content.decode()

    assert 'name="left_on"' not in page and 'name="job_title"' in page
    assert "Delete" not in page


def test_nobody_deletes_a_profile_in_the_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    profile = Profile.objects.create(user=UserFactory(), employee_id="E9")

    assert client.get(reverse("admin:careerportal_profile_delete", args=[profile.pk])).status_code == 403
    assert Profile.objects.filter(pk=profile.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_import_once(curator, functions_and_levels):
    """Two clicks on "Import these changes" on their own threads and connections: the second import waits for the
    first and then finds nothing left to do (on PostgreSQL an advisory lock makes it wait; SQLite's writers queue)."""
    first = Client()
    first.force_login(curator)
    preview = first.post(URL, {"file": upload(BELL, WALSH, OKAFOR)})
    clicks = 2
    start = threading.Barrier(clicks)

    def click(_number: int) -> int:
        try:
            client = Client()
            client.force_login(curator)
            start.wait()
            return client.post(URL, confirm_data(preview)).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=clicks) as pool:
        statuses = sorted(pool.map(click, range(clicks)))

    assert statuses in ([200, 302], [302, 302])  # the second shows "already holds", or finds the upload gone
    assert sorted(Profile.objects.values_list("employee_id", flat=True)) == ["E1", "E2", "E3"]
    assert User.objects.count() == 4

"""The company directory from the HR system's export: all or nothing, idempotent, people who left marked as left and
never deleted, and problems named with their rows."""

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from careerportal.directory import COLUMNS, directory_import, parse_people_file, people_mark_left
from careerportal.models import Profile
from tests.factories import FunctionFactory, LevelFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
User = get_user_model()
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


def csv_bytes(*rows: str, encoding: str = "utf-8") -> bytes:
    return "\r\n".join([HEADER, *rows, ""]).encode(encoding)


def run_import(content: bytes, *, dry_run: bool = False):
    return directory_import(parsed=parse_people_file(io.BytesIO(content)), dry_run=dry_run)


def messages(plan) -> list[str]:
    return [str(problem) for problem in plan.problems]


def directory() -> list[tuple]:
    """Every account with its profile, as a comparable snapshot."""
    return list(
        User.objects.order_by("username").values_list(
            "username", "email", "first_name", "is_active", "profile__employee_id", "profile__job_title",
            "profile__function__slug", "profile__level__slug", "profile__manager__username", "profile__left_on",
        )
    )  # fmt: skip


def test_an_export_creates_accounts_with_their_profiles_and_managers():
    plan = run_import(csv_bytes(BELL, WALSH, OKAFOR))

    assert plan.ok and plan.applied
    assert len(plan.added) == 3
    walsh = Profile.objects.select_related("user", "function", "level", "manager").get(employee_id="E2")
    assert (walsh.user.username, walsh.user.email, walsh.user.get_full_name()) == (
        "erin.walsh@example.com", "erin.walsh@example.com", "Erin Walsh",
    )  # fmt: skip
    assert (walsh.job_title, walsh.function.slug, walsh.level.slug, walsh.location) == (
        "Analyst", "finance", "professional", "Leeds",
    )  # fmt: skip
    assert walsh.manager.email == "marcus.bell@example.com"
    assert walsh.user.is_active and walsh.left_on is None
    assert not walsh.user.has_usable_password()  # they log in through single sign-on, or an administrator sets one
    assert set(Profile.objects.get(employee_id="E1").user.direct_reports.values_list("employee_id", flat=True)) == {
        "E2", "E3",
    }  # fmt: skip


def test_reimporting_the_same_file_changes_nothing_in_a_bounded_number_of_queries(django_assert_max_num_queries):
    content = csv_bytes(BELL, WALSH, OKAFOR)
    run_import(content)
    before = directory()

    with django_assert_max_num_queries(6):
        plan = run_import(content)

    assert plan.ok and not plan.applied
    assert (plan.changes, plan.unchanged) == (0, 3)
    assert directory() == before


def test_reimport_query_count_does_not_grow_with_the_number_of_people(django_assert_num_queries):
    few = [f"E{i},p{i}@example.com,P,{i},,,,,," + "true" for i in range(3)]
    many = [f"E{i},p{i}@example.com,P,{i},,,,,," + "true" for i in range(60)]
    run_import(csv_bytes(*few))
    # functions, levels, accounts with profiles; a savepoint; on PostgreSQL the lock that queues imports
    with django_assert_num_queries(5 + (connection.vendor == "postgresql")) as small:
        run_import(csv_bytes(*few))
    run_import(csv_bytes(*many))
    with django_assert_num_queries(len(small.captured_queries)):
        assert run_import(csv_bytes(*many)).unchanged == 60


def test_the_command_says_nothing_changed_on_a_reimport():
    path = ROOT / "careerportal" / "samples" / "people.csv"
    for position, name in enumerate(["People and HR"]):
        FunctionFactory(name=name, slug=f"people-{position}")
    LevelFactory(name="Associate", slug="associate", rank=1)
    LevelFactory(name="Senior professional", slug="senior-professional", rank=3)
    LevelFactory(name="Manager or team lead", slug="manager-or-team-lead", rank=5)
    call_command("import_people", str(path), stdout=io.StringIO())
    out = io.StringIO()

    call_command("import_people", str(path), stdout=out)

    assert "Imported the directory from people.csv, read as UTF-8 text: 0 changed." in out.getvalue()
    assert "5 unchanged" in out.getvalue()


def test_a_manager_loop_is_refused_naming_its_rows_and_nothing_is_written():
    run_import(csv_bytes(BELL))
    before = directory()
    looped_bell = BELL.replace(",,London", ",tom.okafor@example.com,London")
    looped_okafor = OKAFOR.replace("marcus.bell@example.com", "erin.walsh@example.com")

    plan = run_import(csv_bytes(looped_bell, WALSH, looped_okafor))

    assert messages(plan) == [
        "Row 2: the managers go round in a loop: marcus.bell@example.com (row 2), who reports to "
        "tom.okafor@example.com (row 4), who reports to erin.walsh@example.com (row 3), who reports to "
        "marcus.bell@example.com (row 2). Change one of these manager_email cells to break the loop."
    ]
    assert directory() == before


def test_someone_who_is_their_own_manager_is_refused():
    plan = run_import(csv_bytes(BELL.replace(",,London", ",marcus.bell@example.com,London")))

    assert messages(plan) == ["Row 2: marcus.bell@example.com is their own manager. Correct their manager_email."]


def test_the_command_refuses_a_file_with_problems_listing_each_with_its_row(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(
        csv_bytes(
            BELL.replace("Finance", "Astrology"),
            WALSH.replace("professional", "Grand vizier"),
            OKAFOR.replace("marcus.bell@", "nobody@"),
            OKAFOR.replace("E3,tom.okafor", "E4,tom.okafor").replace(",yes", ",maybe"),
            "E1,someone@example.com,Some,One,,,,,,false",
        )
    )

    with pytest.raises(CommandError) as error:
        call_command("import_people", str(path), stdout=io.StringIO())

    message = str(error.value)
    assert message.startswith("Nothing was imported: ")
    assert "Row 4: manager_email “nobody@example.com” is nobody's email in the file" in message
    assert "Row 5: active is “maybe”; write true or false" in message
    assert "Row 6: employee_id “E1” is also on row 2; give each person one row." in message
    assert User.objects.count() == 0


def test_unknown_functions_and_levels_are_refused_with_the_portals_names():
    plan = run_import(csv_bytes(BELL.replace("Finance", "Astrology"), WALSH.replace("professional", "Vizier")))

    assert messages(plan) == [
        "Row 2: function “Astrology” is not one of the portal's: Finance, Sales.",
        "Row 3: level “Vizier” is not one of the portal's: Manager, Professional.",
    ]
    assert not User.objects.exists()


def test_duplicate_emails_are_refused():
    plan = run_import(csv_bytes(BELL, WALSH.replace("erin.walsh@", "MARCUS.BELL@")))

    assert messages(plan) == ["Row 3: email “marcus.bell@example.com” is also on row 2; give each person one row."]


def test_people_missing_from_the_file_are_marked_as_left_not_deleted_and_no_longer_active():
    run_import(csv_bytes(BELL, WALSH, OKAFOR))
    local_admin = UserFactory(username="admin")  # an account the directory does not manage

    plan = run_import(csv_bytes(BELL, WALSH))

    assert plan.left == ["Tom Okafor (E3), no longer in the file"]
    okafor = Profile.objects.select_related("user").get(employee_id="E3")
    assert okafor.left_on is not None and not okafor.user.is_active
    local_admin.refresh_from_db()
    assert local_admin.is_active
    assert run_import(csv_bytes(BELL, WALSH)).changes == 0  # marked once


def test_a_person_the_file_says_left_is_marked_as_left_and_comes_back_when_active_again():
    run_import(csv_bytes(BELL, WALSH, OKAFOR))

    plan = run_import(csv_bytes(BELL, WALSH, OKAFOR.replace(",yes", ",false")))

    assert plan.left == ["Tom Okafor (E3)"]
    assert not User.objects.get(email="tom.okafor@example.com").is_active
    assert run_import(csv_bytes(BELL, WALSH, OKAFOR)).changed == ["Tom Okafor (E3)"]
    okafor = Profile.objects.select_related("user").get(employee_id="E3")
    assert okafor.user.is_active and okafor.left_on is None


def test_the_sessions_of_people_an_import_marks_as_left_end_and_only_theirs(client):
    run_import(csv_bytes(BELL, WALSH, OKAFOR))
    client.force_login(User.objects.get(email="tom.okafor@example.com"))
    Client().force_login(User.objects.get(email="erin.walsh@example.com"))

    Client().force_login(User.objects.get(email="marcus.bell@example.com"))

    run_import(csv_bytes(BELL, WALSH.replace(",true", ",false")))  # Walsh left, Okafor no longer listed

    assert Session.objects.count() == 1  # Bell's
    assert client.get("/me/").status_code == 302


def test_a_person_is_matched_by_employee_id_after_their_email_changes():
    run_import(csv_bytes(BELL, WALSH))
    account = User.objects.get(email="erin.walsh@example.com")

    plan = run_import(csv_bytes(BELL, WALSH.replace("erin.walsh@", "erin.jones@").replace("Walsh", "Jones")))

    assert plan.changed == ["Erin Jones (E2)"] and not plan.added
    account.refresh_from_db()
    assert (account.email, account.last_name, account.profile.employee_id) == ("erin.jones@example.com", "Jones", "E2")


def test_an_existing_account_is_matched_by_email_and_keeps_its_username():
    account = UserFactory(username="employee", email="Erin.Walsh@example.com")

    plan = run_import(csv_bytes(BELL, WALSH))

    assert plan.changed == ["Erin Walsh (E2)"]
    account.refresh_from_db()
    assert (account.username, account.profile.employee_id, account.profile.manager.email) == (
        "employee", "E2", "marcus.bell@example.com",
    )  # fmt: skip


def test_an_email_of_another_employees_account_is_never_handed_to_a_new_employee_id():
    run_import(csv_bytes(BELL, WALSH))
    before = directory()

    plan = run_import(csv_bytes(BELL, WALSH.replace("E2,", "E9,")))

    assert messages(plan) == [
        "Row 3: the account with the email erin.walsh@example.com belongs to employee ID “E2”; correct the email or "
        "the employee_id."
    ]
    assert directory() == before


def test_a_new_manager_is_reported_as_a_move():
    run_import(csv_bytes(BELL, WALSH, OKAFOR))

    plan = run_import(csv_bytes(BELL, WALSH, OKAFOR.replace("marcus.bell@", "erin.walsh@")))

    assert plan.moved == ["Tom Okafor (E3), to erin.walsh@example.com"]
    assert Profile.objects.get(employee_id="E3").manager.email == "erin.walsh@example.com"


def test_a_dry_run_writes_nothing_and_says_what_would_change(tmp_path):
    run_import(csv_bytes(BELL))
    before = directory()
    path = tmp_path / "people.csv"
    path.write_bytes(
        csv_bytes(WALSH.replace("marcus.bell@example.com", ""), OKAFOR.replace("marcus.bell@", "erin.walsh@"))
    )
    out = io.StringIO()

    call_command("import_people", str(path), "--dry-run", stdout=out)

    assert "Would change the directory from people.csv, read as UTF-8 text: 3 changed." in out.getvalue()
    assert "1 marked as left: Marcus Bell (E1), no longer in the file" in out.getvalue()
    assert directory() == before


def test_a_windows_1252_file_is_read_as_such():
    plan = run_import(csv_bytes(BELL.replace("Marcus", "Zoë").replace("London", "Zürich"), encoding="cp1252"))

    assert plan.ok and plan.encoding == "Windows-1252"
    profile = Profile.objects.select_related("user").get()
    assert (profile.user.first_name, profile.location) == ("Zoë", "Zürich")


def test_a_utf8_file_with_a_byte_order_mark_is_read():
    plan = run_import(b"\xef\xbb\xbf" + csv_bytes(BELL))

    assert plan.ok and plan.added == ["Marcus Bell (E1)"]


def test_an_xlsx_workbook_is_read():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in (HEADER, BELL, WALSH):
        sheet.append(line.split(","))
    sheet.append([3, "tom.okafor@example.com", "Tom", "Okafor", None, None, None, None, None, True])
    content = io.BytesIO()
    workbook.save(content)

    plan = run_import(content.getvalue())

    assert plan.ok and plan.encoding == ""
    assert len(plan.added) == 3
    assert Profile.objects.get(employee_id="3").user.is_active


def test_a_file_missing_columns_says_which():
    plan = run_import(b"employee_id,email\nE1,a@example.com\n")

    assert messages(plan)[0].startswith(
        "The file is missing columns: first_name, last_name, job_title, function, level, manager_email, location, "
        "active."
    )


def test_marking_people_as_left_deactivates_their_accounts_and_keeps_the_date_they_left():
    run_import(csv_bytes(BELL, WALSH, OKAFOR.replace(",yes", ",false")))
    okafor = Profile.objects.get(employee_id="E3")
    walsh = Profile.objects.get(employee_id="E2")
    earlier = okafor.left_on - datetime.timedelta(days=30)
    Profile.objects.filter(pk=okafor.pk).update(left_on=earlier)

    deactivated = people_mark_left(user_ids=[okafor.pk, walsh.pk], on=datetime.date(2030, 1, 1))

    assert deactivated == 1
    assert directory_left() == {"E1": (True, None), "E2": (False, datetime.date(2030, 1, 1)), "E3": (False, earlier)}


def directory_left() -> dict:
    return {
        profile.employee_id: (profile.user.is_active, profile.left_on)
        for profile in Profile.objects.select_related("user")
    }

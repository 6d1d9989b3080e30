"""/me/team/: a manager's direct reports from the directory, each with only what they chose to share with them."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from tests.factories import ProfileFactory, UserFactory
from tests.reflection.factories import (
    AspirationFactory,
    ConversationRequestFactory,
    ObjectiveFactory,
    PlanShareFactory,
    ReflectionFactory,
)

pytestmark = pytest.mark.django_db

TEAM = reverse("reflection:team")


def report_of(manager, first_name: str, **profile):
    return ProfileFactory(user=UserFactory(first_name=first_name, last_name="Report"), manager=manager, **profile).user


@pytest.fixture
def team():
    """Marcus manages Erin (shares her plan and asked for a conversation), Sam (shared nothing) and Lee (left)."""
    marcus = ProfileFactory(user=UserFactory(username="marcus", first_name="Marcus", last_name="Bell")).user
    erin = report_of(marcus, "Erin", job_title="Account Manager")
    sam = report_of(marcus, "Sam", job_title="Sales Executive")
    lee = report_of(marcus, "Lee", left_on=datetime.date(2026, 1, 31))
    lee.is_active = False
    lee.save(update_fields=["is_active"])
    for person in (erin, sam, lee):
        ObjectiveFactory(owner=person, title=f"Objective of {person.first_name} kept private")
        ReflectionFactory(owner=person, title=f"Reflection of {person.first_name} kept private")
        AspirationFactory(owner=person, long_term_goals=f"Goal of {person.first_name} kept private")
    PlanShareFactory(owner=erin, shared_with=marcus)
    PlanShareFactory(owner=lee, shared_with=marcus)
    ConversationRequestFactory(owner=erin, colleague=marcus, message="Can we talk about finance?")
    ConversationRequestFactory(owner=sam, colleague=UserFactory(), message="Sam asks someone else")
    return {"marcus": marcus, "erin": erin, "sam": sam, "lee": lee}


def reports_section(content: str, first_name: str) -> str:
    return content.split(f">{first_name} Report")[1].split("</article>")[0]


def test_manager_sees_each_active_report_with_only_what_they_shared(client, team):
    client.force_login(team["marcus"])
    response = client.get(TEAM)
    assert response.status_code == 200
    content = response.content.decode()
    erin, sam = reports_section(content, "Erin"), reports_section(content, "Sam")
    assert "Account Manager" in erin and "Sales Executive" in sam
    assert reverse("reflection:shared_plan", args=[team["erin"].pk]) in erin
    assert "Can we talk about finance?" in erin
    assert "Nothing shared yet." in sam and "Nothing shared yet." not in erin
    assert "Sam asks someone else" not in content  # a request to somebody else is not shared with Marcus
    assert "kept private" not in content  # nothing else of anyone's toolkit, not even of those who share the plan


def test_people_who_left_are_not_on_the_team(client, team):
    client.force_login(team["marcus"])
    content = client.get(TEAM).content.decode()
    assert "Lee Report" not in content
    assert reverse("reflection:shared_plan", args=[team["lee"].pk]) not in content


def test_a_plan_no_longer_shared_is_no_longer_offered(client, team):
    team["erin"].plan_shares.update(revoked_at=timezone.now())
    client.force_login(team["marcus"])
    content = client.get(TEAM).content.decode()
    assert reverse("reflection:shared_plan", args=[team["erin"].pk]) not in content
    assert "Can we talk about finance?" in reports_section(content, "Erin")  # the request is still to Marcus


def test_a_manager_who_is_not_your_manager_sees_nothing_of_you(client, team):
    """Mona has the plan shared with her but is nobody's manager; Olu manages others only."""
    mona = UserFactory(username="mona")
    PlanShareFactory(owner=team["sam"], shared_with=mona)
    olu = ProfileFactory(user=UserFactory(username="olu")).user
    report_of(olu, "Kim")
    for user in (mona, olu):
        client.force_login(user)
        content = client.get(TEAM).content.decode()
        assert "Erin Report" not in content and "Sam Report" not in content
        assert "kept private" not in content and "Can we talk about finance?" not in content
    assert "Kim Report" in content


def test_someone_with_no_reports_gets_a_clear_page(client, team):
    client.force_login(team["erin"])
    response = client.get(TEAM)
    assert response.status_code == 200
    assert "Nobody reports to you in the company directory." in response.content.decode()


def test_the_toolkit_links_the_team_only_for_people_with_reports(client, team):
    client.force_login(team["marcus"])
    assert f'href="{TEAM}"' in client.get(reverse("reflection:dashboard")).content.decode()
    client.force_login(team["sam"])
    assert f'href="{TEAM}"' not in client.get(reverse("reflection:dashboard")).content.decode()
    # Every toolkit page links it: whether anyone reports to them is read with the account, at no query of its own.
    client.force_login(team["marcus"])
    assert f'href="{TEAM}"' in client.get(reverse("reflection:plan")).content.decode()
    client.force_login(team["sam"])
    assert f'href="{TEAM}"' not in client.get(reverse("reflection:plan")).content.decode()


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(TEAM)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={TEAM}"


@pytest.mark.parametrize("reports", [2, 12])
def test_team_page_query_count_does_not_grow_with_reports(client, django_assert_num_queries, reports):
    marcus = UserFactory(username="marcus")
    for n in range(reports):
        person = report_of(marcus, f"Person{n}")
        if n % 2:
            PlanShareFactory(owner=person, shared_with=marcus)
            request = ConversationRequestFactory(owner=person, colleague=marcus, message=f"Request {n}")
            request.objectives.set([ObjectiveFactory(owner=person)])
    client.force_login(marcus)
    # Session and user (2), the reports with whether each shares their plan (1), their requests to Marcus (1) and
    # what those are about (2).
    with django_assert_num_queries(6):
        response = client.get(TEAM)
    assert response.content.decode().count("Their plan</a>") == reports // 2


def test_the_demo_manager_sees_one_report_who_shared_their_plan_and_one_who_did_not(client):
    from reflection.demo import toolkit_demo_load
    from stories.demo import demo_load

    demo_load()
    toolkit_demo_load()
    demo_load()  # loading again changes nobody's place in the directory, and adds no one
    marcus = get_user_model().objects.get(username="manager")
    client.force_login(marcus)
    content = client.get(TEAM).content.decode()
    erin, sam = content.split(">Erin Walsh")[1].split("</article>")[0], content.split(">Sam Reyes")[1]
    erin_id = get_user_model().objects.get(username="employee").pk
    assert reverse("reflection:shared_plan", args=[erin_id]) in erin and "Account Manager" in erin
    assert "Nothing shared yet." in sam.split("</article>")[0]
    assert content.count("<article") == 2

"""Asking a storyteller from their story: what they open themselves to, the request and its limit, who can ask whom,
and what closes the requests when the storyteller can no longer be asked."""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from careerportal.directory import people_mark_left
from careerportal.models import Notification, Profile
from reflection import selectors, services
from reflection.models import ConversationRequest, Openness
from stories.services import storyteller_withdraw_consent
from tests.careerportal.test_directory import csv_bytes, run_import
from tests.factories import FunctionFactory, LevelFactory, StoryFactory, StorytellerFactory, UserFactory
from tests.reflection.factories import ConversationRequestFactory, ObjectiveFactory, OpennessFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def priya(db):
    """A storyteller linked to her account and open to conversations."""
    account = UserFactory(username="priya", first_name="Priya", last_name="Shah")
    OpennessFactory(owner=account)
    return StorytellerFactory(name="Priya Shah", account=account)


@pytest.fixture
def story(priya):
    return StoryFactory(storyteller=priya, title="From the phones to finance")


@pytest.fixture
def notified(monkeypatch):
    """The notifications the toolkit sent (careerportal.notifications.notify), as (recipient, kind, text, url)."""
    sent = []
    real = services.notify

    def record(**kwargs):
        sent.append((kwargs["recipient"], kwargs["kind"], kwargs["text"], kwargs["url"]))
        return real(**kwargs)

    monkeypatch.setattr(services, "notify", record)
    return sent


def _ask(client, story, **data):
    return client.post(
        reverse("reflection:story_ask", args=[story.slug]),
        {"kind": "conversation", "message": "I am thinking of moving to finance.", **data},
    )


# The story page


def test_story_page_offers_to_ask_an_open_storyteller(employee_client, story):
    response = employee_client.get(story.get_absolute_url())
    assert {"private", "no-cache"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    page = response.content.decode()
    assert "Ask Priya for a conversation" in page
    assert f'action="{reverse("reflection:story_ask", args=[story.slug])}"' in page


def test_story_page_names_every_kind_the_storyteller_is_open_to(employee_client, story, priya):
    Openness.objects.filter(owner=priya.account).update(mentoring=True, shadowing=True)
    page = employee_client.get(story.get_absolute_url()).content.decode()
    assert "Ask Priya for a conversation, mentoring or work shadowing" in page


def test_story_page_offers_the_employees_open_objectives_only(employee_client, employee, other_employee, story):
    ObjectiveFactory(owner=employee, title="Move into finance")
    ObjectiveFactory(owner=employee, title="Old and done", status="done")
    ObjectiveFactory(owner=other_employee, title="Somebody else's objective")
    page = employee_client.get(story.get_absolute_url()).content.decode()
    assert "Move into finance" in page
    assert "Old and done" not in page
    assert "Somebody else&#x27;s objective" not in page and "Somebody else's objective" not in page


@pytest.mark.parametrize(
    "change",
    ["nothing_open", "paused", "no_account", "consent_withdrawn", "account_inactive", "left", "never_opened"],
)
def test_story_page_offers_no_ask_when_the_storyteller_cannot_be_asked(employee_client, story, priya, change):
    account = priya.account
    if change == "nothing_open":
        Openness.objects.filter(owner=account).update(conversation=False)
    elif change == "paused":
        Openness.objects.filter(owner=account).update(paused=True)
    elif change == "no_account":
        priya.account = None
        priya.save()
    elif change == "consent_withdrawn":
        # Her stories are unpublished with it, but a curator's preview still shows them: nothing to ask there either.
        priya.consent_withdrawn_on = priya.consent_given_on
        priya.save()
    elif change == "account_inactive":
        User.objects.filter(pk=account.pk).update(is_active=False)
    elif change == "left":
        Profile.objects.create(user=account, left_on="2026-01-31")
    elif change == "never_opened":
        Openness.objects.filter(owner=account).delete()
    page = employee_client.get(story.get_absolute_url()).content.decode()
    assert "Ask Priya" not in page


def test_story_page_offers_no_ask_to_the_storyteller_themself_but_their_settings(client, story, priya):
    client.force_login(priya.account)
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Ask Priya" not in page
    assert reverse("reflection:openness") in page


def test_story_page_says_when_the_storyteller_is_full(employee_client, story, priya):
    Openness.objects.filter(owner=priya.account).update(monthly_limit=1)
    ConversationRequestFactory(colleague=priya.account, story=story)
    page = employee_client.get(story.get_absolute_url()).content.decode()
    assert "Ask Priya" not in page
    assert "no places left this month" in page


def test_story_page_says_when_the_employee_has_an_open_request(employee_client, employee, story, priya):
    asked = ConversationRequestFactory(owner=employee, colleague=priya.account, story=story)
    page = employee_client.get(story.get_absolute_url()).content.decode()
    assert "Ask Priya" not in page
    assert "You have an open request to Priya Shah" in page
    assert f'href="{asked.get_absolute_url()}"' in page


def test_once_declined_the_employee_may_ask_again(employee_client, employee, story, priya):
    asked = ConversationRequestFactory(owner=employee, colleague=priya.account, story=story)
    services.conversation_decline(conversation=asked, by=priya.account, message="Ask Sam instead.")
    assert "Ask Priya for a conversation" in employee_client.get(story.get_absolute_url()).content.decode()
    assert _ask(employee_client, story).status_code == 302
    assert ConversationRequest.objects.filter(owner=employee, state="requested").count() == 1


# Asking


def test_asking_creates_the_request_and_tells_the_storyteller(employee_client, employee, story, priya, notified):
    objective = ObjectiveFactory(owner=employee, title="Move into finance")
    response = _ask(employee_client, story, objective=objective.pk)
    assert response.status_code == 302
    request = ConversationRequest.objects.get()
    assert response["Location"] == request.get_absolute_url()
    assert (request.owner, request.colleague, request.kind, request.story) == (
        employee,
        priya.account,
        "conversation",
        story,
    )
    assert request.message == "I am thinking of moving to finance."
    assert list(request.objectives.all()) == [objective]
    ((recipient, kind, text, url),) = notified
    assert (recipient, kind) == (priya.account, Notification.Kind.REQUEST)
    assert "asks you for a career conversation" in text and story.title in text
    assert "moving to finance" not in text  # the message itself is read on the request, not in the inbox line
    assert (
        "Priya Shah has your request for a career conversation"
        in employee_client.get(request.get_absolute_url()).content.decode()
    )


def test_asking_for_a_kind_the_storyteller_is_not_open_to_is_refused(employee_client, story, priya, notified):
    Openness.objects.filter(owner=priya.account).update(mentoring=True)
    response = _ask(employee_client, story, kind="shadowing")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ConversationRequest.objects.exists()
    assert not notified


def test_asking_without_a_message_shows_the_error(employee_client, story):
    response = _ask(employee_client, story, message="   ")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: Ask Priya for a conversation" in page
    assert "Write a short message." in page
    assert not ConversationRequest.objects.exists()


def test_asking_with_another_employees_objective_is_refused(employee_client, other_employee, story):
    objective = ObjectiveFactory(owner=other_employee)
    response = _ask(employee_client, story, objective=objective.pk)
    assert response.status_code == 200
    assert not ConversationRequest.objects.exists()


def test_asking_a_paused_storyteller_sends_nothing(employee_client, story, priya, notified):
    Openness.objects.filter(owner=priya.account).update(paused=True)
    response = _ask(employee_client, story)
    assert response.status_code == 302
    assert not ConversationRequest.objects.exists()
    assert not notified
    assert "cannot take a request from you now" in employee_client.get(story.get_absolute_url()).content.decode()


def test_storyteller_cannot_ask_themself(client, story, priya):
    client.force_login(priya.account)
    assert _ask(client, story).status_code == 302
    assert not ConversationRequest.objects.exists()


def test_asking_an_unpublished_story_is_not_found(employee_client, story):
    story.status = story.Status.DRAFT
    story.save()
    assert _ask(employee_client, story).status_code == 404


def test_asking_again_while_a_request_is_open_is_refused(employee_client, story):
    assert _ask(employee_client, story).status_code == 302
    again = _ask(employee_client, story)
    assert again.status_code == 200
    assert "You asked Priya Shah for a career conversation on" in again.content.decode()
    assert ConversationRequest.objects.count() == 1


def test_the_limit_counts_this_months_asks_only(employee_client, story, priya):
    Openness.objects.filter(owner=priya.account).update(monthly_limit=1)
    old = ConversationRequestFactory(colleague=priya.account, story=story)
    ConversationRequest.objects.filter(pk=old.pk).update(created_at="2020-01-10T10:00:00Z")
    ConversationRequestFactory(colleague=priya.account)  # her manager's request for a career conversation: no story
    assert _ask(employee_client, story).status_code == 302
    assert ConversationRequest.objects.filter(story=story).count() == 2


def test_once_the_places_are_taken_the_next_asker_is_told_it_is_full(employee, other_employee, story, priya):
    Openness.objects.filter(owner=priya.account).update(monthly_limit=1)
    first, second = Client(), Client()
    first.force_login(employee)
    second.force_login(other_employee)
    form = second.get(reverse("reflection:story_ask", args=[story.slug]))  # opened while a place was left
    assert form.status_code == 200
    assert _ask(first, story).status_code == 302
    response = _ask(second, story)
    assert response.status_code == 200
    assert "Priya Shah has no places left this month" in response.content.decode()
    assert list(ConversationRequest.objects.values_list("owner", flat=True)) == [employee.pk]


@pytest.mark.django_db(transaction=True)
def test_two_asking_at_once_for_the_last_place_get_one_yes_and_one_full(monkeypatch):
    """Two employees post at the same moment, each on their own thread and connection: the Openness row's lock
    (PostgreSQL) or SQLite's one writer at a time lets exactly one take the place. Counting the places is slowed
    down, so that without the lock both would count before either had asked."""
    count_places = selectors.asks_this_month

    def slow_count_places(account):
        time.sleep(0.5)
        return count_places(account)

    monkeypatch.setattr(selectors, "asks_this_month", slow_count_places)
    account = UserFactory(username="priya", first_name="Priya")
    OpennessFactory(owner=account, monthly_limit=1)
    story = StoryFactory(storyteller=StorytellerFactory(name="Priya Shah", account=account))
    askers = [UserFactory(username=f"asker{n}") for n in range(2)]
    start = threading.Barrier(len(askers))

    def ask(user) -> str:
        try:
            client = Client()
            client.force_login(user)
            start.wait()
            response = _ask(client, story)
            if response.status_code == 302:
                return "sent"
            return "full" if "no places left this month" in response.content.decode() else response.content.decode()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(askers)) as pool:
        outcomes = sorted(pool.map(ask, askers))

    assert outcomes == ["full", "sent"]
    assert ConversationRequest.objects.filter(colleague=account).count() == 1


# The storyteller's own choice


def test_openness_page_is_not_found_for_an_employee_who_is_no_storyteller(employee_client):
    assert employee_client.get(reverse("reflection:openness")).status_code == 404
    assert employee_client.post(reverse("reflection:openness"), {"conversation": "on"}).status_code == 404
    assert not Openness.objects.exists()


def test_everything_is_off_until_the_storyteller_opens_it(client):
    account = UserFactory(username="sam")
    StorytellerFactory(name="Sam Lee", account=account)
    client.force_login(account)
    page = client.get(reverse("reflection:openness")).content.decode()
    assert "Sam Lee" in page
    assert "checked" not in page
    assert not Openness.objects.exists()


def test_storyteller_opens_themself_to_mentoring_with_a_limit(client):
    account = UserFactory(username="sam")
    StorytellerFactory(name="Sam Lee", account=account)
    client.force_login(account)
    response = client.post(reverse("reflection:openness"), {"mentoring": "on", "monthly_limit": "2"})
    assert response.status_code == 302
    openness = Openness.objects.get(owner=account)
    assert (openness.conversation, openness.mentoring, openness.shadowing) == (False, True, False)
    assert (openness.monthly_limit, openness.paused) == (2, False)


@pytest.mark.parametrize("limit", ["0", "51", "-1", "many"])
def test_a_limit_out_of_range_is_refused(client, limit):
    account = UserFactory(username="sam")
    StorytellerFactory(account=account)
    client.force_login(account)
    response = client.post(reverse("reflection:openness"), {"conversation": "on", "monthly_limit": limit})
    assert response.status_code == 200
    assert "Error:" in response.content.decode()
    assert not Openness.objects.exists()


def test_openness_page_counts_this_months_places(client, story, priya):
    ConversationRequestFactory(colleague=priya.account, story=story)
    client.force_login(priya.account)
    assert "1 of 3 places taken" in client.get(reverse("reflection:openness")).content.decode()


def test_curators_cannot_open_a_storyteller_in_the_admin(curator_client, priya):
    assert curator_client.get(f"/admin/reflection/openness/{priya.account.openness.pk}/change/").status_code == 404
    page = curator_client.get(reverse("admin:stories_storyteller_change", args=[priya.pk])).content.decode()
    assert 'name="account"' in page
    assert 'name="conversation"' not in page and 'name="monthly_limit"' not in page


# Closing the requests of a storyteller who can no longer be asked


def test_withdrawing_consent_declines_open_asks_with_a_message(employee, other_employee, story, priya, notified):
    ask = ConversationRequestFactory(owner=employee, colleague=priya.account, story=story)
    other = ConversationRequestFactory(owner=other_employee, colleague=priya.account)  # not from a story: stays
    storyteller_withdraw_consent(storyteller=priya)
    ((recipient, kind, text, url),) = notified
    assert (recipient, kind) == (employee, Notification.Kind.REQUEST)
    assert text == (
        "Your request to Priya Shah for a career conversation is closed: "
        "Priya Shah can no longer take requests from their stories."
    )
    assert url == ask.get_absolute_url()
    ask.refresh_from_db()
    other.refresh_from_db()
    assert (ask.state, ask.answer) == ("declined", "Priya Shah can no longer take requests from their stories.")
    assert other.state == "requested"


def test_unlinking_the_account_in_the_admin_closes_open_asks(curator_client, employee, story, priya, notified):
    ConversationRequestFactory(owner=employee, colleague=priya.account, story=story)
    url = reverse("admin:stories_storyteller_change", args=[priya.pk])
    form = {
        "name": priya.name, "slug": priya.slug, "role_title": priya.role_title, "function": priya.function_id,
        "level": priya.level_id, "bio": "", "consent_given_on": "2026-01-15", "consent_withdrawn_on": "", "account": "",
    }  # fmt: skip
    response = curator_client.post(url, form)
    assert response.status_code == 302, response.content.decode()
    priya.refresh_from_db()
    assert priya.account is None
    assert [recipient for recipient, *_ in notified] == [employee]


def test_curator_links_an_account_by_username(curator_client, employee):
    teller = StorytellerFactory()
    url = reverse("admin:stories_storyteller_change", args=[teller.pk])
    form = {
        "name": teller.name, "slug": teller.slug, "role_title": teller.role_title, "function": teller.function_id,
        "level": teller.level_id, "bio": "", "consent_given_on": "2026-01-15", "consent_withdrawn_on": "",
    }  # fmt: skip
    assert curator_client.post(url, {**form, "account": "nobody-here"}).status_code == 200
    assert curator_client.post(url, {**form, "account": employee.username}).status_code == 302
    teller.refresh_from_db()
    assert teller.account == employee
    assert not Openness.objects.filter(owner=employee).exists()  # linked, still closed until they open it
    page = curator_client.get(url).content.decode()
    assert re.search(rf'name="account" value="{employee.username}"', page)


def test_a_storyteller_who_leaves_has_their_open_asks_closed(employee, story, priya, notified):
    ConversationRequestFactory(owner=employee, colleague=priya.account, story=story)
    people_mark_left(user_ids=[priya.account.pk])
    ((recipient, kind, text, _url),) = notified
    assert recipient == employee
    assert "Priya Shah has left the company" in text


def test_nothing_is_closed_when_someone_who_is_no_storyteller_leaves(employee, other_employee, story, priya, notified):
    ConversationRequestFactory(owner=employee, colleague=priya.account, story=story)
    people_mark_left(user_ids=[other_employee.pk])
    assert notified == []


# Both sides see the request


def test_asker_and_storyteller_each_see_the_request(client, employee, story, priya):
    ConversationRequestFactory(owner=employee, colleague=priya.account, story=story, kind="mentoring")
    client.force_login(employee)
    sent = client.get(reverse("reflection:sharing")).content.decode()
    assert "Priya Shah</a>, for mentoring after “" in sent and story.title in sent
    client.force_login(priya.account)
    received = client.get(reverse("reflection:shared_with_me")).content.decode()
    assert "Asks you for mentoring, after your story" in received


def test_a_storyteller_finds_their_settings_from_the_toolkit(client, employee, priya):
    client.force_login(employee)
    assert reverse("reflection:openness") not in client.get(reverse("reflection:dashboard")).content.decode()
    client.force_login(priya.account)
    assert reverse("reflection:openness") in client.get(reverse("reflection:dashboard")).content.decode()


def test_export_and_deletion_cover_asks_and_openness(client, employee, story, priya):
    ConversationRequestFactory(owner=employee, colleague=priya.account, story=story, kind="shadowing")
    mine = services.toolkit_export(employee)["conversation_requests"][0]
    assert (mine["kind"], mine["after_story"]["title"]) == ("work shadowing", story.title)
    assert services.toolkit_export(priya.account)["open_to_requests"] == {
        "kinds": ["a conversation"],
        "monthly_limit": 3,
        "paused": False,
    }
    services.toolkit_delete(priya.account)
    assert not Openness.objects.filter(owner=priya.account).exists()


def test_a_storyteller_whom_the_directory_file_marks_as_left_has_their_open_asks_closed(employee, notified):
    FunctionFactory(name="Finance", slug="finance")
    LevelFactory(name="Professional", slug="professional", rank=2)
    row = "E7,priya.shah@example.com,Priya,Shah,Analyst,Finance,Professional,,Leeds,{}"
    run_import(csv_bytes(row.format("true")))
    account = User.objects.get(email="priya.shah@example.com")
    story = StoryFactory(storyteller=StorytellerFactory(name="Priya Shah", account=account))
    ConversationRequestFactory(owner=employee, colleague=account, story=story)

    run_import(csv_bytes(row.format("false")))

    assert [(recipient, text) for recipient, _kind, text, _url in notified] == [
        (employee, "Your request to Priya Shah for a career conversation is closed: Priya Shah has left the company.")
    ]


def test_asking_for_an_unknown_kind_is_refused_by_the_service(employee, story):
    with pytest.raises(ValidationError, match="not taking requests for this now"):
        services.storyteller_ask(owner=employee, story=story, kind="lunch", message="Hello")
    assert not ConversationRequest.objects.exists()

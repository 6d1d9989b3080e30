"""Sharing suggests the employee's own manager first, wherever they pick a colleague (careerportal.people)."""

import datetime
import re

import pytest
from django.urls import reverse

from careerportal.people import manager_of
from reflection.models import ConversationRequest, PlanShare
from stories.models import Collection, CollectionShare
from tests.factories import FunctionFactory, LevelFactory, ProfileFactory, UserFactory
from tests.reflection.factories import ObjectiveFactory, PlanShareFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marcus():
    return UserFactory(username="marcus", first_name="Marcus", last_name="Bell", email="marcus.bell@example.com")


@pytest.fixture
def erin(marcus):
    return ProfileFactory(user=UserFactory(username="erin"), manager=marcus).user


def colleague_input(content: str, name_id: str) -> str:
    return re.search(rf'<input[^>]*id="{name_id}"[^>]*>', content).group(0)


def test_a_person_s_manager_is_the_one_the_directory_names_while_they_are_with_the_company(erin, marcus):
    assert manager_of(erin) == marcus
    assert manager_of(marcus) is None  # no profile, no manager
    ProfileFactory(user=marcus, left_on=datetime.date(2026, 1, 1))
    assert manager_of(erin) is None


def test_the_sharing_page_fills_in_the_manager_in_both_pickers(client, erin):
    client.force_login(erin)
    content = client.get(reverse("reflection:sharing")).content.decode()
    for field in ("id_colleague", "id_conversation_colleague"):
        field_html = colleague_input(content, field)
        assert 'value="marcus.bell@example.com"' in field_html
        assert f'aria-describedby="{field}_helptext"' in field_html  # the help says who it is, to screen readers too
    assert "Your manager, Marcus Bell, is filled in." in content


def test_the_manager_filled_in_is_who_the_plan_is_shared_with_and_asked(client, erin, marcus):
    client.force_login(erin)
    client.post(reverse("reflection:sharing"), {"share": "1", "colleague": "marcus.bell@example.com"})
    client.post(reverse("reflection:sharing"), {"conversation": "1", "colleague": "marcus.bell@example.com"})
    assert PlanShare.objects.active().filter(owner=erin, shared_with=marcus).exists()
    assert ConversationRequest.objects.filter(owner=erin, colleague=marcus).exists()


def test_choosing_someone_else_than_the_manager_still_works(client, erin, marcus):
    olu = UserFactory(username="olu")
    client.force_login(erin)
    client.post(reverse("reflection:sharing"), {"share": "1", "colleague": "olu"})
    assert list(PlanShare.objects.active().filter(owner=erin).values_list("shared_with", flat=True)) == [olu.pk]


def test_a_plan_already_shared_with_the_manager_is_not_offered_to_them_again(client, erin, marcus):
    PlanShareFactory(owner=erin, shared_with=marcus)
    client.force_login(erin)
    content = client.get(reverse("reflection:sharing")).content.decode()
    assert "value=" not in colleague_input(content, "id_colleague")
    assert 'value="marcus.bell@example.com"' in colleague_input(content, "id_conversation_colleague")


def test_nobody_is_filled_in_for_a_person_without_a_manager(client, marcus):
    client.force_login(marcus)
    content = client.get(reverse("reflection:sharing")).content.decode()
    assert "value=" not in colleague_input(content, "id_colleague")
    assert "Your manager" not in content


def test_a_manager_who_left_is_not_offered(client, erin, marcus):
    ProfileFactory(user=marcus, left_on=datetime.date(2026, 1, 1))
    marcus.is_active = False
    marcus.save(update_fields=["is_active"])
    client.force_login(erin)
    assert "marcus.bell@example.com" not in client.get(reverse("reflection:sharing")).content.decode()


def test_a_collection_s_owner_is_offered_their_manager_to_share_with(client, erin, marcus):
    collection = Collection.objects.create(owner=erin, title="For my one-to-one")
    client.force_login(erin)
    content = client.get(collection.get_absolute_url()).content.decode()
    assert 'value="marcus.bell@example.com"' in colleague_input(content, "id_colleague")
    client.post(reverse("stories:collection_share", args=[collection.pk]), {"colleague": "marcus.bell@example.com"})
    assert CollectionShare.objects.filter(collection=collection, user=marcus).exists()
    content = client.get(collection.get_absolute_url()).content.decode()
    assert "value=" not in colleague_input(content, "id_colleague")  # shared with them already


# A colleague's page: the directory's facts, never their toolkit.


def test_a_colleagues_page_shows_the_directory_and_nothing_of_their_toolkit(client, django_assert_num_queries):
    manager = ProfileFactory(user=UserFactory(first_name="Marcus", last_name="Bell")).user
    erin = ProfileFactory(
        user=UserFactory(first_name="Erin", last_name="Walsh"),
        job_title="Account Manager",
        function=FunctionFactory(name="Sales"),
        level=LevelFactory(name="Professional"),
        location="Leeds",
        manager=manager,
    ).user
    ProfileFactory(user=UserFactory(first_name="Sam", last_name="Reyes"), manager=erin, job_title="Sales Executive")
    ProfileFactory(user=UserFactory(first_name="Lee", last_name="Gone", is_active=False), manager=erin)
    ObjectiveFactory(owner=erin, title="Move into finance by spring")
    client.force_login(UserFactory())

    with django_assert_num_queries(4):  # session, account, the person with profile and manager, their reports
        response = client.get(reverse("person", args=[erin.pk]))

    page = response.content.decode()
    for shown in ("Erin Walsh", "Account Manager", "Sales", "Professional", "Leeds", "Sam Reyes", "Sales Executive"):
        assert shown in page
    assert f'href="{reverse("person", args=[manager.pk])}">Marcus Bell</a>' in page
    assert "Lee Gone" not in page  # left: nobody's report
    assert "Move into finance" not in page


def test_the_page_of_someone_who_left_or_never_was_is_not_found(client):
    gone = UserFactory(is_active=False)
    client.force_login(UserFactory())
    assert client.get(reverse("person", args=[gone.pk])).status_code == 404
    assert client.get(reverse("person", args=[gone.pk + 1000])).status_code == 404


def test_a_colleagues_page_asks_to_log_in_first(client):
    url = reverse("person", args=[UserFactory().pk])
    assert client.get(url)["Location"] == f"/accounts/login/?next={url}"

"""Who is a curator: one rule (careerportal.roles), asked by every place that treats curators differently."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from careerportal.auth import CompanyOIDCBackend
from careerportal.roles import CURATOR_PERMISSIONS, CURATORS_GROUP, curator_set, curators_group_ensure, is_curator
from stories.demo import DEMO_PASSWORD, demo_load
from stories.models import Story
from tests.factories import StoryFactory, StorytellerFactory, UserFactory

pytestmark = pytest.mark.django_db

# role: is a curator. Staff status alone makes nobody a curator; a superuser is one.
ROLES = {"employee": False, "staff without group": False, "curator": True, "superuser": True}


def _user(role: str):
    if role == "curator":
        user = UserFactory(username="hana")
        curator_set(user=user, curator=True)
        return user
    return UserFactory(username=role.replace(" ", "-"), is_staff=role != "employee", is_superuser=role == "superuser")


@pytest.fixture(params=ROLES)
def role(request, client):
    user = _user(request.param)
    client.force_login(user)
    return request.param, user, ROLES[request.param]


def test_is_curator_answers_by_the_one_rule(role):
    _, user, curator = role
    assert is_curator(user) is curator


def test_is_curator_costs_no_query_for_employees_and_one_for_staff(role, django_assert_num_queries):
    name, user, _ = role
    with django_assert_num_queries(1 if name in ("staff without group", "curator") else 0):
        is_curator(user)
        is_curator(user)  # remembered on the user for the rest of the request


def test_only_curators_get_into_the_curation_admin(role, client):
    _, _, curator = role
    response = client.get(reverse("admin:index"))
    assert response.status_code == (200 if curator else 302)
    assert ("Career stories: curation" in response.content.decode()) is curator


def test_only_curators_log_in_to_the_curation_admin(role, client):
    _, user, curator = role
    user.set_password("a long passphrase")
    user.save()
    client.logout()
    response = client.post(reverse("admin:login"), {"username": user.username, "password": "a long passphrase"})
    assert response.status_code == (302 if curator else 200)
    if not curator:
        assert "Enter the username and password of a curator" in response.content.decode()


def test_only_curators_read_the_insights(role, client):
    _, _, curator = role
    assert client.get(reverse("insights:coverage")).status_code == (200 if curator else 403)


def test_only_curators_preview_an_unpublished_story(role, client):
    _, _, curator = role
    draft = StoryFactory(status=Story.Status.DRAFT, published_at=None)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == (200 if curator else 404)
    assert Story.objects.visible_to(role[1]).filter(pk=draft.pk).exists() is curator


def test_only_curators_see_a_storyteller_without_consent(role, client):
    _, _, curator = role
    storyteller = StorytellerFactory(consent_given_on=None)
    assert client.get(storyteller.get_absolute_url()).status_code == (200 if curator else 404)


def test_the_header_offers_curation_and_insights_to_curators_only(role, client):
    _, _, curator = role
    page = client.get(reverse("stories:list")).content.decode()
    assert (f'href="{reverse("admin:index")}"' in page) is curator
    assert (f'href="{reverse("insights:coverage")}"' in page) is curator


@pytest.mark.parametrize(
    "groups, superuser, curator",
    [
        (["everyone"], False, False),
        (["everyone", "career-curators"], False, True),
        (["everyone"], True, True),  # a superuser stays staff, so stays a curator
    ],
)
def test_single_sign_on_makes_curators_from_the_providers_group(settings, groups, superuser, curator):
    settings.PORTAL_OIDC_CURATOR_GROUP = "career-curators"
    user = UserFactory(username="amara", is_staff=not curator, is_superuser=superuser)
    if not curator:
        curator_set(user=user, curator=True)  # a curator until the provider says otherwise
    CompanyOIDCBackend().update_user(user, {"preferred_username": "amara", "groups": groups})
    user.refresh_from_db()
    assert is_curator(user) is curator


def test_the_demo_has_exactly_one_curator(client):
    demo_load()
    accounts = {"employee": False, "manager": False, "curator": True, "storyteller": False}
    for username, curator in accounts.items():
        assert client.login(username=username, password=DEMO_PASSWORD)
        assert (client.get(reverse("admin:index")).status_code == 200) is curator


def test_curators_group_has_exactly_the_curation_permissions():
    curators_group_ensure()
    codenames = set(Group.objects.get(name=CURATORS_GROUP).permissions.values_list("codename", flat=True))
    assert {"publish_story", "change_story", "view_skill", "add_storyteller"} <= codenames
    assert not codenames & {"delete_storyteller", "delete_skill", "add_user", "change_user", "change_group"}
    assert len(codenames) == sum(len(names) for names in CURATOR_PERMISSIONS.values())


def test_individual_permissions_without_the_group_make_no_curator(client):
    editor = UserFactory(is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(codename__in=["view_story", "publish_story"]))
    client.force_login(editor)
    draft = StoryFactory(status=Story.Status.DRAFT, published_at=None)
    assert not is_curator(editor)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("insights:coverage")).status_code == 403

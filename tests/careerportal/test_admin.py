"""The curation admin's site: its "View on site" shortcut and the admins it leaves out."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from taggit.models import Tag

from reflection.models import Objective, Reflection
from tests.factories import StoryFactory, UserFactory
from tests.reflection.factories import ObjectiveFactory, ReflectionFactory

pytestmark = pytest.mark.django_db


def _shortcut(model, object_id) -> str:
    return f"/admin/r/{ContentType.objects.get_for_model(model).pk}/{object_id}/"


def _body(response) -> str:
    """The page without what differs on every response (CSP nonce, CSRF token)."""
    return re.sub(r'(nonce|name="csrfmiddlewaretoken" value)="[^"]*"', "", response.content.decode())


@pytest.mark.parametrize("model, factory", [(Reflection, ReflectionFactory), (Objective, ObjectiveFactory)])
def test_shortcut_does_not_tell_a_curator_which_private_ids_exist(curator_client, model, factory):
    existing = factory()
    found, missing = curator_client.get(_shortcut(model, existing.pk)), curator_client.get(_shortcut(model, 999999))
    assert (found.status_code, missing.status_code) == (404, 404)
    assert _body(found) == _body(missing)


def test_shortcut_still_leads_a_curator_to_a_story(curator_client):
    story = StoryFactory()
    response = curator_client.get(_shortcut(type(story), story.pk))
    assert response.status_code == 302
    assert response["Location"] == story.get_absolute_url()
    assert curator_client.get(_shortcut(type(story), 999999)).status_code == 404


def test_shortcut_answers_404_for_a_model_the_curator_may_not_view(curator_client, curator):
    assert curator_client.get(_shortcut(type(curator), curator.pk)).status_code == 404
    assert curator_client.get("/admin/r/bogus/1/").status_code == 404


def test_shortcut_sends_staff_who_are_not_curators_to_log_in(client):
    client.force_login(UserFactory(is_staff=True))
    story = StoryFactory()
    response = client.get(_shortcut(type(story), story.pk))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("url", ["/admin/taggit/tag/", "/admin/taggit/tag/merge-tags/", "/admin/taggit/tag/add/"])
def test_taggits_own_tag_admin_is_not_offered(client, url):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    session = client.session
    session["selected_tag_ids"] = ""
    session.save()
    assert client.get(url).status_code == 404
    assert client.post(url, {"new_tag_name": "Merged", "name": "Merged", "slug": "merged"}).status_code == 404
    assert not Tag.objects.exists()


def test_no_admin_url_leads_to_taggits_tags():
    with pytest.raises(NoReverseMatch):
        reverse("admin:taggit_tag_changelist")


def test_shortcut_sends_a_visitor_to_the_admin_log_in(client):
    story = StoryFactory()
    response = client.get(_shortcut(type(story), story.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")

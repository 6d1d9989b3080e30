"""Cache-Control: no page a logged-in user gets is kept by a shared cache, and personal pages are kept nowhere."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, reverse

from careerportal.cache_control import PrivateCacheControlMiddleware
from reflection import urls as reflection_urls
from reflection.models import OpportunityInterest
from stories.models import Collection
from tests.factories import OpportunityFactory, SkillFactory, StoryFactory, StorytellerFactory, UserFactory
from tests.reflection.factories import (
    ActionFactory,
    ConversationRequestFactory,
    ObjectiveFactory,
    PlanShareFactory,
    ReflectionFactory,
)

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def toolkit(curator):
    """A curator (who may read the insights) with something in every part of their own toolkit."""
    skill = SkillFactory()
    story = StoryFactory(skills=[skill])
    objective = ObjectiveFactory(owner=curator, skills=[skill])
    sharer = UserFactory()
    PlanShareFactory(owner=sharer, shared_with=curator)
    StorytellerFactory(account=curator)  # tells a story too: what colleagues may ask them (reflection:openness)
    conversation = {"pk": ConversationRequestFactory(owner=curator).pk}
    interest = OpportunityInterest.objects.create(owner=sharer, opportunity=OpportunityFactory(poster=curator))
    return {
        "story_save": {"slug": story.slug},
        "story_progress": {"slug": story.slug},
        "story_ask": {"slug": story.slug},
        "reflection_edit": {"pk": ReflectionFactory(owner=curator, story=story).pk},
        "reflection_delete": {"pk": ReflectionFactory(owner=curator, story=story).pk},
        "assess_skill": {"slug": skill.slug},
        "objective": {"pk": objective.pk},
        "objective_edit": {"pk": objective.pk},
        "objective_delete": {"pk": objective.pk},
        "action_add": {"pk": objective.pk},
        "action_done": {"pk": ActionFactory(objective=objective).pk},
        "action_delete": {"pk": ActionFactory(objective=objective).pk},
        "action_restore": {"pk": objective.pk},
        "share_stop": {"pk": PlanShareFactory(owner=curator).pk},
        "shared_plan": {"owner_id": sharer.pk},
        **dict.fromkeys(
            [
                "request",
                "request_accept",
                "request_decline",
                "request_held",
                "request_withdraw",
                "request_note",
                "request_adopt",
            ],
            conversation,
        ),  # fmt: skip
        "interest_add": {"pk": OpportunityFactory().pk},
        "interest_answer": {"pk": interest.pk},
    }


def personal_urls(kwargs: dict) -> list[str]:
    """Every URL in the reflection and insights namespaces (a new one without its arguments above fails here)."""
    namespaces = {"reflection": reflection_urls.urlpatterns, "insights": reflection_urls.insight_urlpatterns}
    urls = []
    for namespace, patterns in namespaces.items():
        for pattern in patterns:
            assert isinstance(pattern, URLPattern)
            urls.append(reverse(f"{namespace}:{pattern.name}", kwargs=kwargs.get(pattern.name, {})))
    return urls


def test_every_personal_page_is_private_and_never_stored(curator_client, toolkit):
    urls = personal_urls(toolkit)
    downloads = [f"{reverse('insights:engagement')}?download=skills", f"{reverse('insights:coverage')}?download=grid"]
    for url in urls + downloads:
        response = curator_client.get(url)
        assert response.status_code in (200, 302, 405), (url, response.status_code)
        assert {"private", "no-store"} <= directives(response), (url, response.get("Cache-Control"))
    response = curator_client.post(reverse("reflection:objective_new"), {"title": "Learn SQL"})
    assert {"private", "no-store"} <= directives(response)


def test_the_story_page_is_private_and_revalidated(employee_client):
    response = employee_client.get(StoryFactory().get_absolute_url())
    assert response.status_code == 200
    assert {"private", "no-cache"} <= directives(response)


def test_shared_pages_are_private_for_a_logged_in_user(employee_client, employee):
    story = StoryFactory(skills=[SkillFactory()])
    collection = Collection.objects.create(owner=employee, title="Moves")
    for url in [
        reverse("home"),
        reverse("stories:list"),
        reverse("stories:collections"),
        collection.get_absolute_url(),
        reverse("skills:index"),
        story.skills.first().get_absolute_url(),
        f"{reverse('stories:search')}?q=story",
        "/no-such-page/",
    ]:
        response = employee_client.get(url)
        assert "private" in directives(response), (url, response.get("Cache-Control"))
        assert "public" not in directives(response), url


def test_a_shared_cacheable_response_becomes_private_for_a_logged_in_user():
    request = RequestFactory().get("/")
    request.user = UserFactory()
    request.resolver_match = None
    response = PrivateCacheControlMiddleware(lambda r: HttpResponse(headers={"Cache-Control": "public, max-age=600"}))(
        request
    )
    assert directives(response) == {"private", "max-age"}


def test_anonymous_responses_keep_their_own_headers(client):
    assert "Cache-Control" not in client.get(reverse("home"))  # the redirect to the log-in page
    assert client.get("/healthz")["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"

"""The demo as `make run` loads it: the storyteller the employee can ask, end to end."""

import pytest
from django.test import Client
from django.urls import reverse

from reflection.demo import storyteller_demo_open, toolkit_demo_load
from reflection.models import ConversationRequest, Openness
from stories.demo import DEMO_PASSWORD, demo_load
from stories.models import Story

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    demo_load()
    toolkit_demo_load()
    storyteller_demo_open()


def _logged_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def test_the_demo_employee_asks_the_demo_storyteller_from_her_story(demo):
    story = Story.objects.get(slug="six-months-in-the-people-team")
    erin, priya = _logged_in("employee"), _logged_in("storyteller")
    page = erin.get(story.get_absolute_url()).content.decode()
    assert "Ask Priya for a conversation" in page
    assert "Understand how our forecasts are built" in page  # one of Erin's objectives, to choose from

    response = erin.post(
        reverse("reflection:story_ask", args=[story.slug]),
        {"kind": "conversation", "message": "How did the People team secondment start?"},
    )

    assert response.status_code == 302
    request = ConversationRequest.objects.get(story=story)
    assert (request.owner.username, request.colleague.username) == ("employee", "storyteller")
    assert (
        "How did the People team secondment start?" in priya.get(reverse("reflection:shared_with_me")).content.decode()
    )
    assert "Ask Priya" not in priya.get(story.get_absolute_url()).content.decode()  # her own story


def test_loading_the_demo_again_keeps_what_the_storyteller_chose(demo):
    Openness.objects.filter(owner__username="storyteller").update(conversation=False, paused=True)
    demo_load()
    storyteller_demo_open()
    openness = Openness.objects.get(owner__username="storyteller")
    assert (openness.conversation, openness.paused) == (False, True)

"""The health check tells a load balancer whether this node can serve writes; the error page tells the truth."""

import datetime
import socket

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse

from careerportal.models import Profile
from tests.conftest import read_only_database
from tests.factories import UserFactory
from tests.reflection.factories import ObjectiveFactory

pytestmark = pytest.mark.django_db


def test_the_health_check_is_ok_when_the_database_takes_a_write_and_the_cache_keeps_a_value(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")
    assert not Session.objects.exists()  # the write was rolled back


def test_the_health_check_fails_when_the_database_answers_reads_but_refuses_writes(client):
    with read_only_database():
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "refuses writes or is unavailable"}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    "cache",
    [
        {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},  # answers, keeps nothing
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0"},
    ],
    ids=["keeps nothing", "unreachable"],
)
def test_the_health_check_fails_when_the_cache_does_not_keep_a_value(client, settings, cache):
    with override_settings(CACHES={**settings.CACHES, "default": cache}):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "cache": "unavailable"}


def test_the_error_page_after_a_failed_write_does_not_claim_that_nothing_was_lost():
    author = UserFactory()
    objective = ObjectiveFactory(owner=author)
    client = Client(raise_request_exception=False)
    client.force_login(author)
    with read_only_database():
        response = client.post(objective.get_absolute_url(), {"body": "A note to self."})
    assert response.status_code == 500
    page = response.content.decode()
    assert "Nothing you entered was lost" not in page
    assert "may not have been saved" in page


def test_colleague_suggestions_match_names_usernames_and_emails_of_active_colleagues(client, employee):
    UserFactory(username="mbell", first_name="Marcus", last_name="Bell", email="mbell@example.com")
    UserFactory(username="mbell2", first_name="Marcus", last_name="Bell", email="marcus.bell@example.com")
    UserFactory(username="mbellamy", first_name="Marcus", last_name="Bellamy", is_active=False)
    client.force_login(employee)
    for query in ("marcus b", "Bell", "mbel"):
        assert client.get("/colleagues/", {"q": query}).json()["colleagues"] == [
            {"value": "mbell@example.com", "label": "Marcus Bell (mbell@example.com)"},  # one name: by email
            {"value": "marcus.bell@example.com", "label": "Marcus Bell (marcus.bell@example.com)"},
        ]
    UserFactory(username="nina", first_name="Nina", last_name="Patel")
    assert client.get("/colleagues/", {"q": "nina p"}).json()["colleagues"][0]["value"] == "Nina Patel"
    assert client.get("/colleagues/", {"q": "m"}).json() == {"colleagues": []}  # two letters at least
    assert client.get("/colleagues/", {"q": employee.username}).json() == {"colleagues": []}  # not oneself


def test_colleague_suggestions_match_job_titles_from_the_directory_and_never_people_who_left(client, employee):
    analyst = UserFactory(username="ewalsh", first_name="Erin", last_name="Walsh", email="ewalsh@example.com")
    Profile.objects.create(user=analyst, employee_id="E2", job_title="Financial Analyst")
    gone = UserFactory(username="fgone", first_name="Fay", last_name="Gone", is_active=False)
    Profile.objects.create(user=gone, employee_id="E3", job_title="Financial Controller", left_on=datetime.date.today())
    client.force_login(employee)

    assert client.get("/colleagues/", {"q": "financial"}).json()["colleagues"] == [
        {"value": "Erin Walsh", "label": "Erin Walsh (ewalsh@example.com)"}
    ]


def test_colleague_suggestions_need_a_login(client):
    assert client.get("/colleagues/", {"q": "mar"}).status_code == 302

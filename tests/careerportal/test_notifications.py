"""Emails are tasks queued with the write and sent by the worker: a mail server that is down delays the email, never
the write, and nothing is lost or sent twice."""

import importlib.util
import logging
import socket
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import transaction
from django.tasks import TaskResultStatus
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from careerportal import notifications
from reflection import services
from reflection.models import ObjectiveComment, PlanShare
from stories.models import Collection, CollectionShare
from tests.factories import UserFactory
from tests.reflection.factories import ObjectiveFactory, PlanShareFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def mail_server_down(settings):
    """SMTP to a loopback port that nothing listens on: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 2},
        }
    }
    return settings


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def comment(erin, mona):
    objective = ObjectiveFactory(owner=erin, title="Lead a negotiation")
    PlanShareFactory(owner=erin, shared_with=mona)
    response = logged_in(mona).post(objective.get_absolute_url(), {"body": "Talk to the buyers first."})
    return response, ObjectiveComment.objects.count(), "erin@example.com", "Talk to the buyers first."


def plan_share(erin, mona):
    response = logged_in(erin).post(reverse("reflection:sharing"), {"share": "1", "colleague": "mona"})
    return response, PlanShare.objects.count(), "mona@example.com", f"/me/shared-with-me/{erin.pk}/"


def collection_share(erin, mona):
    collection = Collection.objects.create(owner=erin, title="Moving into data roles")
    response = logged_in(erin).post(reverse("stories:collection_share", args=[collection.pk]), {"colleague": "mona"})
    return response, CollectionShare.objects.count(), "mona@example.com", "Moving into data roles"


def queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(status=TaskResultStatus.READY))


def come_due() -> None:
    """The retry's delay has passed."""
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())


@pytest.mark.parametrize("write", [comment, plan_share, collection_share])
def test_with_the_mail_server_down_a_write_succeeds_once_and_its_email_is_sent_when_the_server_is_back(
    write, erin, mona, mail_server_down, tasks_run, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # as if the request's transaction committed
        response, rows, to, text = write(erin, mona)
    assert response.status_code == 302
    assert [message.level_tag for message in get_messages(response.wsgi_request)] == ["success"]
    assert rows == 1
    assert len(queued()) == 1

    with caplog.at_level(logging.WARNING, logger="careerportal.notifications"):
        tasks_run()  # the server is still down: the email waits for a later attempt
    [retry] = queued()
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert timezone.now() + notifications.email_retry_delay(1) - retry.run_after < notifications.email_retry_delay(1)
    assert "not sent (attempt 1 of 30)" in caplog.text
    assert to not in caplog.text  # logs name the task, not the person

    tasks_run()  # not due yet: nothing is tried
    assert queued() == [retry]

    mail_server_down.MAILERS = LOCMEM  # the server is back
    come_due()
    tasks_run()
    assert [message.to for message in mail.outbox] == [[to]]
    assert text in mail.outbox[0].body
    assert queued() == []
    tasks_run()
    assert len(mail.outbox) == 1


def test_a_write_that_rolls_back_leaves_no_email_queued(erin, mona, tasks_run):
    objective = ObjectiveFactory(owner=erin)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.objective_comment(objective=objective, author=mona, body="Good plan.")
        assert len(queued()) == 1
        raise RuntimeError("a later step of the request failed")
    assert not ObjectiveComment.objects.exists()
    assert queued() == []
    tasks_run()
    assert mail.outbox == []


def test_an_email_is_given_up_after_the_last_attempt_with_an_error_log(mail_server_down, tasks_run, caplog):
    notifications.email_send.enqueue(
        to="erin@example.com", subject="Hello", body="Hi", attempt=notifications.EMAIL_ATTEMPTS
    )
    with caplog.at_level(logging.ERROR):
        tasks_run()
    assert queued() == []
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED  # kept, with the email, for an operator
    assert f"not sent after {notifications.EMAIL_ATTEMPTS} attempts, given up" in caplog.text


def test_the_delay_between_attempts_grows_to_an_hour():
    delays = [notifications.email_retry_delay(attempt).total_seconds() for attempt in range(1, 10)]
    assert delays == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_with_a_queue_outside_the_database_the_email_is_handed_over_only_when_the_write_commits(
    settings, erin, mona, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    objective = ObjectiveFactory(owner=erin)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.objective_comment(objective=objective, author=mona, body="Rolled back.")
        raise RuntimeError
    with django_capture_on_commit_callbacks(execute=True):
        services.objective_comment(objective=objective, author=mona, body="Committed.")
        assert mail.outbox == []
    assert [message.body.split("\n\n")[1] for message in mail.outbox] == ["Committed."]


def test_the_tasks_backend_is_chosen_by_an_environment_variable(monkeypatch):
    def tasks_setting():
        spec = importlib.util.spec_from_file_location("env_settings", ROOT / "careerportal" / "settings.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.TASKS["default"]["BACKEND"]

    monkeypatch.delenv("PORTAL_TASKS_BACKEND", raising=False)
    assert tasks_setting() == "django_tasks_db.DatabaseBackend"
    monkeypatch.setenv("PORTAL_TASKS_BACKEND", "django_tasks_rq.RQBackend")
    assert tasks_setting() == "django_tasks_rq.RQBackend"


def test_queued_emails_are_not_readable_in_the_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    notifications.email_send.enqueue(to="erin@example.com", subject="Mona commented", body="A private comment")
    assert client.get("/admin/django_tasks_database/dbtaskresult/").status_code == 404
    assert "Task Results" not in client.get("/admin/").content.decode()

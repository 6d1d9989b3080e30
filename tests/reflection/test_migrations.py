"""Data filled in by the reflection app's migrations, run against a database as the previous release left it."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE_STATES = ("reflection", "0001_initial")
STATES = ("reflection", "0003_conversation_one_open_per_pair")


@pytest.mark.django_db(transaction=True)
def test_existing_requests_await_an_answer_and_only_a_pairs_newest_stays_open():
    """Before requests had a state, asking again added a row: the newest of a pair stays requested, older ones are
    withdrawn, so that one open request per pair can hold."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_STATES])  # as the previous release left it
    try:
        old = executor.loader.project_state([BEFORE_STATES]).apps
        User = old.get_model(*get_user_model()._meta.label.split("."))
        erin, mona, olu = (User.objects.create(username=name) for name in ("erin", "mona", "olu"))
        Request = old.get_model("reflection", "ConversationRequest")
        now = timezone.now()
        asked = {
            name: Request.objects.create(
                owner=owner, colleague=colleague, created_at=now - datetime.timedelta(days=age)
            )
            for name, owner, colleague, age in [
                ("erin-mona-first", erin, mona, 9),
                ("erin-mona-again", erin, mona, 5),
                ("erin-mona-third", erin, mona, 1),
                ("olu-mona", olu, mona, 3),
                ("mona-erin", mona, erin, 7),
            ]
        }
        executor = MigrationExecutor(connection)
        executor.migrate([STATES])
        new = executor.loader.project_state([STATES]).apps
        states = {
            name: new.get_model("reflection", "ConversationRequest").objects.get(pk=row.pk).state
            for name, row in asked.items()
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # back to the schema the other tests expect

    assert states == {
        "erin-mona-first": "withdrawn",
        "erin-mona-again": "withdrawn",
        "erin-mona-third": "requested",
        "olu-mona": "requested",
        "mona-erin": "requested",
    }

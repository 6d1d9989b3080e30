import contextlib
import io
import os

import pytest
from django.core.cache import caches
from django.db import OperationalError, connection
from django_tasks_db.management.commands import db_worker
from PIL import Image

from careerportal.roles import curator_set
from tests import factories

# Playwright runs an event loop in the test thread; Django's ORM must still be usable from the test there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, each run's test database is a file in that run's own temporary folder: a file, not memory, so that
    browser tests' live server and the operations tests' gunicorn open it with connections of their own; a folder of
    the run's own, so that two runs in one checkout never share (and delete) each other's database."""
    database = connection.settings_dict
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["TEST"]["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Uploads go to a fresh folder per test; static files need no collectstatic manifest."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """A memory cache emptied for every test: nothing cached leaks between tests."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def tasks_run(db, monkeypatch):
    """Runs the queued tasks that are due, as `manage.py db_worker --batch` would, inside the test's transaction
    (so without its signal handlers, and without closing the connection between tasks, which would end the test's
    transaction)."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        db_worker.Worker(
            queue_names=["default"],
            excluded_queue_names=[],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="tests",
        ).run()

    return run


@pytest.fixture
def employee(db):
    return factories.UserFactory(username="erin")


@pytest.fixture
def other_employee(db):
    return factories.UserFactory(username="olu")


@pytest.fixture
def curator(db):
    user = factories.UserFactory(username="hana")
    curator_set(user=user, curator=True)
    return user


@pytest.fixture
def employee_client(client, employee):
    client.force_login(employee)
    return client


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


def image_bytes(size=(64, 48), fmt="PNG", color=(31, 95, 139)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


@contextlib.contextmanager
def read_only_database():
    """The database answers reads and refuses every write, as a read-only SQLite file or a PostgreSQL standby does."""

    def refuse_writes(execute, sql, params, many, context):
        if sql.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            raise OperationalError("attempt to write a readonly database")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_writes):
        yield

"""The shared cache and sessions with REDIS_URL, against a real redis-server on loopback.

Each "node" gets its settings the way a deployed one does: careerportal/settings.py run with REDIS_URL set.
"""

import json
import os
import runpy
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.cache import CacheHandler
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from careerportal import settings as portal_settings

pytestmark = pytest.mark.django_db

STARTUP_SECONDS = 20
REPO_DIR = Path(portal_settings.__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def _wait_for_ping(url: str, *, process: subprocess.Popen, log: Path) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"redis-server exited with {process.returncode}:\n{log.read_text()}")
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        pytest.fail(f"redis-server did not answer PING at {url} within {STARTUP_SECONDS} s:\n{log.read_text()}")
    finally:
        client.close()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[str]:
    """A throwaway redis-server (no persistence) on a free loopback port for the whole run; yields its URL."""
    executable = shutil.which("redis-server")
    if executable is None:
        if _in_ci():
            pytest.fail("redis-server is not installed; .ci/run installs Debian's redis-server package")
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server); CI runs these tests")
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    log = folder / "server.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=folder,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"redis://127.0.0.1:{port}/0"
        _wait_for_ping(url, process=process, log=log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def redis_client(redis_server) -> Iterator[redis.Redis]:
    """A plain client on the test Redis, which is emptied after each test."""
    client = redis.Redis.from_url(redis_server)
    yield client
    client.flushdb()
    client.close()


def _settings_with_env(monkeypatch, env: dict[str, str]) -> dict[str, Any]:
    """careerportal/settings.py's names, as computed under these environment variables."""
    for name in ("REDIS_URL", "PORTAL_CACHE_KEY_PREFIX", "PORTAL_CACHE_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DJANGO_SECRET_KEY", "settings-under-test")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(portal_settings.__file__)


def test_redis_url_makes_the_default_cache_redis_and_sessions_cached_in_the_database(monkeypatch):
    portal = _settings_with_env(monkeypatch, {"REDIS_URL": "redis://cache.internal:6379/2"})

    cache = portal["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://cache.internal:6379/2"
    assert cache["KEY_PREFIX"] == "careerportal"
    assert cache["TIMEOUT"] == 300
    assert portal["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"


def test_without_redis_each_process_caches_in_memory_and_sessions_live_in_the_database(monkeypatch):
    portal = _settings_with_env(monkeypatch, {})

    # Memory, not files: a file cache lists its whole folder on every write once it is full.
    assert portal["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert "SESSION_ENGINE" not in portal  # Django's default: sessions in the database


@pytest.mark.parametrize("env", [{"REDIS_URL": "cache.internal:6379"}, {"PORTAL_CACHE_TIMEOUT": "a while"}])
def test_bad_cache_settings_stop_start_up(monkeypatch, env):
    with pytest.raises(ImproperlyConfigured):
        _settings_with_env(monkeypatch, {"REDIS_URL": "redis://cache.internal:6379/0", **env})


def test_two_nodes_with_the_same_redis_url_see_each_others_values(monkeypatch, redis_server, redis_client):
    caches_config = _settings_with_env(monkeypatch, {"REDIS_URL": redis_server})["CACHES"]
    node_a, node_b = CacheHandler(caches_config)["default"], CacheHandler(caches_config)["default"]
    assert node_a is not node_b

    node_a.set("featured-stories", [3, 1, 4])
    node_b.set("views", 0)
    node_a.incr("views")

    assert node_b.get("featured-stories") == [3, 1, 4]
    assert node_b.get("views") == 1
    node_b.delete("featured-stories")
    assert node_a.get("featured-stories") is None
    assert all(key.startswith(b"careerportal:") for key in redis_client.keys("*"))
    node_a.close()
    node_b.close()


def test_session_created_on_one_node_is_read_by_another_and_survives_a_cache_flush(
    monkeypatch, settings, redis_server, redis_client, client, employee, tmp_path
):
    portal = _settings_with_env(monkeypatch, {"REDIS_URL": redis_server})
    settings.CACHES = portal["CACHES"]  # setting_changed resets Django's cache handler
    settings.SESSION_ENGINE = portal["SESSION_ENGINE"]
    client.force_login(employee)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    # Another node: its own process, settings and Redis connection, and a database without the session in it
    # (this test's transaction is not committed), so what it reads can only come from Redis.
    node_env = {
        name: value for name, value in os.environ.items() if not name.startswith(("DATABASE_", "PORTAL_", "REDIS_"))
    }
    node_env |= {
        "DJANGO_SETTINGS_MODULE": "careerportal.settings",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "PORTAL_VAR_DIR": str(tmp_path / "other-node"),
        "REDIS_URL": redis_server,
    }
    read_session = (
        "import json, sys, django; django.setup();"
        "from django.contrib.sessions.backends.cached_db import SessionStore;"
        "print(json.dumps(SessionStore(session_key=sys.argv[1]).load()))"
    )
    other_node = subprocess.run(
        [sys.executable, "-c", read_session, session_key],
        cwd=REPO_DIR,
        env=node_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert other_node.returncode == 0, other_node.stderr
    assert json.loads(other_node.stdout)["_auth_user_id"] == str(employee.pk)

    assert redis_client.keys("*")
    redis_client.flushdb()

    response = client.get(reverse("stories:guide"))
    assert response.status_code == 200  # still logged in: the session came back from the database

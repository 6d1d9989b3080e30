"""Many employees writing at once through a real multi-process server: gunicorn with several workers and threads,
on the suite's own database (the SQLite file with WAL and a busy timeout, or PostgreSQL). No request fails, every
write lands once, concurrent edits of one objective keep exactly one of them, and a storyteller's last place goes to
exactly one of the employees asking at once."""

import http.client
import random
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from reflection.models import ConversationRequest, Objective, Reflection, SavedStory, StoryVisit
from tests.factories import StoryFactory, StorytellerFactory, UserFactory
from tests.ops.support import BASE_DIR, database_url, portal_env
from tests.reflection.factories import ObjectiveFactory, OpennessFactory

HOST = "127.0.0.1"
GUNICORN_WORKERS, GUNICORN_THREADS = 3, 4
CLIENT_THREADS = 16
SERVER_START_SECONDS = 30
REQUEST_TIMEOUT_SECONDS = 20
ALL_REQUESTS_SECONDS = 45

EMPLOYEES = 8
REFLECTIONS_EACH, OBJECTIVES_EACH, STORY_VIEWS_EACH = 5, 4, 3

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Server:
    port: int
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Response:
    status: int
    location: str = ""
    body: str = ""
    set_cookies: list[str] = field(default_factory=list)


@dataclass
class Employee:
    username: str
    cookies: dict[str, str]
    csrf_token: str = ""


def _start_failed(process: subprocess.Popen, log_path: Path, why: str) -> None:
    process.kill()
    process.wait(timeout=10)
    pytest.fail(f"gunicorn did not start: {why}\n--- gunicorn output ---\n{log_path.read_text(errors='replace')}")


def _wait_until_serving(process: subprocess.Popen, log_path: Path) -> int:
    """The port gunicorn bound (it picks a free one), once a worker answers the health check."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    port = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _start_failed(process, log_path, f"it exited with {process.returncode}")
        if port is None and (found := re.search(r"Listening at: http://[\d.]+:(\d+)", log_path.read_text())):
            port = int(found[1])
        if port is not None:
            try:
                if _request(port, "GET", "/healthz", timeout=2).status == 200:
                    return port
            except OSError:
                pass
        time.sleep(0.2)
    _start_failed(process, log_path, f"no healthy answer within {SERVER_START_SECONDS} s")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory) -> Iterator[Server]:
    """gunicorn on a free loopback port, serving the test database; stopped before the database goes away."""
    folder = tmp_path_factory.mktemp("gunicorn")
    log_path = folder / "gunicorn.log"
    env = portal_env(
        database=database_url(connection.settings_dict),
        var_dir=folder,
        DJANGO_SECRET_KEY=settings.SECRET_KEY,  # the sessions made here must be valid there
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS=HOST,
        PORTAL_MANIFEST_STATIC="0",  # no collectstatic in tests
        DJANGO_LOG_LEVEL="WARNING",
        PORTAL_VISIT_GAP_SECONDS="0",  # every view counts, so that views update one row at once
    )
    command = [
        sys.executable, "-m", "gunicorn", "careerportal.wsgi", "--bind", f"{HOST}:0",
        "--workers", str(GUNICORN_WORKERS), "--threads", str(GUNICORN_THREADS),
        "--timeout", "30", "--graceful-timeout", "5", "--access-logfile", "-",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        port = _wait_until_serving(process, log_path)
        yield Server(port=port, log_path=log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _request(
    port: int,
    method: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    form: dict | None = None,
    timeout: float = REQUEST_TIMEOUT_SECONDS,
) -> Response:
    headers = {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = None
    if form is not None:
        body = urlencode(form, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        answer = conn.getresponse()
        return Response(
            status=answer.status,
            location=answer.getheader("Location", ""),
            body=answer.read().decode(errors="replace"),
            set_cookies=answer.headers.get_all("Set-Cookie") or [],
        )
    finally:
        conn.close()


def _signed_in(server: Server, user, first_story) -> Employee:
    """A session made here (as after logging in), then the first page, which brings the CSRF cookie and token."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    employee = Employee(user.username, {settings.SESSION_COOKIE_NAME: session})
    page = _request(server.port, "GET", first_story.get_absolute_url(), cookies=employee.cookies)
    assert page.status == 200, f"{user.username} could not open a story: {page.status}\n{server.log()}"
    jar = SimpleCookie()
    for header in page.set_cookies:
        jar.load(header)
    employee.cookies[settings.CSRF_COOKIE_NAME] = jar[settings.CSRF_COOKIE_NAME].value
    employee.csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)[1]
    return employee


@dataclass(frozen=True)
class Call:
    """One request of one employee, and what a success looks like."""

    employee: Employee
    kind: str
    method: str
    path: str
    form: dict | None
    expect_status: int
    expect_location: re.Pattern[str] | None = None

    def succeeded(self, response: Response) -> bool:
        if response.status != self.expect_status:
            return False
        return self.expect_location is None or bool(self.expect_location.fullmatch(response.location))


def _run_all(server: Server, calls: list[Call]) -> tuple[list[tuple[Call, Response]], list[str]]:
    """Fires the calls from many threads at once; returns the answered ones and a line for each failure."""

    def send(call: Call) -> Response:
        form = None if call.form is None else {**call.form, "csrfmiddlewaretoken": call.employee.csrf_token}
        return _request(server.port, call.method, call.path, cookies=call.employee.cookies, form=form)

    with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
        futures = {pool.submit(send, call): call for call in calls}
        done, not_done = wait(futures, timeout=ALL_REQUESTS_SECONDS)
        for future in not_done:
            future.cancel()
    answered, failures = [], []
    for future, call in futures.items():
        if future not in done:
            failures.append(f"{call.kind} by {call.employee.username}: no answer within {ALL_REQUESTS_SECONDS} s")
        elif (error := future.exception()) is not None:
            failures.append(f"{call.kind} by {call.employee.username}: {type(error).__name__}: {error}")
        else:
            response = future.result()
            answered.append((call, response))
            if not call.succeeded(response):
                failures.append(
                    f"{call.kind} by {call.employee.username}: {response.status} {response.location} "
                    f"(expected {call.expect_status})\n{response.body[:500]}"
                )
    return answered, failures


def _failure_report(failures: list[str], server: Server) -> str:
    return "\n".join(failures[:20]) + f"\n--- gunicorn output ---\n{server.log()[-20000:]}"


def test_simultaneous_writes_of_many_employees_all_land_once(server):
    stories = StoryFactory.create_batch(3)
    users = [UserFactory(username=f"writer{n}") for n in range(EMPLOYEES)]
    employees = [_signed_in(server, user, stories[0]) for user in users]

    calls: list[Call] = []
    for employee in employees:
        reflect = f"{reverse('reflection:reflection_new')}?story={stories[0].slug}"
        calls += [
            Call(employee, "reflection", "POST", reflect, {"title": f"{employee.username} reflection {n}",
                 "what_they_did": "Moved sideways."}, 302, re.compile(re.escape(reverse("reflection:reflections"))))
            for n in range(REFLECTIONS_EACH)
        ]  # fmt: skip
        calls += [
            Call(employee, "objective", "POST", reverse("reflection:objective_new"),
                 {"title": f"{employee.username} objective {n}", "status": "on_track", "stories": [stories[0].pk]},
                 302, re.compile(r"/me/plan/\d+/"))
            for n in range(OBJECTIVES_EACH)
        ]  # fmt: skip
        # Every story saved, the first one twice at the same time: saved once.
        calls += [
            Call(employee, "save", "POST", reverse("reflection:story_save", args=[story.slug]), {"saved": "1"},
                 302, re.compile(re.escape(story.get_absolute_url())))
            for story in [*stories, stories[0]]
        ]  # fmt: skip
        calls += [
            Call(employee, "view", "GET", stories[0].get_absolute_url(), None, 200) for _ in range(STORY_VIEWS_EACH)
        ]
    random.Random(7).shuffle(calls)

    started = time.monotonic()
    answered, failures = _run_all(server, calls)
    elapsed = time.monotonic() - started

    assert not failures, f"{len(failures)} of {len(calls)} requests failed\n" + _failure_report(failures, server)
    assert len(answered) == len(calls)
    assert all(response.status < 500 for _, response in answered)
    succeeded = Counter((call.employee.username, call.kind) for call, response in answered if call.succeeded(response))
    for user in users:
        reflections = set(Reflection.objects.for_owner(user).values_list("title", flat=True))
        assert reflections == {f"{user.username} reflection {n}" for n in range(REFLECTIONS_EACH)}
        assert Reflection.objects.for_owner(user).count() == succeeded[user.username, "reflection"]
        objectives = Objective.objects.for_owner(user).prefetch_related("stories")
        assert {objective.title for objective in objectives} == {
            f"{user.username} objective {n}" for n in range(OBJECTIVES_EACH)
        }
        assert len(objectives) == succeeded[user.username, "objective"]
        assert all([story.pk for story in objective.stories.all()] == [stories[0].pk] for objective in objectives)
        saved = SavedStory.objects.for_owner(user).values_list("story_id", flat=True)
        assert sorted(saved) == sorted(story.pk for story in stories)
        # The first visit came with signing in; each view after it counts.
        visit = StoryVisit.objects.for_owner(user).get(story=stories[0])
        assert visit.visits == 1 + succeeded[user.username, "view"]
    assert elapsed < ALL_REQUESTS_SECONDS


def test_simultaneous_edits_of_one_objective_keep_one_and_tell_the_others(server):
    story = StoryFactory()
    user = UserFactory(username="editor")
    objective = ObjectiveFactory(owner=user, title="Before")
    employee = _signed_in(server, user, story)
    edit = reverse("reflection:objective_edit", args=[objective.pk])
    calls = [
        Call(employee, f"edit {n}", "POST", edit, {"title": f"Edit {n}", "status": "at_risk", "version": "1"}, 302)
        for n in range(12)
    ]

    answered, errors = _run_all(server, calls)

    assert len(answered) == len(calls), _failure_report(errors, server)
    assert all(response.status < 500 for _, response in answered), _failure_report(errors, server)
    saved = [call for call, response in answered if response.status == 302]
    refused = [response for _, response in answered if response.status != 302]
    assert len(saved) == 1, _failure_report(errors, server)
    assert all(response.status == 200 and "changed somewhere else" in response.body for response in refused)
    objective.refresh_from_db()
    assert (objective.title, objective.version) == (saved[0].form["title"], 2)


def test_many_asking_a_storyteller_at_once_for_her_last_place_get_one_yes_and_clear_fulls(server):
    """Employees ask one storyteller (a limit of one a month) at the same moment, through the real server: exactly
    one request is made; every other employee is told she is full, and nothing fails."""
    teller_account = UserFactory(username="teller")
    OpennessFactory(owner=teller_account, monthly_limit=1)
    story = StoryFactory(storyteller=StorytellerFactory(name="Priya Raman", account=teller_account))
    employees = [_signed_in(server, UserFactory(username=f"asker{n}"), story) for n in range(6)]
    ask = reverse("reflection:story_ask", args=[story.slug])
    calls = [
        Call(employee, "ask", "POST", ask, {"kind": "conversation", "message": "May I ask you about it?"}, 302)
        for employee in employees
    ]

    answered, failures = _run_all(server, calls)

    assert len(answered) == len(calls), _failure_report(failures, server)
    sent = [call for call, response in answered if response.status == 302]
    full = [response for _, response in answered if response.status == 200]
    assert len(sent) == 1, _failure_report(failures, server)
    assert len(full) == len(calls) - 1, _failure_report(failures, server)
    assert all("Priya Raman has no places left this month" in response.body for response in full)
    (request,) = ConversationRequest.objects.filter(colleague=teller_account)
    assert request.owner.username == sent[0].employee.username

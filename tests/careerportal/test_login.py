"""Logging in: throttling of repeated failures (per account and per address), and single sign-on claims."""

import datetime
import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from careerportal.auth import CompanyOIDCBackend
from careerportal.directory import people_mark_left
from careerportal.logs import JsonFormatter
from careerportal.models import LoginThrottle, Profile
from careerportal.roles import CURATORS_GROUP
from tests.factories import FunctionFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long passphrase"


@pytest.fixture
def erin(db):
    user = UserFactory(username="erin")
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_failures_pause_the_account_even_with_the_right_password(client, erin, settings):
    for _ in range(settings.PORTAL_LOGIN_FAILURES_PER_ACCOUNT):
        response = log_in(client, "erin", "wrong")
        assert response.status_code == 200
        assert "didn’t match" in response.content.decode()
    response = log_in(client, "ERIN", PASSWORD, address="10.9.9.9")  # any spelling, any address
    assert response.status_code == 429
    assert "Too many failed attempts to log in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_other_accounts_are_not_paused_by_one_accounts_failures(client, erin, settings):
    UserFactory(username="olu").set_password(PASSWORD)
    for _ in range(settings.PORTAL_LOGIN_FAILURES_PER_ACCOUNT):
        log_in(client, "olu", "wrong", address="10.0.0.2")
    assert log_in(client, "erin", PASSWORD, address="10.0.0.2").status_code == 302


def test_many_failures_from_one_address_pause_that_address(client, erin, settings):
    settings.PORTAL_LOGIN_FAILURES_PER_ADDRESS = 3
    for name in ("a", "b", "c"):
        log_in(client, name, "wrong", address="10.0.0.3")
    assert log_in(client, "erin", PASSWORD, address="10.0.0.3").status_code == 429
    assert log_in(client, "erin", PASSWORD, address="10.0.0.4").status_code == 302


def test_a_success_clears_the_accounts_failures(client, erin, settings):
    for _ in range(settings.PORTAL_LOGIN_FAILURES_PER_ACCOUNT - 1):
        log_in(client, "erin", "wrong")
    assert log_in(client, "erin", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.PORTAL_LOGIN_FAILURES_PER_ACCOUNT - 1):
        log_in(client, "erin", "wrong")
    assert log_in(client, "erin", PASSWORD).status_code == 302


def test_the_proxys_address_header_is_used_only_when_configured(client, erin, settings):
    settings.PORTAL_LOGIN_FAILURES_PER_ADDRESS = 2
    for name in ("a", "b"):
        client.post("/accounts/login/", {"username": name, "password": "x"}, HTTP_X_REAL_IP="192.0.2.7")
    # Not configured: the header is ignored and REMOTE_ADDR (127.0.0.1 in tests) is what was counted.
    assert log_in(client, "erin", PASSWORD, address="127.0.0.1").status_code == 429
    LoginThrottle.objects.all().delete()
    settings.PORTAL_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for name in ("a", "b"):
        client.post("/accounts/login/", {"username": name, "password": "x"}, HTTP_X_REAL_IP="192.0.2.7")
    assert log_in(client, "erin", PASSWORD, address="127.0.0.1").status_code == 302


def test_the_admin_log_in_is_throttled_too_and_answers_429(client, erin, settings):
    erin.is_staff = True
    erin.save()
    for _ in range(settings.PORTAL_LOGIN_FAILURES_PER_ACCOUNT):
        assert client.post("/admin/login/", {"username": "erin", "password": "wrong"}).status_code == 200
    response = client.post("/admin/login/", {"username": "erin", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts to log in" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/login/").status_code == 200  # the page itself still shows


def test_a_post_without_a_password_neither_counts_nor_clears_failures(client, erin, settings):
    for _ in range(settings.PORTAL_LOGIN_FAILURES_PER_ACCOUNT - 1):
        log_in(client, "erin", "wrong")
    assert log_in(client, "erin", "").status_code == 200  # "This field is required"; no password was checked
    log_in(client, "erin", "wrong")
    assert log_in(client, "erin", PASSWORD).status_code == 429


def test_successes_from_an_address_do_not_use_up_its_failures(client, erin, settings):
    settings.PORTAL_LOGIN_FAILURES_PER_ADDRESS = 3
    log_in(client, "someone", "wrong")
    for _ in range(5):
        assert log_in(client, "erin", PASSWORD).status_code == 302
        client.logout()
    log_in(client, "someone", "wrong")
    assert log_in(client, "erin", PASSWORD).status_code == 302  # two failures and a success: not yet locked


class Clock:
    """Stands in for django.utils.timezone.now: a time that moves only when the test moves it."""

    def __init__(self):
        self.now = timezone.now()

    def __call__(self) -> datetime.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def test_the_lock_lifts_exactly_when_the_minutes_since_the_first_failure_have_passed(client, erin, settings, clock):
    first_failure = clock.now
    log_in(client, "erin", "wrong")
    for minute in range(1, settings.PORTAL_LOGIN_FAILURES_PER_ACCOUNT):  # one failure a minute after the first
        clock.now = first_failure + datetime.timedelta(minutes=minute)
        log_in(client, "erin", "wrong")
    lifted = first_failure + datetime.timedelta(minutes=settings.PORTAL_LOGIN_LOCKOUT_MINUTES)
    clock.now = lifted - datetime.timedelta(seconds=1)
    assert log_in(client, "erin", PASSWORD).status_code == 429
    clock.now = lifted
    assert log_in(client, "erin", PASSWORD).status_code == 302


def test_rows_whose_window_has_passed_are_pruned_after_a_success(client, erin, settings, clock):
    log_in(client, "someone", "wrong", address="10.0.0.8")
    clock.now += datetime.timedelta(minutes=settings.PORTAL_LOGIN_LOCKOUT_MINUTES)
    assert LoginThrottle.objects.count() == 2
    assert log_in(client, "erin", PASSWORD).status_code == 302
    assert not LoginThrottle.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_passwords_for_one_account_check_at_most_the_limit(erin, settings, monkeypatch):
    """24 attempts at once, each on its own thread and database connection: only 5 passwords are ever checked."""
    checked = []
    authenticate = ModelBackend.authenticate

    def counting_authenticate(self, request, username=None, password=None, **kwargs):
        checked.append(password)
        return authenticate(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting_authenticate)
    attempts = 24
    start = threading.Barrier(attempts)

    def attempt(number: int) -> int:
        try:
            start.wait()
            return log_in(Client(), "erin", f"wrong {number}", address=f"10.1.0.{number}").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        statuses = list(pool.map(attempt, range(attempts)))

    limit = settings.PORTAL_LOGIN_FAILURES_PER_ACCOUNT
    assert len(checked) == limit
    assert sorted(statuses) == [200] * limit + [429] * (attempts - limit)
    assert log_in(Client(), "erin", PASSWORD).status_code == 429


def test_weak_passwords_are_refused_by_the_validators(erin):
    for weak in ("password", "12345678", "short", "qwertyuiop"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=erin)


# Single sign-on


@pytest.fixture
def sso(settings):
    settings.OIDC_RP_CLIENT_ID = "career-stories"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.example.com/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.example.com/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://idp.example.com/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://idp.example.com/jwks"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.PORTAL_OIDC_PROVIDER_NAME = "Acme SSO"
    settings.PORTAL_OIDC_CURATOR_GROUP = "career-curators"
    return settings


def test_without_sso_the_login_page_offers_local_accounts_only(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "/oidc/authenticate/" not in page
    assert client.get("/oidc/authenticate/").status_code == 404


def test_with_sso_the_login_page_sends_people_to_the_identity_provider(client, sso):
    page = client.get("/accounts/login/?next=/me/").content.decode()
    assert "Log in with Acme SSO" in page
    response = client.get("/oidc/authenticate/?next=/me/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://idp.example.com/authorize"
    assert query["client_id"] == ["career-stories"] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://testserver/oidc/callback/"]
    assert query["state"][0] in client.session["oidc_states"] and query["nonce"]


def test_claims_make_a_local_account_and_curator_membership_follows_the_group(sso, db):
    backend = CompanyOIDCBackend()
    claims = {
        "preferred_username": "amara.okafor",
        "email": "amara@example.com",
        "given_name": "Amara",
        "family_name": "Okafor",
        "groups": ["everyone", "career-curators"],
    }
    assert backend.verify_claims(claims)
    user = backend.create_user(claims)
    assert (user.username, user.email, user.get_full_name()) == ("amara.okafor", "amara@example.com", "Amara Okafor")
    assert not user.has_usable_password()
    assert user.is_staff and user.groups.filter(name=CURATORS_GROUP).exists()
    assert list(backend.filter_users_by_claims({"preferred_username": "Amara.Okafor"})) == [user]

    backend.update_user(user, {**claims, "email": "amara.o@example.com", "groups": ["everyone"]})
    user.refresh_from_db()
    assert user.email == "amara.o@example.com"
    assert not user.is_staff and not user.groups.filter(name=CURATORS_GROUP).exists()
    assert Group.objects.filter(name=CURATORS_GROUP).exists()
    assert not backend.verify_claims({"email": "someone@example.com"})  # no username claim: refused


AMARA = {"preferred_username": "amara.okafor", "email": "amara@example.com", "given_name": "Amara",
         "family_name": "Okafor"}  # fmt: skip


def test_directory_claims_set_the_function_by_name_in_any_case_the_job_title_and_the_manager_by_email(sso):
    finance = FunctionFactory(name="Finance", slug="finance")
    marcus = UserFactory(username="marcus", email="Marcus.Bell@example.com")
    claims = {**AMARA, "department": "FINANCE", "job_title": "Analyst", "manager_email": "marcus.bell@example.com"}
    user = CompanyOIDCBackend().create_user(claims)
    profile = Profile.objects.get(user=user)
    assert (profile.function, profile.job_title, profile.manager) == (finance, "Analyst", marcus)

    CompanyOIDCBackend().update_user(user, {**AMARA, "job_title": "Senior Analyst"})  # the others left out: kept
    profile.refresh_from_db()
    assert (profile.function, profile.job_title, profile.manager) == (finance, "Senior Analyst", marcus)


def test_an_unknown_department_or_manager_is_logged_and_the_profile_keeps_its_own(sso, caplog):
    finance = FunctionFactory(name="Finance", slug="finance")
    marcus = UserFactory(username="marcus", email="marcus@example.com")
    user = CompanyOIDCBackend().create_user({**AMARA, "department": "Finance", "manager_email": "marcus@example.com"})
    claims = {**AMARA, "department": "Treasury", "manager_email": "nobody@example.com"}
    CompanyOIDCBackend().update_user(user, claims)
    profile = Profile.objects.get(user=user)
    assert (profile.function, profile.manager) == (finance, marcus)
    assert not type(finance).objects.filter(name="Treasury").exists()  # functions are never made by a log-in
    assert "'Treasury' is not one of the portal's" in caplog.text
    assert "no accounts have the manager email 'nobody@example.com'" in caplog.text


def test_a_manager_claim_that_would_close_a_loop_of_managers_is_logged_and_ignored(sso, caplog):
    amara = CompanyOIDCBackend().create_user(AMARA)
    marcus = UserFactory(username="marcus", email="marcus@example.com")
    Profile.objects.create(user=marcus, manager=amara)
    CompanyOIDCBackend().update_user(amara, {**AMARA, "manager_email": "marcus@example.com"})
    assert Profile.objects.get(user=amara).manager is None
    assert "cannot manage amara.okafor" in caplog.text


def test_the_directory_claims_names_come_from_settings_and_an_empty_name_reads_none(sso):
    FunctionFactory(name="Finance", slug="finance")
    sso.PORTAL_OIDC_FUNCTION_CLAIM = "dept"
    sso.PORTAL_OIDC_JOB_TITLE_CLAIM = ""
    user = CompanyOIDCBackend().create_user({**AMARA, "dept": "finance", "job_title": "Analyst"})
    profile = Profile.objects.get(user=user)
    assert (profile.function.name, profile.job_title) == ("Finance", "")


def test_someone_logged_in_with_single_sign_on_is_logged_out_once_they_left(sso, client):
    sso.AUTHENTICATION_BACKENDS = ["careerportal.auth.CompanyOIDCBackend", "django.contrib.auth.backends.ModelBackend"]
    user = CompanyOIDCBackend().create_user(AMARA)
    client.force_login(user, backend="careerportal.auth.CompanyOIDCBackend")
    assert client.get("/me/").status_code == 200
    user.is_active = False  # as an import or the identity provider marks them as left, without touching sessions
    user.save(update_fields=["is_active"])
    assert client.get("/me/").status_code == 302


@pytest.mark.parametrize(
    "engine", ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"]
)
def test_marking_people_as_left_ends_their_sessions_and_only_theirs(erin, settings, engine):
    settings.SESSION_ENGINE = engine
    olu = UserFactory(username="olu")
    client, other = Client(), Client()
    client.force_login(erin)
    other.force_login(olu)
    erins_session = client.session.session_key
    people_mark_left(user_ids=[erin.pk])
    assert import_module(engine).SessionStore(session_key=erins_session).load() == {}  # from the cache too
    assert Session.objects.count() == 1
    assert client.get("/me/").status_code == 302
    assert other.get("/me/").status_code == 200


# Structured logs


def test_log_lines_are_json_with_the_extra_fields(rf):
    record = logging.makeLogRecord(
        {"name": "django.request", "levelname": "WARNING", "msg": "Not Found: %s", "args": ("/x",)}
    )
    record.status_code, record.request = 404, rf.get("/x")
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "Not Found: /x" and entry["level"] == "WARNING"
    assert (entry["status_code"], entry["method"], entry["path"]) == (404, "GET", "/x")
    assert entry["time"].endswith("+00:00")

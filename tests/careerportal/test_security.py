"""Hardening under production settings: `check --deploy` is clean, and every main page sends the headers that
Mozilla's HTTP Observatory scores (CSP with nonces and no unsafe-inline, HSTS, nosniff, referrer and opener
policies, frame protection, secure HttpOnly cookies)."""

import importlib.util
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.checks import run_checks
from django.urls import reverse

from tests.factories import SkillFactory, StoryFactory

ROOT = Path(__file__).resolve().parents[2]
HTTPS = {"headers": {"X-Forwarded-Proto": "https"}}
SECURITY_SETTINGS = [
    "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SECURE_REDIRECT_EXEMPT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY", "SECURE_CROSS_ORIGIN_OPENER_POLICY", "X_FRAME_OPTIONS", "SECURE_CSP",
]  # fmt: skip


SAMPLE_ENV = ROOT / "careerportal" / "production.env.example"
ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)")


def sourced(path: Path) -> dict[str, str]:
    """The environment after bash reads `path` as README's "Production" says (set -a; . FILE), from an empty one."""
    result = subprocess.run(
        ["bash", "-c", 'set -a; . "$1"; env -0', "bash", str(path)],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0 and not result.stderr, result.stderr
    return dict(entry.split("=", 1) for entry in result.stdout.split("\0") if entry)


def production_env(tmp_path: Path) -> dict[str, str]:
    """The README's sample production environment, with a real secret key."""
    environ = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ.update({name: value for name, value in sourced(SAMPLE_ENV).items() if name in written(SAMPLE_ENV)})
    environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    environ["PORTAL_VAR_DIR"] = str(tmp_path)
    return environ


def written(path: Path) -> dict[str, str]:
    """Each variable assigned in an environment file, with its value as written (one shell word, quotes removed)."""
    values = {}
    for line in path.read_text().splitlines():
        if match := ASSIGNMENT.fullmatch(line.strip()):
            words = shlex.split(match[2])
            assert len(words) == 1, f"{line}: more than one word; quote the value"
            values[match[1]] = words[0]
    return values


def test_the_sample_production_environment_can_be_sourced_by_bash():
    expected = written(SAMPLE_ENV)
    environment = sourced(SAMPLE_ENV)
    assert {"DEFAULT_FROM_EMAIL", "OIDC_RP_CLIENT_ID", "PORTAL_CLIENT_IP_HEADER", "GUNICORN_BIND"} <= expected.keys()
    assert {name: environment.get(name) for name in expected} == expected
    assert environment["DEFAULT_FROM_EMAIL"] == "Career stories <careers@example.com>"


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = deploy_check(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_the_embedded_demo_settings(tmp_path):
    """The check can fail: without HTTPS it names the missing HSTS, redirect and secure cookies."""
    env = {**production_env(tmp_path), "PORTAL_HTTPS": "0"}
    result = deploy_check(env)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


@pytest.fixture
def production(settings, monkeypatch, tmp_path):
    """The security settings as careerportal/settings.py computes them from a production environment."""
    for name, value in production_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("production_settings", ROOT / "careerportal" / "settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in SECURITY_SETTINGS:
        setattr(settings, name, getattr(module, name))
    settings.ALLOWED_HOSTS = ["testserver"]
    return settings


@pytest.fixture
def pages(db):
    skill = SkillFactory(name="Negotiation")
    story = StoryFactory(title="Into finance", video=True, skills=[skill])
    return [
        "/",
        "/stories/",
        f"/stories/?skill={skill.slug}",
        story.get_absolute_url(),
        "/skills/",
        skill.get_absolute_url(),
        "/search/?q=finance",
        "/me/",
        "/me/plan/",
        "/collections/",
        "/guide/",
        "/insights/",
        "/admin/",
    ]


def assert_hardened(response, url: str) -> None:
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload", url
    assert headers["X-Content-Type-Options"] == "nosniff", url
    assert headers["Referrer-Policy"] == "same-origin", url
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin", url
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin", url
    assert headers["X-Frame-Options"] == "DENY", url
    csp = headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'", url
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'", url
    assert directives["base-uri"] == "'none'" and directives["form-action"] == "'self'", url
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
    # Django adds the nonce only to pages that used it; an inline script must carry that page's nonce.
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"])
    html = response.content.decode()
    for attributes in re.findall(r"<script\b([^>]*)>", html):
        assert "src=" in attributes or (nonce and f'nonce="{nonce[1]}"' in attributes), f"{url}: script, no nonce"
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), f"{url}: inline event handler"


def test_every_main_page_sends_the_security_headers(production, client, curator, pages):
    client.force_login(curator)
    for url in pages:
        response = client.get(url, **HTTPS)
        assert response.status_code == 200, url
        assert_hardened(response, url)


def test_the_login_page_and_its_cookies_are_hardened(production, client, curator):
    curator.set_password("a long passphrase")
    curator.save()
    response = client.get("/accounts/login/", **HTTPS)
    assert_hardened(response, "/accounts/login/")
    response = client.post("/accounts/login/", {"username": curator.username, "password": "a long passphrase"}, **HTTPS)
    assert response.status_code == 302
    session, csrf = response.cookies["sessionid"], client.cookies["csrftoken"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert csrf["secure"] and csrf["httponly"]
    assert session["max-age"] == django_settings.SESSION_COOKIE_AGE == 12 * 3600


def test_plain_http_is_redirected_to_https_but_the_health_check_is_not(production, client, db):
    response = client.get("/stories/")
    assert response.status_code == 301 and response["Location"] == "https://testserver/stories/"
    assert client.get(reverse("healthz")).status_code == 200


def test_media_may_be_loaded_by_the_portals_own_pages_only(production, client, employee):
    story = StoryFactory(video=True)
    client.force_login(employee)
    media = client.get(reverse("stories:media", args=[story.slug]), **HTTPS)
    assert media.status_code == 200
    assert media["Cross-Origin-Resource-Policy"] == "same-origin"
    assert client.get(reverse("healthz"))["Cross-Origin-Resource-Policy"] == "same-origin"


# The portal's own deployment checks.

SSO = {
    "OIDC_RP_CLIENT_ID": "career-stories",
    "OIDC_RP_CLIENT_SECRET": "secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example.com/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example.com/token",
    "OIDC_OP_USER_ENDPOINT": "https://idp.example.com/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://idp.example.com/jwks",
}


def portal_warnings(*, deploy: bool = True) -> dict[str, str]:
    """The portal's own checks' messages; only careerportal's, so that no model check needs the database."""
    only_ours = [apps.get_app_config("careerportal")]
    return {
        message.id: message.msg
        for message in run_checks(app_configs=only_ours, include_deployment_checks=deploy)
        if message.id.startswith("careerportal.")
    }


@pytest.mark.parametrize("configured", [[], list(SSO)])
def test_sso_set_up_fully_or_not_at_all_gets_no_warning(settings, configured):
    for name in SSO:
        setattr(settings, name, SSO[name] if name in configured else "")
    assert "careerportal.W001" not in portal_warnings()


@pytest.mark.parametrize("unset", [["OIDC_RP_CLIENT_ID"], ["OIDC_OP_JWKS_ENDPOINT", "OIDC_RP_CLIENT_SECRET"]])
def test_check_deploy_warns_when_sso_is_half_configured(settings, unset):
    for name, value in SSO.items():
        setattr(settings, name, "" if name in unset else value)
    warnings = portal_warnings()
    assert "careerportal.W001" in warnings
    assert all(name in warnings["careerportal.W001"] for name in unset)
    assert "careerportal.W001" not in portal_warnings(deploy=False)  # a deployment check only


def test_check_deploy_warns_when_https_has_no_client_address_header(settings):
    settings.PORTAL_HTTPS, settings.PORTAL_CLIENT_IP_HEADER = True, ""
    assert "careerportal.W002" in portal_warnings()
    settings.PORTAL_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert "careerportal.W002" not in portal_warnings()
    settings.PORTAL_HTTPS, settings.PORTAL_CLIENT_IP_HEADER = False, ""  # the embedded demo: no proxy
    assert "careerportal.W002" not in portal_warnings()


def test_check_deploy_names_the_half_configured_sso_in_a_real_environment(tmp_path):
    env = {**production_env(tmp_path), "OIDC_RP_CLIENT_ID": "", "PORTAL_CLIENT_IP_HEADER": ""}
    result = deploy_check(env)
    assert result.returncode != 0
    assert "careerportal.W001" in result.stderr and "careerportal.W002" in result.stderr

"""Logging in: local accounts with throttling of repeated failures, and single sign-on through OpenID Connect.

Throttling counts failed log-ins in the cache (shared by every node when REDIS_URL is set): after
PORTAL_LOGIN_FAILURES_PER_ACCOUNT failures for one username, or PORTAL_LOGIN_FAILURES_PER_ADDRESS from one
address, further attempts are refused without checking the password until PORTAL_LOGIN_LOCKOUT_MINUTES after the
first failure. A successful log-in clears the account's count (not the address's).
"""

import hashlib
import logging

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from stories.services import curators_group_ensure

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the header the proxy in front sets (PORTAL_CLIENT_IP_HEADER)."""
    header = settings.PORTAL_CLIENT_IP_HEADER
    if header:
        forwarded = request.META.get(header, "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


def _keys(request: HttpRequest | None, username: str) -> list[tuple[str, int]]:
    """The cache keys that count failures, each with its limit."""
    account = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    keys = [(f"login-failures:account:{account}", settings.PORTAL_LOGIN_FAILURES_PER_ACCOUNT)]
    if request is not None:
        keys.append((f"login-failures:address:{client_address(request)}", settings.PORTAL_LOGIN_FAILURES_PER_ADDRESS))
    return keys


def login_locked_out(request: HttpRequest | None, username: str) -> bool:
    counts = cache.get_many([key for key, _ in _keys(request, username)])
    return any(counts.get(key, 0) >= limit for key, limit in _keys(request, username))


def login_failure_record(request: HttpRequest | None, username: str) -> None:
    for key, _ in _keys(request, username):
        cache.add(key, 0, timeout=settings.PORTAL_LOGIN_LOCKOUT_MINUTES * 60)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr: this failure starts a new window
            cache.add(key, 1, timeout=settings.PORTAL_LOGIN_LOCKOUT_MINUTES * 60)


def login_success_record(username: str) -> None:
    cache.delete(_keys(None, username)[0][0])


class ThrottledLoginMixin:
    """For Django's authentication forms: refuses attempts while the account or address is locked out."""

    locked_out = False

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if login_locked_out(self.request, username):
            self.locked_out = True
            logger.warning("login refused: too many failures", extra={"address": client_address(self.request)})
            minutes = settings.PORTAL_LOGIN_LOCKOUT_MINUTES
            raise forms.ValidationError(
                f"Too many failed attempts to log in. For your safety, log-in is paused: try again in {minutes} "
                "minutes, or ask the IT service desk to reset your password.",
                code="locked_out",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(self.request, username)
            raise
        login_success_record(username)
        return cleaned


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["sso_name"] = settings.PORTAL_OIDC_PROVIDER_NAME if settings.OIDC_RP_CLIENT_ID else ""
        return context

    def form_invalid(self, form: LoginForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.locked_out:
            response.status_code = 429
        return response


class CompanyOIDCBackend(OIDCAuthenticationBackend):
    """Single sign-on: maps the identity provider's claims onto a local account (README, "Single sign-on").

    Used only when OIDC_RP_CLIENT_ID is set. The account is found by its username (PORTAL_OIDC_USERNAME_CLAIM,
    e.g. preferred_username or email), so people keep their toolkit if their email changes. Names and email follow
    the provider at every log-in; being in PORTAL_OIDC_CURATOR_GROUP (in the groups claim) makes a curator, and
    leaving it ends that.
    """

    def _username(self, claims: dict) -> str:
        return str(claims.get(settings.PORTAL_OIDC_USERNAME_CLAIM) or "").strip()[:150]

    def verify_claims(self, claims: dict) -> bool:
        return bool(self._username(claims))

    def filter_users_by_claims(self, claims: dict):
        return self.UserModel.objects.filter(username__iexact=self._username(claims))

    def create_user(self, claims: dict):
        user = self.UserModel(username=self._username(claims))
        user.set_unusable_password()
        return self.update_user(user, claims)

    def update_user(self, user, claims: dict):
        user.email = str(claims.get("email") or user.email)[:254]
        user.first_name = str(claims.get("given_name") or user.first_name)[:150]
        user.last_name = str(claims.get("family_name") or user.last_name)[:150]
        curator_group = settings.PORTAL_OIDC_CURATOR_GROUP
        is_curator = curator_group in (claims.get(settings.PORTAL_OIDC_GROUPS_CLAIM) or [])
        if curator_group:
            user.is_staff = is_curator or user.is_superuser
        user.save()
        if curator_group:
            curators = curators_group_ensure()
            (user.groups.add if is_curator else user.groups.remove)(curators)
        return user

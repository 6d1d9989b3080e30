"""Logging in: local accounts with throttling of repeated failures, and single sign-on through OpenID Connect.

Throttling counts attempts in the database (LoginThrottle: one row per account and per address, so every node
shares them): after PORTAL_LOGIN_FAILURES_PER_ACCOUNT failures for one username, or PORTAL_LOGIN_FAILURES_PER_ADDRESS
from one address, further attempts are refused without checking the password until PORTAL_LOGIN_LOCKOUT_MINUTES
after the first failure. Each attempt is counted before its password is checked, with one conditional UPDATE per
key, so concurrent attempts never get more passwords checked than the limit; a success then clears the account's
count and gives the address its attempt back.
"""

import functools
import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from careerportal.directory import KEEP, person_update
from careerportal.models import LoginThrottle, Notification
from careerportal.roles import curator_set, direct_reports, is_curator

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the header the proxy in front sets (PORTAL_CLIENT_IP_HEADER)."""
    header = settings.PORTAL_CLIENT_IP_HEADER
    if header:
        forwarded = request.META.get(header, "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _account_key(username: str) -> str:
    return f"account:{_digest(username.strip().lower())}"


def _address_key(request: HttpRequest) -> str:
    return f"address:{_digest(client_address(request))}"


def _reserve(key: str, *, limit: int, now: datetime, since: datetime) -> bool:
    """Counts one attempt under `key` unless it has had `limit` attempts in a window still running."""
    rows = LoginThrottle.objects.filter(key=key)
    if rows.filter(attempts__lt=limit, window_start__gt=since).update(attempts=F("attempts") + 1):
        return True
    if rows.filter(window_start__lte=since).update(attempts=1, window_start=now):  # a new window
        return True
    # No row yet (or one that a concurrent attempt has just made): make it, then count under it.
    LoginThrottle.objects.bulk_create([LoginThrottle(key=key, attempts=0, window_start=now)], ignore_conflicts=True)
    return bool(rows.filter(attempts__lt=limit, window_start__gt=since).update(attempts=F("attempts") + 1))


@transaction.atomic
def login_attempt_reserve(*, request: HttpRequest, username: str) -> bool:
    """Counts an attempt to log in, before its password is checked, under the account and the address.

    False, counting nothing, when either has reached its limit in a window that is still running. Each count is a
    conditional UPDATE, so concurrent attempts wait for each other's row and never pass the limit.
    """
    now = timezone.now()
    since = now - timedelta(minutes=settings.PORTAL_LOGIN_LOCKOUT_MINUTES)
    keys = [
        (_account_key(username), settings.PORTAL_LOGIN_FAILURES_PER_ACCOUNT),
        (_address_key(request), settings.PORTAL_LOGIN_FAILURES_PER_ADDRESS),
    ]  # always in this order, so that two attempts never wait for each other's rows
    if all(_reserve(key, limit=limit, now=now, since=since) for key, limit in keys):
        return True
    transaction.set_rollback(True)
    return False


def login_success_record(*, request: HttpRequest, username: str) -> None:
    """After a successful log-in: the account's failures are forgotten and the address gets its attempt back."""
    LoginThrottle.objects.filter(key=_account_key(username)).delete()
    address = LoginThrottle.objects.filter(key=_address_key(request))
    address.filter(attempts__gt=0).update(attempts=F("attempts") - 1)
    address.filter(attempts=0).delete()  # its window starts again at its next failure
    with transaction.atomic():  # prune: rows that a concurrent attempt holds are left for next time
        since = timezone.now() - timedelta(minutes=settings.PORTAL_LOGIN_LOCKOUT_MINUTES)
        expired = LoginThrottle.objects.filter(window_start__lte=since)
        pks = list(expired.select_for_update(skip_locked=True).values_list("pk", flat=True)[:1000])
        LoginThrottle.objects.filter(pk__in=pks).delete()


class ThrottledLoginMixin:
    """For Django's authentication forms: counts attempts, and refuses them while the account or address is locked."""

    locked_out = False

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # no password to check: nothing to count
        if not login_attempt_reserve(request=self.request, username=username):
            self.locked_out = True
            logger.warning("login refused: too many failures", extra={"address": client_address(self.request)})
            minutes = settings.PORTAL_LOGIN_LOCKOUT_MINUTES
            raise forms.ValidationError(
                f"Too many failed attempts to log in. For your safety, log-in is paused: try again in {minutes} "
                "minutes, or ask the IT service desk to reset your password.",
                code="locked_out",
            )
        cleaned = super().clean()  # a wrong password raises, and the attempt stays counted as a failure
        login_success_record(request=self.request, username=username)
        return cleaned


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Your username and password didn’t match. Please try again. Both may be case-sensitive.",
    }


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Enter the username and password of a curator's account. Both may be case-sensitive.",
    }

    def confirm_login_allowed(self, user) -> None:
        """Curators only (careerportal.roles), where Django's admin would let in any staff account."""
        AuthenticationForm.confirm_login_allowed(self, user)
        if not is_curator(user):
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


def too_many_requests_when_locked_out(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wraps a log-in view (the portal's, the admin's): a form refused by throttling answers 429 Too Many Requests."""

    @functools.wraps(view)
    def throttled_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if getattr(form, "locked_out", False):
            response.status_code = 429
        return response

    return throttled_view


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["sso_name"] = settings.PORTAL_OIDC_PROVIDER_NAME if settings.OIDC_RP_CLIENT_ID else ""
        return context


def with_session_facts(users: QuerySet) -> QuerySet:
    """Accounts with what pages show of them everywhere: `inbox_unread`, the count of their unread inbox items (the
    header), and `has_reports`, whether the directory names anyone as reporting to them (the toolkit's "My team")."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return users.annotate(
        inbox_unread=Coalesce(Subquery(unread), 0), has_reports=Exists(direct_reports(OuterRef("pk")))
    )


class SessionUserMixin:
    """The account of a logged-in request, read with its session facts in the same query (no query of their own on
    every page), and only while it is active: an account made inactive (left, deprovisioned) is logged out."""

    def get_user(self, user_id):
        user = with_session_facts(self.UserModel._default_manager).filter(pk=user_id).first()
        return user if user is not None and user.is_active else None


class AccountBackend(SessionUserMixin, ModelBackend):
    """Local accounts: username and password (ModelBackend), plus the session's account as SessionUserMixin reads it.

    Sessions from before this backend named Django's ModelBackend: their people log in once more."""

    @property
    def UserModel(self):  # noqa: N802 - ModelBackend reads the model from the module; the mixin from the backend
        return get_user_model()


class CompanyOIDCBackend(SessionUserMixin, OIDCAuthenticationBackend):
    """Single sign-on: maps the identity provider's claims onto a local account and its profile (README, "Single
    sign-on and provisioning").

    Used only when OIDC_RP_CLIENT_ID is set. The account is found by its username (PORTAL_OIDC_USERNAME_CLAIM,
    e.g. preferred_username or email), so people keep their toolkit if their email changes. Names and email follow
    the provider at every log-in; being in PORTAL_OIDC_CURATOR_GROUP (in the groups claim) makes a curator, and
    leaving it ends that. The directory's claims (PORTAL_OIDC_FUNCTION_CLAIM, _JOB_TITLE_CLAIM, _MANAGER_CLAIM) are
    optional: each one sent, and not empty, updates the profile (careerportal.directory.person_update).
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
        user.save()
        if curator_group := settings.PORTAL_OIDC_CURATOR_GROUP:
            curator_set(user=user, curator=curator_group in (claims.get(settings.PORTAL_OIDC_GROUPS_CLAIM) or []))
        person_update(
            user=user,
            job_title=self._claim(claims, settings.PORTAL_OIDC_JOB_TITLE_CLAIM),
            function=self._claim(claims, settings.PORTAL_OIDC_FUNCTION_CLAIM),
            manager=self._manager(claims, user),
            source="single sign-on",
        )
        return user

    def _claim(self, claims: dict, name: str) -> str | None:
        """A directory claim's text; None when the setting names no claim, or the token leaves it out or empty."""
        if not name or claims.get(name) is None:
            return None
        return str(claims[name]).strip() or None

    def _manager(self, claims: dict, user):
        """The account whose email the manager claim holds; KEEP (logged) when no account, or several, have it."""
        email = self._claim(claims, settings.PORTAL_OIDC_MANAGER_CLAIM)
        if email is None:
            return KEEP
        found = list(self.UserModel.objects.filter(email__iexact=email).exclude(pk=user.pk)[:2])
        if len(found) != 1:
            logger.warning(
                "single sign-on: %s accounts have the manager email %r of %s; the manager stays as it was",
                "no" if not found else "several", email, user.get_username(),
            )  # fmt: skip
            return KEEP
        return found[0]

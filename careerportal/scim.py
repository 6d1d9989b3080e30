"""SCIM 2.0 Users (RFC 7643 and 7644): the identity provider (Microsoft Entra ID, Okta) creates, updates and
deactivates accounts and their directory profiles (README, "Single sign-on and provisioning").

Off unless PORTAL_SCIM_TOKEN is set: without it every URL here is not found. With it, each request must carry the
token as `Authorization: Bearer …` (compared in constant time) or is refused with 401; no session, cookie or CSRF
token is read, so the token is the only way in. A user's `id` is the account's primary key.

What is mapped: userName → username, name.givenName and name.familyName, the primary (or first) email, title → job
title, externalId → employee ID, active, and the enterprise extension's department (one of stories' functions, by
name) and manager (another user's id). Attributes the portal does not keep are ignored. POST and PUT set what the
representation holds and keep what it leaves out; PATCH accepts add, replace and remove, with or without a path, as
Entra ID and Okta send them (`"active": "False"` included). Deactivating, or DELETE, marks the person as left through
the directory (careerportal.directory.people_mark_left): the account can no longer log in, its sessions end, and
nothing of theirs is deleted.
"""

import functools
import hmac
import json
import logging
import re
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from careerportal.directory import KEEP, people_mark_left, person_provision

logger = logging.getLogger(__name__)

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
CONTENT_TYPE = "application/scim+json"
MAX_COUNT = 200  # users in one page of a list
# The filters identity providers send to find an account before creating it: `userName eq "…"` (and externalId).
FILTER = re.compile(r'\s*(userName|externalId)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*', re.IGNORECASE)
SOURCE = "SCIM"
# SCIM's text attributes (lower case; the enterprise extension's as "enterprise:…") and the portal's names for them.
TEXT_ATTRIBUTES = {"username": "username", "name.givenname": "first_name", "name.familyname": "last_name",
                   "title": "job_title", "externalid": "employee_id", "enterprise:department": "function"}  # fmt: skip


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str = ""):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type

    def response(self) -> JsonResponse:
        body = {"schemas": [ERROR_SCHEMA], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return _json(body, status=self.status)


def _json(body: dict, *, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE)


def scim_endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Bearer token only (never a session), no CSRF token (an identity provider has none), not found while
    PORTAL_SCIM_TOKEN is unset, never stored by a cache; a ScimError becomes SCIM's error body."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        token = settings.PORTAL_SCIM_TOKEN
        if not token:
            raise Http404("Provisioning is not configured.")
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            response = ScimError(401, "A valid bearer token is required.").response()
            response["WWW-Authenticate"] = 'Bearer realm="scim"'
            return response
        try:
            return view(request, *args, **kwargs)
        except ScimError as error:
            return error.response()

    return csrf_exempt(login_not_required(never_cache(wrapper)))


# Reading the identity provider's representation into the account's values


class ScimUserForm(forms.Form):
    """The account's own values, after a request's changes, checked as a log-in form would check them."""

    username = forms.CharField(max_length=150)
    email = forms.EmailField(max_length=254, required=False)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    job_title = forms.CharField(max_length=200, required=False)
    employee_id = forms.CharField(max_length=64, required=False)


def _body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ScimError(400, "The body is not JSON.", "invalidSyntax") from None
    if not isinstance(body, dict):
        raise ScimError(400, "The body must be a JSON object.", "invalidSyntax")
    return body


def _from_resource(resource: dict) -> dict:
    """The values a User representation (POST, PUT) holds, by the portal's names."""
    changes: dict = {}
    for name, value in resource.items():
        _set(changes, name, value)
    return changes


def _from_patch(body: dict) -> dict:
    """The values a PatchOp request changes, by the portal's names; a removed value is None."""
    operations = body.get("Operations")
    if not isinstance(operations, list):
        raise ScimError(400, "A PATCH needs a list of Operations.", "invalidSyntax")
    changes: dict = {}
    for operation in operations:
        kind = str(operation.get("op", "")).lower() if isinstance(operation, dict) else ""
        if kind not in {"add", "replace", "remove"}:
            raise ScimError(400, "Each operation's op must be add, replace or remove.", "invalidSyntax")
        target = operation.get("path")
        if target:
            _set(changes, str(target), None if kind == "remove" else operation.get("value"))
        elif kind == "remove":
            raise ScimError(400, "A remove operation needs a path.", "noTarget")
        else:
            for name, value in _object(operation.get("value")).items():
                _set(changes, name, value)
    return changes


def _set(changes: dict, name: str, value) -> None:
    """One attribute, by its SCIM path in any case (the enterprise extension's behind its URN), onto `changes`."""
    key = name.strip().lower()
    if key.startswith(ENTERPRISE_SCHEMA.lower()):
        rest = name.strip()[len(ENTERPRISE_SCHEMA) :].lstrip(":.")
        if not rest:  # the extension as one object
            for part, item in _object(value).items():
                _set(changes, f"{ENTERPRISE_SCHEMA}:{part}", item)
            return
        key = f"enterprise:{rest.lower()}"
    if key == "name":
        for part, item in _object(value).items():
            _set(changes, f"name.{part}", item)
    elif key == "emails":
        changes["email"] = _email(value)
    elif key.startswith("emails[") and key.endswith("].value"):  # Entra ID: emails[type eq "work"].value
        changes["email"] = _text(value)
    elif key == "active":
        changes["active"] = _boolean(value)
    elif key == "enterprise:manager":
        changes["manager"] = value.get("value") if isinstance(value, dict) else value
    elif key in TEXT_ATTRIBUTES:
        changes[TEXT_ATTRIBUTES[key]] = _text(value)
    # Anything else (displayName, phone numbers, addresses, …) is not kept by the portal.


def _object(value) -> dict:
    if not isinstance(value, dict):
        raise ScimError(400, "The value must be a JSON object.", "invalidValue")
    return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list | bool):
        raise ScimError(400, f"Expected a string, not {json.dumps(value)[:80]}.", "invalidValue")
    return str(value).strip()


def _email(value) -> str:
    """The primary email of a list of them, or the first."""
    if value is None:
        return ""
    if not isinstance(value, list):
        raise ScimError(400, "emails must be a list.", "invalidValue")
    emails = [item for item in value if isinstance(item, dict)]
    primary = [item for item in emails if item.get("primary") in (True, "true", "True")]
    return _text((primary or emails or [{}])[0].get("value"))


def _boolean(value) -> bool:
    """A JSON boolean, or the string Entra ID sends ("True", "False")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise ScimError(400, f"active must be true or false, not {json.dumps(value)[:80]}.", "invalidValue")


# Writing


def _users():
    return get_user_model().objects.select_related("profile__function", "profile__manager")


def _get_user(scim_id: str):
    """The account with this SCIM id; 404 in SCIM's words for any other id (the validators send random GUIDs)."""
    user = _users().filter(pk=int(scim_id)).first() if scim_id.isdigit() else None
    if user is None:
        raise ScimError(404, f"No user has the id {scim_id[:80]}.")
    return user


def _save(request: HttpRequest, *, changes: dict, user=None) -> HttpResponse:
    """Creates (without `user`) or updates an account with `changes`, or says why not."""
    profile = getattr(user, "profile", None) if user else None
    current = {"username": "", "email": "", "first_name": "", "last_name": "", "job_title": "", "employee_id": ""}
    if user is not None:
        current.update(username=user.username, email=user.email, first_name=user.first_name, last_name=user.last_name)
        current.update(
            job_title=profile.job_title if profile else "", employee_id=profile.employee_id if profile else ""
        )
    form = ScimUserForm({**current, **{name: value for name, value in changes.items() if name in current}})
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        raise ScimError(400, problems, "invalidValue")
    values = form.cleaned_data
    _check_unique(user, values)
    try:
        saved = person_provision(
            user=user,
            username=values["username"],
            email=values["email"],
            first_name=values["first_name"],
            last_name=values["last_name"],
            active=changes.get("active"),
            job_title=values["job_title"] if "job_title" in changes else None,
            function=changes.get("function"),
            manager=_manager(changes, user) if "manager" in changes else KEEP,
            employee_id=values["employee_id"] if "employee_id" in changes else None,
            source=SOURCE,
        )
    except IntegrityError:  # another request took the name or employee ID meanwhile
        raise ScimError(409, "Another user has this userName or externalId.", "uniqueness") from None
    except ValidationError as error:
        raise ScimError(400, " ".join(error.messages), "invalidValue") from None
    saved = _users().get(pk=saved.pk)
    response = _json(_resource(request, saved), status=201 if user is None else 200)
    if user is None:
        response["Location"] = _location(request, saved)
    return response


def _check_unique(user, values: dict) -> None:
    others = get_user_model().objects.exclude(pk=user.pk) if user else get_user_model().objects.all()
    if others.filter(username__iexact=values["username"]).exists():
        raise ScimError(409, f"A user with the userName {values['username']} already exists.", "uniqueness")
    if values["employee_id"] and others.filter(profile__employee_id=values["employee_id"]).exists():
        raise ScimError(409, f"A user with the externalId {values['employee_id']} already exists.", "uniqueness")


def _manager(changes: dict, user):
    """The account a manager id names; None to clear it; KEEP (logged) for an id of nobody."""
    scim_id = _text(changes["manager"])
    if not scim_id:
        return None
    manager = get_user_model().objects.filter(pk=int(scim_id)).first() if scim_id.isdigit() else None
    if manager is None:
        name = user.get_username() if user else changes.get("username")
        logger.warning("SCIM: no user has the manager id %r of %s; the manager stays as it was", scim_id, name)
        return KEEP
    return manager


# Reading


def _location(request: HttpRequest, user) -> str:
    return request.build_absolute_uri(reverse("scim:user", args=[user.pk]))


def _resource(request: HttpRequest, user) -> dict:
    profile = getattr(user, "profile", None)
    resource = {
        "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
        "id": str(user.pk),
        "userName": user.username,
        "name": {"givenName": user.first_name, "familyName": user.last_name, "formatted": user.get_full_name()},
        "displayName": user.get_full_name() or user.username,
        "emails": [{"value": user.email, "type": "work", "primary": True}] if user.email else [],
        "active": user.is_active,
        "meta": {"resourceType": "User", "created": user.date_joined.isoformat(), "location": _location(request, user)},
    }
    if profile is None:
        return resource
    if profile.employee_id:
        resource["externalId"] = profile.employee_id
    if profile.job_title:
        resource["title"] = profile.job_title
    enterprise = {}
    if profile.function:
        enterprise["department"] = profile.function.name
    if profile.manager:
        manager = profile.manager
        enterprise["manager"] = {"value": str(manager.pk), "displayName": manager.get_full_name() or manager.username}
    if enterprise:
        resource[ENTERPRISE_SCHEMA] = enterprise
    return resource


def _number(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name, "")
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ScimError(400, f"{name} must be a whole number.", "invalidValue") from None


def _list(request: HttpRequest) -> HttpResponse:
    users = _users().order_by("pk")
    if query := request.GET.get("filter", "").strip():
        match = FILTER.fullmatch(query)
        if match is None:
            raise ScimError(400, 'Filter by userName eq "…" or externalId eq "…".', "invalidFilter")
        value = re.sub(r"\\(.)", r"\1", match[2])
        if match[1].lower() == "username":
            users = users.filter(username__iexact=value)
        else:
            users = users.filter(profile__employee_id=value)
    start = max(_number(request, "startIndex", 1), 1)
    count = min(max(_number(request, "count", MAX_COUNT), 0), MAX_COUNT)
    page = list(users[start - 1 : start - 1 + count])
    return _json(
        {
            "schemas": [LIST_SCHEMA],
            "totalResults": users.count(),
            "startIndex": start,
            "itemsPerPage": len(page),
            "Resources": [_resource(request, user) for user in page],
        }
    )


# Views


@scim_endpoint
@require_http_methods(["GET", "POST"])
def users(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        changes = _from_resource(_body(request))
        if not changes.get("username"):
            raise ScimError(400, "userName is required.", "invalidValue")
        return _save(request, changes=changes)
    return _list(request)


@scim_endpoint
@require_http_methods(["GET", "PUT", "PATCH", "DELETE"])
def user(request: HttpRequest, scim_id: str) -> HttpResponse:
    account = _get_user(scim_id)
    if request.method == "GET":
        return _json(_resource(request, account))
    if request.method == "DELETE":  # nothing of a person's is deleted: they are marked as left
        people_mark_left(user_ids=[account.pk])
        return HttpResponse(status=204)
    changes = _from_resource(_body(request)) if request.method == "PUT" else _from_patch(_body(request))
    return _save(request, changes=changes, user=account)


urlpatterns = [
    path("Users", users, name="users"),
    path("Users/<str:scim_id>", user, name="user"),
]

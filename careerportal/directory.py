"""The company directory, loaded from the HR system's export: parse the file, plan what it changes, apply the plan.

`parse_people_file` reads the export (CSV or XLSX, careerportal.spreadsheets) and checks what the file alone can
tell: required values, `active` cells, duplicate employee IDs and emails, managers missing from the file and loops
of managers. It never touches the database. `directory_plan` matches each row to an account (by employee ID, then
by email, among the accounts the directory does not manage yet) and says what would be added, changed, moved to
another manager and marked as left, or why nothing can be; `directory_import` applies a plan in one transaction.
A file with any problem changes nothing. People the file no longer lists are marked as left, never deleted.
"""

import datetime
import enum
import hashlib
import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from importlib import import_module
from typing import BinaryIO

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from careerportal.models import Profile
from careerportal.spreadsheets import Columns, Problem, Unreadable, capped, loops, open_rows
from stories.models import Function, Level

COLUMNS = (
    "employee_id",
    "email",
    "first_name",
    "last_name",
    "job_title",
    "function",
    "level",
    "manager_email",
    "location",
    "active",
)
MAX_ROWS = 200_000
EXAMPLES = 5
BATCH = 1000
ACTIVE_VALUES = {"true": True, "yes": True, "1": True, "active": True,
                 "false": False, "no": False, "0": False, "inactive": False, "left": False}  # fmt: skip
# What the file sets on an account and on its profile (the manager is compared and set apart, by person).
USER_FIELDS = ("email", "first_name", "last_name", "is_active")
PROFILE_FIELDS = ("employee_id", "job_title", "function_id", "level_id", "location", "left_on")
# An admin preview's upload is kept in the default storage until it is confirmed or cancelled, PREVIEW_LIFETIME at
# most: each new preview deletes the expired ones (as the framework import's previews, skills.services).
PREVIEW_DIR = "people-imports"
PREVIEW_LIFETIME = datetime.timedelta(hours=24)
logger = logging.getLogger(__name__)
PREVIEW_TOKEN = re.compile(r"[0-9a-f]{32}")
IMPORT_LOCK = 0x6469726563746F72  # PostgreSQL's advisory lock that queues imports ("director" in ASCII)
_LIMITS = {"employee_id": 64, "email": 254, "first_name": 150, "last_name": 150, "job_title": 200, "location": 200}
# Sent, inside the transaction, when people leave (people_mark_left, an import, SCIM), with
# `user_ids`, their accounts: apps close what others can no longer expect of them (the reflection toolkit closes the
# requests colleagues made of a storyteller who left).
people_left = Signal()


@dataclass
class Person:
    """One row of the export, its values cleaned; `email` and `manager_email` are lower case."""

    row: int
    employee_id: str
    email: str
    first_name: str
    last_name: str
    job_title: str
    function: str
    level: str
    manager_email: str
    location: str
    active: bool

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip() or self.email
        return f"{name} ({self.employee_id})"


@dataclass
class ParsedPeople:
    people: list[Person] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    encoding: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def add_problem(self, row: int | None, message: str) -> None:
        self.problems.append(Problem(row, message))


@dataclass
class DirectoryPlan:
    """What an import changes (or, for a dry run or a preview, would change), or why it changes nothing.

    Each person is counted once: added, changed (their details, perhaps their manager too), moved (only their
    manager changed), marked as left (the file says they are not active, or no longer lists them) or unchanged.
    `entries` pairs each row with its account (None for a new one), for `directory_import`."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    unchanged: int = 0
    encoding: str = ""
    problems: list[Problem] = field(default_factory=list)
    entries: list[tuple[Person, object]] = field(default_factory=list, repr=False)
    missing: list = field(default_factory=list, repr=False)  # accounts no longer listed, still active
    functions: dict[str, Function] = field(default_factory=dict, repr=False)
    levels: dict[str, Level] = field(default_factory=dict, repr=False)
    applied: bool = False
    stale: bool = False  # the directory changed since the preview this import confirms: nothing was applied

    @property
    def ok(self) -> bool:
        return not self.problems

    def fingerprint(self) -> str:
        """Names every change this plan makes: a confirmation applies the plan only while it still says the same."""
        changes = [self.added, self.changed, self.moved, self.left]
        return hashlib.sha256(json.dumps(changes).encode()).hexdigest()

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.changed) + len(self.moved) + len(self.left)

    def sections(self) -> list[tuple[str, int, list[str]]]:
        """(label, count, first examples) for each kind of change, for previews and command output."""
        return [
            ("added", len(self.added), self.added[:EXAMPLES]),
            ("changed", len(self.changed), self.changed[:EXAMPLES]),
            ("moved to another manager", len(self.moved), self.moved[:EXAMPLES]),
            ("marked as left", len(self.left), self.left[:EXAMPLES]),
        ]


# Parsing


def parse_people_file(file: BinaryIO, *, max_bytes: int | None = None) -> ParsedPeople:
    """Reads an HR export (CSV or XLSX, seekable) and reports every problem the file alone shows."""
    result = ParsedPeople()
    try:
        with open_rows(file, max_bytes=max_bytes, max_rows=MAX_ROWS) as (rows, encoding):
            result.encoding = encoding
            first = next(rows, None)
            if first is None:
                raise Unreadable("The file is empty.")
            columns = Columns(first[1])
            missing = [name for name in COLUMNS if not columns.has(name.replace("_", ""))]
            if missing:
                raise Unreadable(
                    f"The file is missing columns: {', '.join(missing)}. It needs {', '.join(COLUMNS)}; "
                    f"columns found: {columns.found()}."
                )
            for row, cells in rows:
                values = {name: columns.value(cells, name.replace("_", "")) for name in COLUMNS}
                result.people.append(_person(result, row, values))
    except Unreadable as error:
        result.add_problem(None, str(error))
    if result.ok and not result.people:
        result.add_problem(None, "The file has a header row but no people under it.")
    if result.people:
        _check_people(result)
    result.problems = capped(result.problems)
    return result


def _person(result: ParsedPeople, row: int, values: dict[str, str]) -> Person:
    for name in ("employee_id", "email"):
        if not values[name]:
            result.add_problem(row, f"{name} is empty; fill it in or delete the row.")
    for name in ("email", "manager_email"):
        values[name] = values[name].lower()
        if values[name]:
            try:
                validate_email(values[name])
            except ValidationError:
                result.add_problem(row, f"{name} “{_preview(values[name])}” is not an email address.")
    for name, limit in _LIMITS.items():
        if len(values[name]) > limit:
            result.add_problem(row, f"{name} is {len(values[name]):,} characters long; the limit is {limit}.")
    active = ACTIVE_VALUES.get(values["active"].lower())
    if active is None:
        result.add_problem(
            row, f"active is “{_preview(values['active'])}”; write true or false (yes/no and 1/0 are read too)."
        )
    # A row with problems still takes part in the checks across rows (duplicates, managers); the file is refused.
    return Person(row=row, **{**values, "active": active is not False})


def _check_people(result: ParsedPeople) -> None:
    """Duplicate employee IDs and emails, managers the file does not list, and loops of managers."""
    by_id: dict[str, Person] = {}
    by_email: dict[str, Person] = {}
    for person in result.people:
        for key, seen, what in ((person.employee_id, by_id, "employee_id"), (person.email, by_email, "email")):
            if key in seen:
                result.add_problem(
                    person.row, f"{what} “{key}” is also on row {seen[key].row}; give each person one row."
                )
            else:
                seen[key] = person
    for person in result.people:
        if person.manager_email and person.manager_email not in by_email:
            result.add_problem(
                person.row,
                f"manager_email “{person.manager_email}” is nobody's email in the file; "
                "add their manager's row, or correct or empty the cell.",
            )
    managers = {
        person.email: person.manager_email
        for person in by_email.values()
        if person.manager_email and person.manager_email in by_email
    }
    for loop in loops(managers):
        people = sorted((by_email[email] for email in loop), key=lambda person: person.row)
        if len(loop) == 1:
            message = f"{people[0].email} is their own manager. Correct their manager_email."
        else:
            chain = ", who reports to ".join(f"{email} (row {by_email[email].row})" for email in [*loop, loop[0]])
            message = (
                f"the managers go round in a loop: {chain}. Change one of these manager_email cells to break the loop."
            )
        result.add_problem(people[0].row, message)


# Planning and applying


def directory_plan(*, parsed: ParsedPeople) -> DirectoryPlan:
    """Matches each person of a problem-free file to an account and says what importing it would change."""
    plan = DirectoryPlan(encoding=parsed.encoding, problems=list(parsed.problems))
    if not plan.ok:
        return plan
    plan.functions = _by_name_or_slug(Function.objects.all())
    plan.levels = _by_name_or_slug(Level.objects.all())
    for person in parsed.people:
        for value, known, what in ((person.function, plan.functions, "function"), (person.level, plan.levels, "level")):
            if value and value.lower() not in known:
                names = ", ".join(sorted({str(item) for item in known.values()})) or "none yet"
                plan.problems.append(
                    Problem(person.row, f"{what} “{_preview(value)}” is not one of the portal's: {names}.")
                )
    users = list(get_user_model().objects.select_related("profile"))
    by_employee_id = {user.profile.employee_id: user for user in users if _employee_id(user)}
    by_email: dict[str, list] = {}
    by_username = {user.get_username().lower(): user for user in users}
    for user in users:
        if user.email:
            by_email.setdefault(user.email.lower(), []).append(user)
    listed = {person.employee_id for person in parsed.people}
    for person in parsed.people:
        user = by_employee_id.get(person.employee_id)
        if user is None:
            same_email = by_email.get(person.email, [])
            user = _match_by_email(plan, person, same_email, listed)
            if not same_email and person.email in by_username:
                plan.problems.append(
                    Problem(
                        person.row,
                        f"a different account already has the username “{person.email}”; ask an administrator.",
                    )
                )
        plan.entries.append((person, user))
    if not plan.ok:
        plan.problems = capped(plan.problems)
        plan.entries = []
        return plan
    plan.missing = [
        user
        for user in users
        if _employee_id(user) and _employee_id(user) not in listed and (user.profile.left_on is None or user.is_active)
    ]
    _describe(plan)
    return plan


def _employee_id(user) -> str:
    profile = getattr(user, "profile", None)  # a reverse one-to-one raises when missing; select_related caches None
    return profile.employee_id if profile else ""


def _match_by_email(plan: DirectoryPlan, person: Person, users: list, listed: set[str]):
    """The one account with this email that the directory does not manage yet. An account that belongs to another
    employee ID is never handed to someone else: the email may have been given to a new person."""
    if not users:
        return None
    if len(users) > 1:
        plan.problems.append(
            Problem(
                person.row, f"{len(users)} accounts have the email {person.email}; ask an administrator to merge them."
            )
        )
        return None
    owner = _employee_id(users[0])
    if owner:
        plan.problems.append(
            Problem(
                person.row,
                f"the account with the email {person.email} belongs to employee ID “{owner}”"
                + (" (listed on another row)" if owner in listed else "")
                + "; correct the email or the employee_id.",
            )
        )
        return None
    return users[0]


def _by_name_or_slug(queryset) -> dict:
    """Functions or levels by their name and their slug, in lower case ("People and HR" or "people")."""
    found = {}
    for item in queryset:
        found[item.slug.lower()] = item
        found[item.name.lower()] = item
    return found


def _target(plan: DirectoryPlan, person: Person, left_on: datetime.date | None) -> tuple[dict, dict]:
    """What the file says the account and its profile should hold (the manager apart)."""
    function = plan.functions.get(person.function.lower()) if person.function else None
    level = plan.levels.get(person.level.lower()) if person.level else None
    user = {"email": person.email, "first_name": person.first_name, "last_name": person.last_name,
            "is_active": person.active}  # fmt: skip
    profile = {
        "employee_id": person.employee_id,
        "job_title": person.job_title,
        "function_id": function.pk if function else None,
        "level_id": level.pk if level else None,
        "location": person.location,
        "left_on": None if person.active else (left_on or timezone.localdate()),
    }
    return user, profile


def _describe(plan: DirectoryPlan) -> None:
    accounts = {person.email: user for person, user in plan.entries}
    for person, user in plan.entries:
        if user is None:
            plan.added.append(str(person))
            continue
        profile = getattr(user, "profile", None)
        wanted_user, wanted_profile = _target(plan, person, profile.left_on if profile else None)
        manager = accounts.get(person.manager_email)
        moved = (person.manager_email and manager is None) or (manager.pk if manager else None) != getattr(
            profile, "manager_id", None
        )
        if not person.active and (profile is None or profile.left_on is None or user.is_active):
            plan.left.append(str(person))
        elif profile is None or _differs(user, wanted_user) or _differs(profile, wanted_profile):
            plan.changed.append(str(person))
        elif moved:
            plan.moved.append(f"{person}, to {person.manager_email or 'no manager'}")
        else:
            plan.unchanged += 1
    plan.left.extend(f"{_name(user)} ({user.profile.employee_id}), no longer in the file" for user in plan.missing)


def _differs(instance, values: dict) -> bool:
    return any(getattr(instance, name) != value for name, value in values.items())


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def directory_import(*, parsed: ParsedPeople, dry_run: bool = False, expected: str | None = None) -> DirectoryPlan:
    """Plans the import of a parsed HR export and, unless `dry_run` or the plan has problems, applies all of it.

    With `expected` (a previewed plan's fingerprint) it applies nothing unless the plan is still the one previewed:
    the directory may have changed since, or the same confirmation may arrive twice (it then finds nothing to do)."""
    if not dry_run:
        _one_import_at_a_time()
    plan = directory_plan(parsed=parsed)
    if expected is not None and plan.ok and plan.fingerprint() != expected:
        plan.stale = True
    elif plan.ok and not dry_run and plan.changes:
        _apply(plan)
        plan.applied = True
    return plan


def _one_import_at_a_time() -> None:
    """Makes a concurrent import wait until this transaction ends, so that it plans against what this one wrote. On
    SQLite every write transaction already waits for the one before (IMMEDIATE, careerportal.settings)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])


def _apply(plan: DirectoryPlan) -> None:
    """Writes a plan in a few bulk statements: new accounts first (their ids are the new people's managers'), then
    only the accounts and profiles whose values differ."""
    User = get_user_model()
    new = [
        User(username=person.email, password=make_password(None), **_target(plan, person, None)[0])
        for person, user in plan.entries
        if user is None
    ]
    User.objects.bulk_create(new, batch_size=BATCH)
    created = iter(new)
    entries = [(person, user or next(created), user is None) for person, user in plan.entries]
    account_ids = {person.email: user.pk for person, user, _is_new in entries}
    users, profiles, new_profiles, leaving = [], [], [], []
    for person, user, is_new in entries:
        profile = None if is_new else getattr(user, "profile", None)
        wanted_user, wanted_profile = _target(plan, person, profile.left_on if profile else None)
        wanted_profile["manager_id"] = account_ids.get(person.manager_email)
        if not is_new and user.is_active and not person.active:
            leaving.append(user.pk)
        if profile is None:
            new_profiles.append(Profile(user=user, **wanted_profile))
        elif _differs(profile, wanted_profile):
            profiles.append(_assigned(profile, wanted_profile))
        if not is_new and _differs(user, wanted_user):
            users.append(_assigned(user, wanted_user))
    User.objects.bulk_update(users, USER_FIELDS, batch_size=BATCH)
    Profile.objects.bulk_create(new_profiles, batch_size=BATCH)
    Profile.objects.bulk_update(profiles, [*PROFILE_FIELDS, "manager_id"], batch_size=BATCH)
    _left(user_ids=leaving)  # the file itself says they left
    if plan.missing:
        people_mark_left(user_ids=[user.pk for user in plan.missing])


@transaction.atomic
def people_mark_left(*, user_ids: list[int], on: datetime.date | None = None) -> int:
    """Marks these accounts' people as left: the profile's `left_on` (kept where already set) and the account's
    `is_active` change together, so that whoever left can no longer log in, and their sessions end. Their data stays.
    Returns how many accounts were still active."""
    on = on or timezone.localdate()
    deactivated = 0
    for start in range(0, len(user_ids), BATCH):
        batch = user_ids[start : start + BATCH]
        deactivated += get_user_model().objects.filter(pk__in=batch, is_active=True).update(is_active=False)
        Profile.objects.filter(user_id__in=batch, left_on=None).update(left_on=on)
    _left(user_ids=user_ids)
    return deactivated


def _left(*, user_ids: list[int]) -> None:
    """What follows from people leaving: their sessions end, so that their browsers are logged out at their next
    request, and the apps hear of it (`people_left`). Sessions do not index their account, so each live one is read
    (once for all accounts); it is deleted through the session engine, which also drops the copy that `cached_db`
    keeps in the cache."""
    if not user_ids:
        return
    people_left.send(sender=Profile, user_ids=user_ids)
    wanted = {str(pk) for pk in user_ids}
    store = import_module(settings.SESSION_ENGINE).SessionStore
    live = Session.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data")
    for session in live.iterator(chunk_size=BATCH):
        if str(session.get_decoded().get(SESSION_KEY)) in wanted:
            store(session_key=session.session_key).delete()


# What the identity provider says of one person: a log-in's claims (careerportal.auth) or a SCIM request
# (careerportal.scim)


class Keep(enum.Enum):
    """For a value the identity provider did not send: the profile keeps what it has."""

    KEEP = "keep"


KEEP = Keep.KEEP


@transaction.atomic
def person_update(
    *,
    user,
    job_title: str | None = None,
    function: str | None = None,
    manager=KEEP,
    employee_id: str | None = None,
    source: str,
) -> Profile:
    """Sets what the identity provider (`source`, for the log) says of a person on their profile, made if missing.

    None (KEEP for the manager) keeps a value. `function` names one of stories' functions, by name or slug in any
    case ("" clears it); a name the portal does not know is logged and the profile keeps its function: functions are
    curated, never made by a log-in. A manager who is the person, or who reports to them however indirectly, is
    logged and the profile keeps its manager (None clears it)."""
    profile = Profile.objects.get_or_create(user=user)[0]
    if job_title is not None:
        profile.job_title = job_title[:200]
    if employee_id is not None:
        profile.employee_id = employee_id[:64]
    if function == "":
        profile.function = None
    elif function is not None:
        found = Function.objects.filter(Q(name__iexact=function) | Q(slug__iexact=function)).first()
        if found is None:
            logger.warning(
                "%s: function %r is not one of the portal's; %s keeps their function",
                source, function, user.get_username(),
            )  # fmt: skip
        else:
            profile.function = found
    if manager is not KEEP:
        if manager is not None and _reports_to(manager, user):
            logger.warning(
                "%s: %s cannot manage %s, who is above them; the manager stays as it was",
                source, manager.get_username(), user.get_username(),
            )  # fmt: skip
        else:
            profile.manager = manager
    profile.full_clean(validate_constraints=False)  # a taken employee ID: the database's IntegrityError
    profile.save()
    return profile


@transaction.atomic
def person_provision(
    *,
    user=None,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    active: bool | None = None,
    job_title: str | None = None,
    function: str | None = None,
    manager=KEEP,
    employee_id: str | None = None,
    source: str,
):
    """Creates (without `user`) or updates an account as the identity provider says, with its profile
    (person_update). `active` False marks the person as left (people_mark_left: their sessions end), True brings
    back someone who left, None keeps it (a new account is active). Returns the account. A username or employee ID
    that another account has raises IntegrityError: the caller checks them first (in any case), and the database
    settles a race."""
    if user is None:
        user = get_user_model()(password=make_password(None))
    user.username, user.email, user.first_name, user.last_name = username, email, first_name, last_name
    if active:
        user.is_active = True
    user.full_clean(validate_unique=False)  # a taken username: the database's IntegrityError, as for the profile
    user.save()
    profile = person_update(
        user=user, job_title=job_title, function=function, manager=manager, employee_id=employee_id, source=source
    )
    if active and profile.left_on is not None:
        profile.left_on = None
        profile.save(update_fields=["left_on"])
    if active is False:
        people_mark_left(user_ids=[user.pk])
        user.refresh_from_db(fields=["is_active"])
    return user


def _reports_to(person, boss) -> bool:
    """Whether `person` is `boss` or reports to them, directly or not (a chain of managers, each one query)."""
    seen: set[int] = set()
    current = person.pk
    while current is not None and current not in seen:
        if current == boss.pk:
            return True
        seen.add(current)
        current = Profile.objects.filter(user_id=current).values_list("manager_id", flat=True).first()
    return False


def _assigned(instance, values: dict):
    for name, value in values.items():
        setattr(instance, name, value)
    return instance


# Previews in the admin: the uploaded file is kept between the preview and its confirmation


def people_preview_keep(*, file) -> str:
    """Keeps a previewed upload until it is confirmed or cancelled; returns the preview's token. Deletes the files
    of the previews that expired first, so that unconfirmed uploads do not pile up."""
    try:
        names = default_storage.listdir(PREVIEW_DIR)[1]
    except FileNotFoundError:
        names = []
    for name in names:
        if _preview_expired(f"{PREVIEW_DIR}/{name}"):
            default_storage.delete(f"{PREVIEW_DIR}/{name}")
    token = uuid.uuid4().hex
    default_storage.save(f"{PREVIEW_DIR}/{token}", file)
    return token


def people_preview_file(token: str) -> str | None:
    """The storage name of a live preview's file; None once it expired, was confirmed or was cancelled."""
    name = f"{PREVIEW_DIR}/{token}"
    if not PREVIEW_TOKEN.fullmatch(token) or _preview_expired(name):
        return None
    return name


def people_preview_discard(*, token: str) -> None:
    if PREVIEW_TOKEN.fullmatch(token):
        default_storage.delete(f"{PREVIEW_DIR}/{token}")


def _preview_expired(name: str) -> bool:
    try:
        modified = default_storage.get_modified_time(name)
    except FileNotFoundError:
        return True
    return modified < timezone.now() - PREVIEW_LIFETIME


# Small helpers


def _preview(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"

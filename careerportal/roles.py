"""Who may do what. The one place that says who is a curator: views, templates (`{{ is_curator }}`), the admin,
single sign-on and the demo ask or change it here, never by their own test of flags or permissions. And the one place
that says whom a manager manages (`direct_reports`): the directory's word, not anyone's own claim.

A curator is a staff account that is in the Curators group, or a superuser with staff status. Staff status alone
(without the group) makes nobody a curator. Curators use the curation admin, preview unpublished stories and
storytellers without consent, and read the insight pages; what they may change inside the admin is the Curators
group's permissions, which `curators_group_ensure` keeps at exactly CURATOR_PERMISSIONS.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q, QuerySet

CURATORS_GROUP = "Curators"

# What curation needs and nothing more: stories and storytellers in full, the framework to read and pick from.
CURATOR_PERMISSIONS = {
    "stories": [
        "add_story", "change_story", "delete_story", "view_story", "publish_story",
        "add_storyteller", "change_storyteller", "view_storyteller",
        "add_careermove", "change_careermove", "delete_careermove", "view_careermove",
        "add_function", "change_function", "view_function",
        "add_level", "change_level", "view_level",
        "add_taggedstory", "change_taggedstory", "delete_taggedstory", "view_taggedstory",
        "view_collection", "change_collection",
        "view_storyevent",
        "view_opportunity", "change_opportunity", "view_taggedopportunity", "view_opportunityevent",
    ],
    "skills": [
        "view_framework", "add_framework", "change_framework", "import_framework",
        "view_skill", "change_skill",
        "view_proficiencylevel", "add_proficiencylevel", "change_proficiencylevel", "delete_proficiencylevel",
    ],
    # The company directory: its import and marking people as left (careerportal.directory_admin).
    "careerportal": ["view_profile", "change_profile"],
}  # fmt: skip


def is_curator(user) -> bool:
    """Whether this user (anonymous included) is a curator. Free for everyone who is not staff; one query for staff,
    remembered on the user object for the rest of the request."""
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_is_curator"):
        user._is_curator = user.groups.filter(name=CURATORS_GROUP).exists()
    return user._is_curator


def is_manager(user) -> bool:
    """Whether the directory lists someone still here whose manager is this user. One query, remembered on the user
    object for the rest of the request."""
    if not (user.is_authenticated and user.is_active):
        return False
    if not hasattr(user, "_is_manager"):
        user._is_manager = user.direct_reports.filter(left_on__isnull=True).exists()
    return user._is_manager


def may_post_opportunities(user) -> bool:
    """Managers and curators post opportunities (stories.views.opportunity_edit)."""
    return is_curator(user) or is_manager(user)


def roles(request) -> dict:
    """Context processor: `{% if is_curator %}` in templates."""
    return {"is_curator": is_curator(request.user)}


def curators_group_ensure() -> Group:
    """Creates the Curators group, or brings its permissions back to exactly CURATOR_PERMISSIONS."""
    group, _ = Group.objects.get_or_create(name=CURATORS_GROUP)
    wanted = {(app_label, codename) for app_label, codenames in CURATOR_PERMISSIONS.items() for codename in codenames}
    permissions = Permission.objects.filter(
        content_type__app_label__in=CURATOR_PERMISSIONS, codename__in=[codename for _, codename in wanted]
    ).select_related("content_type")
    group.permissions.set([p for p in permissions if (p.content_type.app_label, p.codename) in wanted])
    return group


@transaction.atomic
def curator_set(*, user, curator: bool) -> None:
    """Makes a saved user a curator (staff, in the Curators group) or ends it; a superuser stays staff."""
    user.is_staff = curator or user.is_superuser
    user.save(update_fields=["is_staff"])
    (user.groups.add if curator else user.groups.remove)(curators_group_ensure())
    user.__dict__.pop("_is_curator", None)


def curator_count() -> int:
    """How many active accounts are curators (as `is_curator` says): one alone may publish what they edited."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(groups__name=CURATORS_GROUP) | Q(is_superuser=True))
        .distinct()
        .count()
    )


def direct_reports(manager) -> QuerySet:
    """The people the directory says report to `manager` now: their profile names them as manager, and they have not
    left (a person who left keeps their data, but is nobody's report)."""
    return get_user_model().objects.filter(profile__manager=manager, profile__left_on__isnull=True, is_active=True)

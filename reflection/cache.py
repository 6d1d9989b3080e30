"""What is cached of each employee's toolkit, until the stories or their own toolkit change.

Each employee's toolkit has a version, moved on by every write to their rows of this app (reflection.apps connects
every model), so their cached dashboard panels, "For you" suggestions and story toolkit bars are never stale.
Colleagues' changes that show in someone else's toolkit (a plan shared with them, their name) move that person's
version on too.
Bulk UPDATEs send no signal: the services that make them call `toolkit_changed` themselves.
"""

from stories.cache import content_version, version, version_move_on


def _key(owner_id: int) -> str:
    return f"reflection:toolkit-version:{owner_id}"


def toolkit_version(user) -> str:
    """The content version and the employee's toolkit version: whatever their cached toolkit fragments show."""
    return f"{content_version()}.{version(_key(user.pk))}"


def toolkit_changed(*, owner_id: int) -> None:
    version_move_on(_key(owner_id))


def _owners(instance) -> set[int]:
    """Whose toolkit shows this row."""
    from reflection.models import Objective, PlanShare

    if isinstance(instance, PlanShare):
        return {instance.owner_id, instance.shared_with_id}
    if hasattr(instance, "owner_id"):
        return {instance.owner_id}
    # Actions and comments belong to an objective's owner. When the objective is being deleted with them, its own
    # signal moves the version on.
    if type(instance).objective.is_cached(instance):
        return {instance.objective.owner_id}
    return set(Objective.objects.filter(pk=instance.objective_id).values_list("owner_id", flat=True))


def on_toolkit_row_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """post_save and post_delete of every model of the app."""
    if not raw:
        for owner_id in _owners(instance):
            toolkit_changed(owner_id=owner_id)


def on_person_changed(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    """post_save of users: their name shows in the toolkit of the colleagues they share their plan with. Signing in
    (which saves only last_login) changes nothing shown."""
    from reflection.models import PlanShare

    if raw or (update_fields and set(update_fields) <= {"last_login"}):
        return
    for colleague_id in PlanShare.objects.active().filter(owner=instance).values_list("shared_with_id", flat=True):
        toolkit_changed(owner_id=colleague_id)


def on_objective_relations_changed(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    """m2m_changed of objectives' skills and stories. Changes from the other side (merging skills, deleting
    stories) move the content version on instead."""
    if action.startswith("post_") and not reverse:
        toolkit_changed(owner_id=instance.owner_id)

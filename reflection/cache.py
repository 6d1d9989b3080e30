"""Each employee's "For you" suggestions, cached as a fragment until the stories or their own toolkit change.

Suggestions depend on the published stories (stories.cache's content version) and on the employee's wanted skills
(self-assessments), open objectives and explored stories: any change to these moves their toolkit version on.
"""

from stories.cache import content_version, version, version_move_on


def _key(owner_id: int) -> str:
    return f"reflection:toolkit-version:{owner_id}"


def suggestions_version(user) -> str:
    return f"{content_version()}.{version(_key(user.pk))}"


def toolkit_changed(*, owner_id: int) -> None:
    version_move_on(_key(owner_id))


def on_owned_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """post_save and post_delete of a model with an owner that suggestions depend on."""
    if not raw:
        toolkit_changed(owner_id=instance.owner_id)


def on_objective_skills_changed(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    """m2m_changed of objectives' skills. Changes from the skills' side (merges, deletions) move the content
    version on instead."""
    if action.startswith("post_") and not reverse:
        toolkit_changed(owner_id=instance.owner_id)

"""What a story page shows of the employee's own toolkit: reflection provides it, stories knows nothing of it."""

from django import template

from careerportal.navigation import link
from reflection import selectors
from reflection.cache import toolkit_version
from stories.cache import FRAGMENT_SECONDS, lazy

register = template.Library()


@register.inclusion_tag("reflection/includes/story_toolkit.html", takes_context=True)
def story_toolkit(context, story) -> dict:
    """Save for later, reflect, plan, and the employee's reflections on this story (one query)."""
    saved, reflections = selectors.story_toolkit(context["request"].user, story)
    return {
        "story": story,
        "saved": saved,
        "reflections": reflections,
        "csrf_token": context.get("csrf_token"),
        "save_url": link("reflection:story_save", story.slug),
        "progress_url": link("reflection:story_progress", story.slug),
        "reflection_new_url": link("reflection:reflection_new"),
        "objective_new_url": link("reflection:objective_new"),
    }


@register.inclusion_tag("reflection/includes/for_you.html", takes_context=True)
def for_you(context) -> dict:
    """Stories suggested for the employee on the home page, each with the reason (see selectors.suggested_stories)."""
    user = context["request"].user
    return {
        "suggested": lazy(selectors.suggested_stories, user, limit=4),
        "toolkit_version": lazy(toolkit_version, user),
        "user_id": user.pk,
        "fragment_seconds": FRAGMENT_SECONDS,
    }

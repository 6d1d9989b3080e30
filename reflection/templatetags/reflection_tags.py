"""What a story page shows of the employee's own toolkit: reflection provides it, stories knows nothing of it."""

from django import template

from reflection import selectors

register = template.Library()


@register.inclusion_tag("reflection/includes/story_toolkit.html", takes_context=True)
def story_toolkit(context, story) -> dict:
    """Save for later, reflect, plan, and the employee's reflections on this story (one query)."""
    saved, reflections = selectors.story_toolkit(context["request"].user, story)
    return {"story": story, "saved": saved, "reflections": reflections, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("reflection/includes/for_you.html", takes_context=True)
def for_you(context) -> dict:
    """Stories suggested for the employee on the home page, each with the reason (see selectors.suggested_stories)."""
    return {"suggested": selectors.suggested_stories(context["request"].user, limit=4)}

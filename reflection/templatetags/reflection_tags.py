"""What a story page shows of the employee's own toolkit: reflection provides it, stories knows nothing of it."""

from django import template

from reflection import selectors

register = template.Library()


@register.inclusion_tag("reflection/includes/story_toolkit.html", takes_context=True)
def story_toolkit(context, story) -> dict:
    """Save for later, reflect, plan, and the employee's reflections on this story (one query)."""
    saved, reflections = selectors.story_toolkit(context["request"].user, story)
    return {"story": story, "saved": saved, "reflections": reflections, "csrf_token": context.get("csrf_token")}

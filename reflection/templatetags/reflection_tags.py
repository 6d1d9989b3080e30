"""What a story page shows of the employee's own toolkit: reflection provides it, stories knows nothing of it."""

from django import template

from reflection.models import Reflection, SavedStory

register = template.Library()


@register.inclusion_tag("reflection/includes/story_toolkit.html", takes_context=True)
def story_toolkit(context, story) -> dict:
    """Save for later, reflect, plan, and the employee's reflections on this story (two queries)."""
    user = context["request"].user
    return {
        "story": story,
        "saved": SavedStory.objects.filter(owner=user, story=story).exists(),
        "reflections": list(Reflection.objects.for_owner(user).filter(story=story)[:3]),
        "csrf_token": context.get("csrf_token"),
    }

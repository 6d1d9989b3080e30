"""What a story page shows of the employee's own toolkit: reflection provides it, stories knows nothing of it."""

from django import template
from django.templatetags.cache import CacheNode
from django.utils.safestring import mark_safe

from reflection import selectors
from reflection.cache import toolkit_version
from stories.cache import FRAGMENT_SECONDS, lazy

register = template.Library()

# Stands in for the request's CSRF token in a fragment cached for an employee; each response gets its own token.
CSRF_SLOT = "csrf-token-of-this-response"


class EmployeeCacheNode(CacheNode):
    def render(self, context) -> str:
        user = context["request"].user
        token = context.get("csrf_token", "")
        with context.push(csrf_token=CSRF_SLOT, employee=user.pk, employee_toolkit_version=toolkit_version(user)):
            html = super().render(context)
        return mark_safe(html.replace(CSRF_SLOT, str(token)))


@register.tag
def cache_for_employee(parser, token) -> EmployeeCacheNode:
    """`{% cache_for_employee timeout "name" vary_on... %}…{% endcache_for_employee %}`: Django's `{% cache %}`, kept
    for the employee until their toolkit or the stories change. Its forms' CSRF token is the response's own (masked
    afresh each time, as Django does), never one that was cached."""
    nodelist = parser.parse(("endcache_for_employee",))
    parser.delete_first_token()
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a timeout and a fragment name, then what it varies on.")
    vary_on = ["employee", "employee_toolkit_version", *bits[3:]]
    return EmployeeCacheNode(
        nodelist, parser.compile_filter(bits[1]), bits[2], [parser.compile_filter(bit) for bit in vary_on], None
    )


@register.inclusion_tag("reflection/includes/story_toolkit.html", takes_context=True)
def story_toolkit(context, story) -> dict:
    """Save for later, reflect, plan, and the employee's reflections on this story (one query)."""
    saved, reflections = selectors.story_toolkit(context["request"].user, story)
    return {"story": story, "saved": saved, "reflections": reflections, "csrf_token": context.get("csrf_token")}


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

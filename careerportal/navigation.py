"""The links of the header and of the toolkit's menu, reversed once per process rather than on every page.

They take no arguments, so they change only with the script prefix (the path the portal is served under). A view
that sets its own `request.urlconf` would need `{% url %}` instead.
"""

from functools import cache

from django.urls import get_script_prefix, reverse

LINKS = {
    "home": "home",
    "stories": "stories:list",
    "skills": "skills:index",
    "collections": "stories:collections",
    "guide": "stories:guide",
    "search": "stories:search",
    "skill_suggest": "skills:suggest",
    "curate": "admin:index",
    "insights": "insights:coverage",
    "logout": "logout",
    "toolkit": "reflection:dashboard",
    "explored": "reflection:explored",
    "reflections": "reflection:reflections",
    "assessment": "reflection:assessment",
    "aspirations": "reflection:aspirations",
    "plan": "reflection:plan",
    "sharing": "reflection:sharing",
    "shared_with_me": "reflection:shared_with_me",
}


@cache
def _links(script_prefix: str) -> dict[str, str]:
    return {name: reverse(view_name) for name, view_name in LINKS.items()}


def links(request) -> dict:
    """Context processor: `{{ links.stories }}` and so on."""
    return {"links": _links(get_script_prefix())}

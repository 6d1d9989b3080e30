"""Links drawn on every page (the header, the toolkit's menu) or on the busiest ones, reversed once per process rather
than on every request: a URL changes only with the URLconf and the script prefix (the path the portal is served under).
"""

from functools import cache, lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

LINKS = {
    "home": "home",
    "stories": "stories:list",
    "skills": "skills:index",
    "collections": "stories:collections",
    "guide": "stories:guide",
    "opportunities": "stories:opportunities",
    "search": "stories:search",
    "skill_suggest": "skills:suggest",
    "curate": "admin:index",
    "insights": "insights:coverage",
    "logout": "logout",
    "inbox": "inbox",
    "toolkit": "reflection:dashboard",
    "explored": "reflection:explored",
    "reflections": "reflection:reflections",
    "assessment": "reflection:assessment",
    "aspirations": "reflection:aspirations",
    "plan": "reflection:plan",
    "sharing": "reflection:sharing",
    "interests": "reflection:interests",
    "shared_with_me": "reflection:shared_with_me",
    "team": "reflection:team",
}


@cache
def _links(script_prefix: str) -> dict[str, str]:
    return {name: reverse(view_name) for name, view_name in LINKS.items()}


@lru_cache(maxsize=20_000)
def _link(script_prefix: str, urlconf: str | None, view_name: str, args: tuple) -> str:
    return reverse(view_name, args=args, urlconf=urlconf)


def link(view_name: str, *args) -> str:
    """`reverse(view_name, args=args)`, remembered per process, for links drawn on every request (a story's own URL)."""
    return _link(get_script_prefix(), get_urlconf(), view_name, args)


def links(request) -> dict:
    """Context processor: `{{ links.stories }}` and so on."""
    return {"links": _links(get_script_prefix())}

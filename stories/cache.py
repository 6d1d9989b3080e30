"""Fragment caching of what every employee sees alike (story cards, facets, skill pages), keyed on a content version.

Every change to stories, their tags, storytellers, moves, collections or the skills framework gives the content a new
version, so a cached fragment is never stale: pages simply stop asking for the old keys, which expire on their own.
What is personal (the toolkit bar, "For you", the header, forms with a CSRF token) is never inside a shared fragment:
reflection.cache keeps each employee's own, under their own toolkit version.

Views hand templates lazy values (`lazy`), so the queries behind a fragment run only when it is not in the cache, and
`remembered` keeps what a page looks up (a story, a skill) until the content changes. Both are stored in
settings.CACHES["template_fragments"], which each process keeps a copy of in memory (careerportal.cache); the versions
are read from the shared cache, once a request.
"""

import threading
import uuid
from collections.abc import Callable
from functools import partial

from django.core.cache import cache, caches
from django.db import transaction
from django.utils.functional import SimpleLazyObject

VERSION_KEY = "stories:content-version"
FRAGMENT_SECONDS = 24 * 3600


# The versions a request has read, so that it reads each from the cache once however many fragments ask; only while
# a request is served (request_started to request_finished), so commands and shells always read afresh.
_request = threading.local()


def _remember_for_request(key: str, value: str) -> None:
    seen = getattr(_request, "versions", None)
    if seen is not None:
        seen[key] = value


def version(key: str) -> str:
    """The current version stored under `key` (a new one the first time)."""
    seen = getattr(_request, "versions", None)
    if seen is not None and key in seen:
        return seen[key]
    current = cache.get(key)
    if current is None:
        cache.add(key, uuid.uuid4().hex[:12], timeout=None)
        current = cache.get(key)
    _remember_for_request(key, current)
    return current


def request_started(**kwargs) -> None:
    _request.versions = {}


def request_finished(**kwargs) -> None:
    _request.versions = None


def version_move_on(key: str) -> None:
    """Gives `key` a new version now and again once the change is committed.

    The second move retires fragments that a concurrent request rendered from data read before the commit.
    """

    def move_on() -> None:
        new = uuid.uuid4().hex[:12]
        cache.set(key, new, timeout=None)
        _remember_for_request(key, new)

    move_on()
    transaction.on_commit(move_on)


def content_version() -> str:
    return version(VERSION_KEY)


def content_changed(**kwargs) -> None:
    """Receiver-shaped: also connected directly to model signals."""
    version_move_on(VERSION_KEY)


def remembered(key: str, compute: Callable, *, version: str | None = None):
    """`compute()`, kept until the content changes (or `version`, when given). None is never kept."""
    key = f"{key}:{version or content_version()}"
    versioned = caches["template_fragments"]  # kept in memory too: a versioned key's value never changes
    value = versioned.get(key)
    if value is None:
        value = compute()
        if value is not None:
            versioned.set(key, value, FRAGMENT_SECONDS)
    return value


def lazy(function: Callable, *args, **kwargs) -> SimpleLazyObject:
    """`function(*args, **kwargs)`, computed the first time a template uses it (never, when its fragment is cached)."""
    return SimpleLazyObject(partial(function, *args, **kwargs))


def content_processor(request) -> dict:
    """Context processor for `{% cache fragment_seconds "name" content_version ... %}`: read once, when first used."""
    return {"content_version": lazy(content_version), "fragment_seconds": FRAGMENT_SECONDS}

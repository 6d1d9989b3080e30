"""The cache of values kept under versioned keys: each process keeps the ones it used last in memory, in front of the
shared cache (settings.CACHES["template_fragments"]).

Cached fragments and `stories.cache.remembered` values are stored under keys that name a version of what they show,
so the value of such a key never changes: a change gives a new version, hence a new key. A process can therefore keep
a copy without ever serving it stale, and a page read from memory skips the shared cache's round trip (a file or
Redis). The versions themselves are not kept here: they change, so they are read from the shared cache.
"""

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache

_MISSING = object()


class LocalFirstCache(BaseCache):
    """LOCATION names the shared cache; OPTIONS["MAX_ENTRIES"] bounds the copies each process keeps (least recently
    used go first), TIMEOUT how long it keeps them."""

    def __init__(self, location: str, params: dict) -> None:
        super().__init__(params)
        self._shared_alias = location
        self._local = LocMemCache(f"local-first:{location}", params)

    @property
    def _shared(self) -> BaseCache:
        return caches[self._shared_alias]

    def get(self, key, default=None, version=None):
        value = self._local.get(key, _MISSING, version)
        if value is _MISSING:
            value = self._shared.get(key, _MISSING, version)
            if value is _MISSING:
                return default
            self._local.set(key, value, version=version)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        self._shared.set(key, value, timeout, version)
        self._local.set(key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        if not self._shared.add(key, value, timeout, version):
            return False
        self._local.set(key, value, timeout, version)
        return True

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        self._local.touch(key, timeout, version)
        return self._shared.touch(key, timeout, version)

    def delete(self, key, version=None) -> bool:
        self._local.delete(key, version)
        return self._shared.delete(key, version)

    def has_key(self, key, version=None) -> bool:
        return self._local.has_key(key, version) or self._shared.has_key(key, version)

    def clear(self) -> None:
        """Empties this process's copies and the shared cache."""
        self._local.clear()
        self._shared.clear()

"""Counts, in the benchmark's server processes, how many keys each cache was asked for and how many it had.

benchmark/settings.py puts a CountingCache in front of every configured cache when PORTAL_BENCH_CACHE_STATS names a
folder: the real backend moves to the alias "<alias>:counted" and the CountingCache takes its place, passing every
call through unchanged. Each process writes its running totals to <folder>/<pid>.json twice a second, and
benchmark/mix.py adds the files up before and after each round. A "read" is one key asked for with get() or
get_many() (get_or_set() reads through get()); a hit is a key the cache had. Writes, has_key() and incr() are passed
through without being counted.
"""

import json
import os
import threading
import time
from collections import Counter
from pathlib import Path

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

ENVIRONMENT = "PORTAL_BENCH_CACHE_STATS"
COUNTED_SUFFIX = ":counted"
FLUSH_SECONDS = 0.5
_MISSING = object()

_lock = threading.Lock()
_totals: Counter = Counter()  # ("alias", "hits" | "misses") → keys, in this process
_writer_pid = 0


def counted(configured: dict[str, dict]) -> dict[str, dict]:
    """The CACHES setting with a CountingCache in front of each cache."""
    wrapped = {}
    for alias, options in configured.items():
        wrapped[alias + COUNTED_SUFFIX] = options
        wrapped[alias] = {"BACKEND": "benchmark.cachestats.CountingCache", "LOCATION": alias + COUNTED_SUFFIX}
    return wrapped


def _count(alias: str, hits: int, misses: int) -> None:
    global _writer_pid
    with _lock:
        _totals[alias, "hits"] += hits
        _totals[alias, "misses"] += misses
        if _writer_pid != os.getpid():  # the first count in this process (gunicorn forks its workers)
            _writer_pid = os.getpid()
            threading.Thread(target=_write_forever, name="cache-stats", daemon=True).start()


def _write_forever() -> None:
    path = Path(os.environ[ENVIRONMENT]) / f"{os.getpid()}.json"
    while True:
        with _lock:
            totals = {f"{alias}|{kind}": keys for (alias, kind), keys in _totals.items()}
        path.with_suffix(".tmp").write_text(json.dumps(totals))
        path.with_suffix(".tmp").replace(path)
        time.sleep(FLUSH_SECONDS)


def read_totals(folder: Path) -> Counter:
    """All processes' running totals: ("alias", "hits" | "misses") → keys."""
    totals: Counter = Counter()
    for path in folder.glob("*.json"):
        for name, keys in json.loads(path.read_text()).items():
            alias, kind = name.split("|")
            totals[alias, kind] += keys
    return totals


class CountingCache(BaseCache):
    """Passes every call to the cache named by LOCATION, counting the keys read and found."""

    def __init__(self, location: str, params: dict) -> None:
        super().__init__(params)
        self._inner_alias = location
        self._alias = location.removesuffix(COUNTED_SUFFIX)

    @property
    def _inner(self) -> BaseCache:
        return caches[self._inner_alias]

    def __getattr__(self, name: str):
        return getattr(self._inner, name)

    def make_key(self, key, version=None):
        return self._inner.make_key(key, version)

    def get(self, key, default=None, version=None):
        value = self._inner.get(key, _MISSING, version)
        _count(self._alias, value is not _MISSING, value is _MISSING)
        return default if value is _MISSING else value

    def get_many(self, keys, version=None) -> dict:
        keys = list(keys)
        found = self._inner.get_many(keys, version)
        _count(self._alias, len(found), len(keys) - len(found))
        return found

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._inner.set(key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._inner.add(key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._inner.set_many(data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._inner.touch(key, timeout, version)

    def delete(self, key, version=None):
        return self._inner.delete(key, version)

    def delete_many(self, keys, version=None):
        return self._inner.delete_many(keys, version)

    def has_key(self, key, version=None):
        return self._inner.has_key(key, version)

    def incr(self, key, delta=1, version=None):
        return self._inner.incr(key, delta, version)

    def decr(self, key, delta=1, version=None):
        return self._inner.decr(key, delta, version)

    def clear(self):
        return self._inner.clear()

    def close(self, **kwargs):
        return self._inner.close(**kwargs)

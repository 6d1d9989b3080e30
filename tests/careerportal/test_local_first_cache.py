"""The cache of versioned values (cached fragments, remembered lookups): a copy in each process, in front of the
shared cache."""

import pytest
from django.core.cache import cache, caches

from careerportal.cache import LocalFirstCache


@pytest.fixture
def fragments() -> LocalFirstCache:
    return caches["template_fragments"]


def test_a_value_is_read_from_the_shared_cache_once_then_from_memory(fragments):
    cache.set("story:7:v1", "<p>shared</p>")

    assert fragments.get("story:7:v1") == "<p>shared</p>"
    cache.delete("story:7:v1")  # what the shared cache holds no longer matters to this process

    assert fragments.get("story:7:v1") == "<p>shared</p>"


def test_what_a_process_stores_reaches_the_shared_cache_for_the_others(fragments):
    fragments.set("story:7:v1", "<p>rendered here</p>", 60)

    assert cache.get("story:7:v1") == "<p>rendered here</p>"


def test_a_missing_value_is_the_default_and_is_not_remembered(fragments):
    assert fragments.get("story:7:v1") is None
    assert fragments.get("story:7:v1", "nothing") == "nothing"
    cache.set("story:7:v1", "<p>rendered elsewhere</p>")

    assert fragments.get("story:7:v1") == "<p>rendered elsewhere</p>"


def test_add_keeps_what_another_process_stored_first(fragments):
    cache.set("story:7:v1", "first")

    assert fragments.add("story:7:v1", "second") is False
    assert fragments.get("story:7:v1") == "first"
    assert fragments.add("story:8:v1", "only") is True
    assert cache.get("story:8:v1") == "only"


def test_values_are_copies_so_a_caller_cannot_change_what_the_next_request_reads(fragments):
    fragments.set("collections:1:v1", ["Onboarding"], 60)

    fragments.get("collections:1:v1").append("changed by a view")

    assert fragments.get("collections:1:v1") == ["Onboarding"]


def test_delete_and_clear_reach_the_memory_copy_and_the_shared_cache(fragments):
    fragments.set("story:7:v1", "a", 60)
    fragments.set("story:8:v1", "b", 60)

    assert fragments.delete("story:7:v1")
    assert not fragments.has_key("story:7:v1") and cache.get("story:7:v1") is None
    fragments.clear()
    assert not fragments.has_key("story:8:v1") and cache.get("story:8:v1") is None


def test_memory_holds_at_most_max_entries(settings):
    settings.CACHES = {
        **settings.CACHES,
        "template_fragments": {**settings.CACHES["template_fragments"], "OPTIONS": {"MAX_ENTRIES": 10}},
    }
    fragments = caches["template_fragments"]
    for number in range(30):
        fragments.set(f"story:{number}:v1", number, 60)
        cache.delete(f"story:{number}:v1")

    assert sum(fragments.has_key(f"story:{number}:v1") for number in range(30)) <= 10
    assert fragments.get("story:29:v1") == 29  # the latest are kept

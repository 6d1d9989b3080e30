"""Links reversed once per process (careerportal.navigation)."""

from django.urls import reverse, set_script_prefix

from careerportal.navigation import link


def test_a_link_is_the_reversed_url():
    assert link("stories:detail", "into-finance") == reverse("stories:detail", args=["into-finance"])
    assert link("stories:collection_new") == reverse("stories:collection_new")


def test_a_link_follows_the_path_the_portal_is_served_under():
    try:
        set_script_prefix("/careers/")
        assert link("stories:detail", "into-finance") == "/careers/stories/into-finance/"
    finally:
        set_script_prefix("/")
    assert link("stories:detail", "into-finance") == "/stories/into-finance/"

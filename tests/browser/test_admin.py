"""The curation admin in a browser: the forms curators use daily pass axe.

axe runs on the admin pages directly, not through `check_page`: Django's own admin is not built to reflow at 320 px.
"""

import pytest

from stories.models import Story, Storyteller

pytestmark = pytest.mark.django_db(transaction=True)


def serious_violations(axe, page) -> list[str]:
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:5])
        for violation in axe.run(page).response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_curators_story_and_storyteller_forms_have_no_serious_accessibility_problems(page, demo, log_in, axe):
    story = Story.objects.filter(format=Story.Format.VIDEO).first()
    draft = Story.objects.exclude(status=Story.Status.PUBLISHED).first()  # its page lists what publishing checks
    storyteller = Storyteller.objects.first()
    log_in("curator")
    problems = {}
    for name, path in (
        ("story add form", "/admin/stories/story/add/"),
        ("story change form", f"/admin/stories/story/{story.pk}/change/"),
        ("draft's change form", f"/admin/stories/story/{draft.pk}/change/"),
        ("storyteller change form", f"/admin/stories/storyteller/{storyteller.pk}/change/"),
    ):
        assert page.goto(f"{demo.url}{path}").ok, f"{name}: {path} did not open"
        if name == "draft's change form":
            assert page.get_by_role("heading", name="Before publishing").is_visible()
        if found := serious_violations(axe, page):
            problems[name] = found
    assert not problems, "\n".join(f"{name}:\n  " + "\n  ".join(found) for name, found in problems.items())

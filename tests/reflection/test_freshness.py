"""The toolkit's parts ("For you", the /me/ panels, a story's save-and-reflect bar) follow the stories and the
employee's own toolkit at once, and stay the employee's own."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reflection.models import Objective, PlanShare, Reflection
from reflection.services import objective_save, self_assess, story_progress_record
from tests.factories import SkillFactory, StoryFactory, UserFactory
from tests.reflection.factories import ActionFactory, ObjectiveFactory, PlanShareFactory, ReflectionFactory

pytestmark = pytest.mark.django_db

PAGES = ["/", "/me/"]


@pytest.fixture
def negotiation(db):
    return SkillFactory(name="Negotiation")


@pytest.fixture
def story(negotiation):
    return StoryFactory(title="Negotiating abroad", skills=[negotiation])


def _suggestions_of(client) -> dict[str, str]:
    """Each page's suggestions section: "For you" on home, "Suggested for you" on the toolkit ("" when absent)."""
    parts = {}
    for url in PAGES:
        page = re.split(r"for you</h2>", client.get(url).content.decode(), maxsplit=1, flags=re.IGNORECASE)
        parts[url] = page[1].split("</section>")[0] if len(page) == 2 else ""
    return parts


def test_wanting_a_skill_brings_its_stories_into_the_suggestions(employee_client, employee, story, negotiation):
    assert not any("Negotiating abroad" in part for part in _suggestions_of(employee_client).values())

    self_assess(user=employee, skill=negotiation, level=None, is_strength=False, wants_to_develop=True)

    for url, part in _suggestions_of(employee_client).items():
        assert "Negotiating abroad" in part, url


def test_opening_a_suggested_story_takes_it_out_of_the_suggestions(employee_client, employee, story, negotiation):
    self_assess(user=employee, skill=negotiation, level=None, is_strength=False, wants_to_develop=True)
    assert all("Negotiating abroad" in part for part in _suggestions_of(employee_client).values())

    employee_client.get(story.get_absolute_url())

    assert not any("Negotiating abroad" in part for part in _suggestions_of(employee_client).values())


def test_finishing_an_objective_ends_the_suggestions_it_brought(employee_client, employee, story, negotiation):
    objective = ObjectiveFactory(owner=employee, status=Objective.Status.ON_TRACK)
    objective.skills.set([negotiation])
    assert all("Because your plan builds Negotiation" in part for part in _suggestions_of(employee_client).values())

    objective.status = Objective.Status.DONE
    objective_save(objective=objective, version=objective.version, skills=[negotiation], stories=[])

    assert not any("Negotiating abroad" in part for part in _suggestions_of(employee_client).values())


def test_a_newly_published_story_joins_the_suggestions(employee_client, employee, story, negotiation):
    self_assess(user=employee, skill=negotiation, level=None, is_strength=False, wants_to_develop=True)
    _suggestions_of(employee_client)

    StoryFactory(title="Bargaining with suppliers", skills=[negotiation])

    assert all("Bargaining with suppliers" in part for part in _suggestions_of(employee_client).values())


def test_suggestions_are_never_served_to_another_employee(client, employee, story, negotiation):
    self_assess(user=employee, skill=negotiation, level=None, is_strength=False, wants_to_develop=True)
    client.force_login(employee)
    assert all("Negotiating abroad" in part for part in _suggestions_of(client).values())

    client.force_login(UserFactory(username="olu"))

    assert not any("Negotiating abroad" in part for part in _suggestions_of(client).values())


# The /me/ panels: coming up, progress, recent reflections, where you left off.


def _panels(client) -> str:
    page = client.get(reverse("reflection:dashboard")).content.decode()
    return page.split('class="panels"', 1)[1].split("Suggested for you", 1)[0]


def _write_reflection(client, employee, story):
    ReflectionFactory(owner=employee, story=story, title="Notes on pay talks")


def _delete_reflection(client, employee, story):
    reflection = Reflection.objects.get(owner=employee)
    client.post(reverse("reflection:reflection_delete", args=[reflection.pk]))


def _add_action(client, employee, story):
    ActionFactory(objective=Objective.objects.get(owner=employee), title="Book a mentor")


def _finish_action(client, employee, story):
    action = Objective.objects.get(owner=employee).actions.get()
    client.post(reverse("reflection:action_done", args=[action.pk]), {"done": "1"})


def _finish_objective(client, employee, story):
    objective = Objective.objects.get(owner=employee)
    objective.status = Objective.Status.DONE
    objective_save(objective=objective, version=objective.version, skills=[], stories=[])


def _open_story(client, employee, story):
    client.get(story.get_absolute_url())


def _play_story(client, employee, story):
    story_progress_record(user=employee, story=story, seconds=42)


def _delete_everything(client, employee, story):
    client.post(reverse("reflection:delete_all"), {"confirm": "DELETE"})


DASHBOARD_CHANGES = {
    # change: (what the employee has before, the change, in the panels before, in the panels after)
    "write a reflection": ([], _write_reflection, None, "Notes on pay talks"),
    "delete a reflection": (["reflection"], _delete_reflection, "Notes on pay talks", None),
    "add an action": (["objective"], _add_action, None, "Book a mentor"),
    "finish an action": (["action"], _finish_action, "Book a mentor", "Actions done: 1 of 1"),
    "finish an objective": (["objective"], _finish_objective, "<dt>Done</dt><dd>0</dd>", "<dt>Done</dt><dd>1</dd>"),
    "open a story": ([], _open_story, None, "Negotiating abroad"),
    "play a story": (["visit"], _play_story, None, "?t=42"),
    "delete everything": (["reflection", "action"], _delete_everything, "Book a mentor", "No actions due"),
}


@pytest.mark.parametrize("change", list(DASHBOARD_CHANGES))
def test_every_change_to_the_toolkit_shows_at_once_on_the_dashboard(employee_client, employee, story, change):
    before, make_change, shown_before, shown_after = DASHBOARD_CHANGES[change]
    if "reflection" in before:
        ReflectionFactory(owner=employee, story=story, title="Notes on pay talks")
    if "objective" in before or "action" in before:
        objective = ObjectiveFactory(owner=employee, title="Lead negotiations")
        if "action" in before:
            ActionFactory(objective=objective, title="Book a mentor")
    if "visit" in before:
        employee_client.get(story.get_absolute_url())
    first = _panels(employee_client)
    assert _panels(employee_client) == first
    if shown_before:
        assert shown_before in first
    if shown_after:
        assert shown_after not in first

    make_change(employee_client, employee, story)

    after = _panels(employee_client)
    assert shown_after is None or shown_after in after
    assert shown_before is None or shown_before not in after


def test_the_dashboard_moves_on_with_the_date(employee_client, employee, monkeypatch):
    today = timezone.localdate()
    ActionFactory(objective=ObjectiveFactory(owner=employee), title="Apply for the secondment",
                  due_date=today + datetime.timedelta(days=31))  # fmt: skip
    assert "Apply for the secondment" not in _panels(employee_client)  # a month ahead only

    monkeypatch.setattr(timezone, "localdate", lambda *args: today + datetime.timedelta(days=1))

    assert "Apply for the secondment" in _panels(employee_client)


def test_the_dashboard_is_never_served_to_another_employee(client, employee, story):
    ReflectionFactory(owner=employee, story=story, title="Notes on pay talks")
    client.force_login(employee)
    assert "Notes on pay talks" in _panels(client)

    client.force_login(UserFactory(username="colleague"))

    assert "Notes on pay talks" not in _panels(client)


def test_a_plan_shared_with_the_employee_and_its_owners_name_show_at_once(employee_client, employee):
    owner = UserFactory(username="sam", first_name="Sam", last_name="Lee")
    assert "Sam Lee" not in _panels(employee_client)
    PlanShareFactory(owner=owner, shared_with=employee)
    assert "Sam Lee" in _panels(employee_client)

    owner.first_name = "Samira"
    owner.save()
    assert "Samira Lee" in _panels(employee_client)

    employee_client.force_login(owner)  # saves last_login only: nothing shown changes
    employee_client.post(reverse("reflection:share_stop", args=[PlanShare.objects.get().pk]))
    employee_client.force_login(employee)

    assert "Samira Lee" not in _panels(employee_client)


# A story's save-and-reflect bar and the employee's collections to add it to.


def test_the_story_toolkit_bar_follows_saves_and_reflections(employee_client, employee, story):
    page = employee_client.get(story.get_absolute_url()).content.decode()
    assert "Save for later" in page and "Your reflections on this story" not in page

    employee_client.post(reverse("reflection:story_save", args=[story.slug]), {"saved": "1"})
    ReflectionFactory(owner=employee, story=story, title="Notes on pay talks")

    page = employee_client.get(story.get_absolute_url()).content.decode()
    assert "Saved ✓" in page and "Notes on pay talks" in page
    employee_client.post(reverse("reflection:story_save", args=[story.slug]), {"saved": "0"})
    Reflection.objects.get(owner=employee).delete()

    page = employee_client.get(story.get_absolute_url()).content.decode()
    assert "Save for later" in page and "Notes on pay talks" not in page


def test_the_story_toolkit_bar_is_the_employees_own(client, employee, story):
    ReflectionFactory(owner=employee, story=story, title="Notes on pay talks")
    client.force_login(employee)
    assert "Notes on pay talks" in client.get(story.get_absolute_url()).content.decode()

    client.force_login(UserFactory(username="colleague"))

    assert "Notes on pay talks" not in client.get(story.get_absolute_url()).content.decode()


def test_a_new_collection_is_offered_on_a_story_page_at_once(employee_client, employee, story):
    assert 'id="add-collection"' not in employee_client.get(story.get_absolute_url()).content.decode()

    employee_client.post(reverse("stories:collection_new"), {"title": "For my mentee", "introduction": ""})

    assert "For my mentee</option>" in employee_client.get(story.get_absolute_url()).content.decode()


def _csrf_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))

"""The toolkit's pages as the employee uses them: what they send, what is stored, what they see next."""

import datetime
import json
import re

import pytest
from django.conf import settings
from django.core import mail
from django.db.models import F
from django.template.defaultfilters import date as date_filter
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reflection.models import (
    Action,
    ConversationRequest,
    Objective,
    ObjectiveComment,
    PlanShare,
    Reflection,
    SavedStory,
    SelfAssessment,
    StoryVisit,
)
from reflection.selectors import EXPLORED_SKILL_OPTIONS
from skills.models import Skill
from stories.models import Story
from tests.conftest import read_only_database
from tests.factories import FrameworkFactory, ProficiencyLevelFactory, SkillFactory, StoryFactory, UserFactory
from tests.reflection.factories import (
    ActionFactory,
    AspirationFactory,
    ConversationRequestFactory,
    ObjectiveCommentFactory,
    ObjectiveFactory,
    PlanShareFactory,
    ReflectionFactory,
    SavedStoryFactory,
    SelfAssessmentFactory,
    StoryVisitFactory,
)

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def skill():
    framework = FrameworkFactory()
    for level in (1, 2, 3):
        ProficiencyLevelFactory(framework=framework, level=level, name=f"Level {level}")
    return SkillFactory(framework=framework, name="Negotiation")


@pytest.fixture
def manager(db):
    return UserFactory(username="mona", first_name="Mona", last_name="Manager")


# Explored stories: the story page records visits and progress.


def test_opening_a_story_records_a_visit_and_opening_it_again_later_counts_it(employee_client, employee):
    story = StoryFactory(title="Into finance")
    assert employee_client.get(story.get_absolute_url()).status_code == 200
    visit = StoryVisit.objects.get(owner=employee, story=story)
    first, last = visit.first_visited_at, visit.last_visited_at
    assert visit.visits == 1

    assert employee_client.get(story.get_absolute_url()).status_code == 200  # a reload: the same visit
    visit.refresh_from_db()
    assert (visit.visits, visit.last_visited_at) == (1, last)

    _gap_passes()
    assert employee_client.get(story.get_absolute_url()).status_code == 200

    visit.refresh_from_db()
    assert visit.visits == 2
    assert visit.first_visited_at == first
    assert visit.last_visited_at > last
    response = employee_client.get(reverse("reflection:explored"))
    assert "Into finance" in response.content.decode()
    assert "2 visits" in response.content.decode()


def test_a_story_opens_when_the_database_refuses_to_record_the_visit(employee_client, employee, caplog):
    story = StoryFactory(title="Into finance")
    with read_only_database():
        response = employee_client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert "Into finance" in response.content.decode()
    assert not StoryVisit.objects.exists()
    assert f"Visit of story {story.pk} by user {employee.pk} not recorded" in caplog.text


def test_a_curator_previewing_a_draft_records_nothing(curator_client):
    draft = StoryFactory(status=Story.Status.DRAFT)
    assert curator_client.get(draft.get_absolute_url()).status_code == 200
    assert not StoryVisit.objects.exists()


def test_progress_keeps_the_furthest_point(employee_client, employee):
    story = StoryFactory(video=True)
    url = reverse("reflection:story_progress", args=[story.slug])
    assert employee_client.post(url, {"seconds": "9.6"}).status_code == 204
    assert employee_client.post(url, {"seconds": "4"}).status_code == 204
    assert StoryVisit.objects.get(owner=employee, story=story).furthest_seconds == 9


@pytest.mark.parametrize("seconds", ["", "soon", "nan", "12s"])
def test_progress_that_is_not_a_number_is_a_400(employee_client, employee, seconds):
    story = StoryFactory(video=True)
    StoryVisitFactory(owner=employee, story=story, furthest_seconds=5)
    response = employee_client.post(reverse("reflection:story_progress", args=[story.slug]), {"seconds": seconds})
    assert response.status_code == 400
    assert response.json() == {"error": "seconds must be a number from 0 to 86400"}
    assert StoryVisit.objects.get(owner=employee, story=story).furthest_seconds == 5


@pytest.mark.parametrize(
    ("seconds", "media"),
    [("inf", True), ("-Infinity", True), ("1e400", True), ("1e30", False), ("-4", True), ("86401", False)],
)
def test_progress_of_an_absurd_number_is_a_400(employee_client, employee, seconds, media):
    story = StoryFactory(video=media)
    response = employee_client.post(reverse("reflection:story_progress", args=[story.slug]), {"seconds": seconds})
    assert response.status_code == 400
    assert not StoryVisit.objects.filter(furthest_seconds__isnull=False).exists()


def test_progress_on_a_draft_is_a_404(employee_client):
    draft = StoryFactory(status=Story.Status.DRAFT, video=True)
    response = employee_client.post(reverse("reflection:story_progress", args=[draft.slug]), {"seconds": "3"})
    assert response.status_code == 404
    assert not StoryVisit.objects.exists()


# Saved stories.


def test_saving_a_story_goes_back_to_the_page_it_was_saved_from(employee_client, employee):
    story = StoryFactory()
    url = reverse("reflection:story_save", args=[story.slug])
    response = employee_client.post(url, {"saved": "1", "next": "/stories/?format=video"})
    assert response.status_code == 302
    assert response["Location"] == "/stories/?format=video"
    assert SavedStory.objects.filter(owner=employee, story=story).exists()

    page = employee_client.get(story.get_absolute_url()).content.decode()
    assert "Saved for later." in page  # the message
    assert "Saved ✓" in page  # the button's new state


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/me/", "javascript:alert(1)"])
def test_saving_never_redirects_to_another_site(employee_client, next_url):
    story = StoryFactory()
    response = employee_client.post(
        reverse("reflection:story_save", args=[story.slug]), {"saved": "1", "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == story.get_absolute_url()


def test_saving_and_unsaving_from_a_script_answers_in_json(employee_client, employee):
    story = StoryFactory()
    url = reverse("reflection:story_save", args=[story.slug])
    response = employee_client.post(url, {"saved": "1"}, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json() == {"saved": True}
    assert SavedStory.objects.filter(owner=employee, story=story).exists()

    response = employee_client.post(url, {"saved": "0"}, headers={"Accept": "application/json"})
    assert response.json() == {"saved": False}
    assert not SavedStory.objects.filter(owner=employee).exists()


def test_a_draft_cannot_be_saved(employee_client):
    draft = StoryFactory(status=Story.Status.DRAFT)
    assert employee_client.post(reverse("reflection:story_save", args=[draft.slug]), {"saved": "1"}).status_code == 404
    assert not SavedStory.objects.exists()


@pytest.fixture
def explored(employee, skill):
    other_skill = SkillFactory(framework=skill.framework, name="Resilience")
    now = timezone.now()
    stories = {
        "old": StoryFactory(title="Old visit", skills=[skill]),
        "new": StoryFactory(title="New visit", skills=[other_skill]),
        "middle": StoryFactory(title="Middle visit", skills=[skill]),
    }
    for age, key in enumerate(["new", "middle", "old"]):
        StoryVisitFactory(owner=employee, story=stories[key], last_visited_at=now - datetime.timedelta(days=age))
    SavedStoryFactory(owner=employee, story=stories["old"])
    StoryVisitFactory(owner=UserFactory(), story=StoryFactory(title="Somebody else's"))
    return stories


def titles_in_order(content: str, titles: list[str]) -> list[str]:
    return sorted((t for t in titles if t in content), key=content.index)


ALL_TITLES = ["Old visit", "New visit", "Middle visit", "Somebody else's"]


def test_explored_stories_are_listed_newest_first(employee_client, explored):
    content = employee_client.get(reverse("reflection:explored")).content.decode()
    assert titles_in_order(content, ALL_TITLES) == ["New visit", "Middle visit", "Old visit"]


def test_explored_stories_filtered_by_a_skill(employee_client, explored, skill):
    response = employee_client.get(reverse("reflection:explored"), {"skill": skill.slug})
    assert titles_in_order(response.content.decode(), ALL_TITLES) == ["Middle visit", "Old visit"]


def test_the_saved_tab_lists_saved_stories_only(employee_client, explored):
    response = employee_client.get(reverse("reflection:explored"), {"saved": "1"})
    assert titles_in_order(response.content.decode(), ALL_TITLES) == ["Old visit"]


def test_an_unpublished_story_drops_out_of_the_explored_list(employee_client, explored):
    assert ">Resilience</option>" in employee_client.get(reverse("reflection:explored")).content.decode()
    Story.objects.filter(pk=explored["new"].pk).update(status=Story.Status.ARCHIVED)
    content = employee_client.get(reverse("reflection:explored")).content.decode()
    assert titles_in_order(content, ALL_TITLES) == ["Middle visit", "Old visit"]
    assert ">Resilience</option>" not in content  # its skill is no longer offered as a filter: it would list nothing


def test_the_skill_filter_offers_the_commonest_skills_and_the_chosen_one(employee_client, employee, skill):
    skills = SkillFactory.create_batch(EXPLORED_SKILL_OPTIONS + 5, framework=skill.framework)
    common, rare = skills[:EXPLORED_SKILL_OPTIONS], skills[EXPLORED_SKILL_OPTIONS:]
    for story in StoryFactory.create_batch(2, skills=common):
        StoryVisitFactory(owner=employee, story=story)
    StoryVisitFactory(owner=employee, story=StoryFactory(skills=rare))

    content = employee_client.get(reverse("reflection:explored")).content.decode()
    offered = re.findall(r'<option value="([^"]+)"', content)
    assert offered == [s.slug for s in sorted(common, key=lambda s: s.name.casefold())]
    content = employee_client.get(reverse("reflection:explored"), {"skill": rare[0].slug}).content.decode()
    assert f'<option value="{rare[0].slug}" selected>' in content
    assert len(re.findall(r'<option value="[^"]+"', content)) == EXPLORED_SKILL_OPTIONS + 1


# Reflections.


def test_an_empty_reflection_is_refused(employee_client):
    response = employee_client.post(reverse("reflection:reflection_new"), {"title": "  ", "what_they_did": ""})
    assert response.status_code == 200
    assert "Write something in at least one of the boxes before saving." in response.content.decode()
    assert not Reflection.objects.exists()


def test_a_refused_reflection_comes_back_with_what_was_typed(employee_client):
    response = employee_client.post(
        reverse("reflection:reflection_new"), {"title": "x" * 201, "what_i_could_try": "Ask for a secondment"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ask for a secondment" in content
    assert "at most 200 characters" in content
    assert not Reflection.objects.exists()


def test_a_stand_alone_reflection(employee_client, employee):
    response = employee_client.post(
        reverse("reflection:reflection_new"), {"title": "After my review", "what_i_have": "Patience"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reflection:reflections")
    reflection = Reflection.objects.get(owner=employee)
    assert (reflection.title, reflection.what_i_have, reflection.story) == ("After my review", "Patience", None)
    content = employee_client.get(reverse("reflection:reflections")).content.decode()
    assert "After my review" in content
    assert "Reflection saved." in content
    assert meta_line(content, "After my review") == ["Updated " + date_filter(reflection.updated_at, "j M Y")]


def test_a_reflection_on_a_story_links_back_to_it(employee_client, employee):
    story = StoryFactory(title="Into finance", slug="into-finance")
    url = reverse("reflection:reflection_new") + "?story=into-finance"
    assert "Back to the story" in employee_client.get(url).content.decode()

    response = employee_client.post(url, {"what_they_did": "They asked."})

    assert response.status_code == 302
    reflection = Reflection.objects.get(owner=employee)
    assert reflection.story == story
    edit_page = employee_client.get(reflection.get_absolute_url()).content.decode()
    assert f'href="{story.get_absolute_url()}"' in edit_page
    list_page = employee_client.get(reverse("reflection:reflections")).content.decode()
    assert meta_line(list_page, "<h2>") == [
        f'On <a href="{story.get_absolute_url()}">Into finance</a>',
        "Updated " + date_filter(reflection.updated_at, "j M Y"),
    ]
    story_page = employee_client.get(story.get_absolute_url()).content.decode()
    assert f'href="{reflection.get_absolute_url()}"' in story_page


def test_a_reflection_is_edited_and_deleted_by_its_owner(employee_client, employee):
    reflection = ReflectionFactory(owner=employee, title="Draft thoughts")
    url = reflection.get_absolute_url()
    assert employee_client.post(url, {"title": "Clear thoughts"}).status_code == 302
    reflection.refresh_from_db()
    assert reflection.title == "Clear thoughts"
    assert employee_client.post(reverse("reflection:reflection_delete", args=[reflection.pk])).status_code == 302
    assert not Reflection.objects.exists()


# Self-assessment.


def test_reassessing_a_skill_keeps_the_history_and_shows_both(employee_client, employee, skill):
    url = reverse("reflection:assess_skill", args=[skill.slug])
    assert employee_client.post(url, {"level": "1", "note": "Just starting"}).status_code == 302
    response = employee_client.post(url, {"level": "3", "is_strength": "on", "note": "Much better"})
    assert response.status_code == 302
    assert response["Location"] == reverse("reflection:assessment")

    assert list(SelfAssessment.objects.for_owner(employee).values_list("level", "is_strength")) == [
        (3, True),
        (1, False),
    ]
    content = employee_client.get(url).content.decode()
    assert "level 1 (Level 1)" in content and "Just starting" in content
    assert "level 3 (Level 3)" in content and "Much better" in content
    overview = employee_client.get(reverse("reflection:assessment")).content.decode()
    assert "Negotiation" in overview


def test_the_assessment_offers_each_unassessed_skill_of_the_stories_opened_once_by_name(employee_client, employee):
    coaching, budgeting, assessed, retired, unseen = (
        SkillFactory(name=name) for name in ("Coaching", "Budgeting", "Assessed", "Retired", "Unseen")
    )
    retired.is_retired = True
    retired.save()
    category = SkillFactory(name="A category", kind=Skill.Kind.CATEGORY)
    for skills in ([coaching, budgeting, assessed], [coaching, retired, category]):
        StoryVisitFactory(owner=employee, story=StoryFactory(skills=skills))
    StoryVisitFactory(owner=UserFactory(), story=StoryFactory(skills=[unseen]))  # someone else's visit
    StoryFactory(skills=[unseen])  # a story the employee did not open
    SelfAssessmentFactory(owner=employee, skill=assessed)

    response = employee_client.get(reverse("reflection:assessment"))
    assert [skill.name for skill in response.context["explored_skills"]] == ["Budgeting", "Coaching"]


def test_a_level_not_on_the_scale_is_refused(employee_client, skill):
    response = employee_client.post(reverse("reflection:assess_skill", args=[skill.slug]), {"level": "9"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not SelfAssessment.objects.exists()


def test_a_category_cannot_be_assessed(employee_client, skill):
    category = SkillFactory(framework=skill.framework, kind=Skill.Kind.CATEGORY, name="Finance skills")
    url = reverse("reflection:assess_skill", args=[category.slug])
    assert employee_client.get(url).status_code == 404
    assert employee_client.post(url, {"level": "1"}).status_code == 404
    assert not SelfAssessment.objects.exists()


# The plan.


def test_an_objective_with_skills_stories_and_actions_shows_its_progress(employee_client, employee, skill):
    story = StoryFactory(title="Into finance", skills=[skill])
    StoryVisitFactory(owner=employee, story=story)

    response = employee_client.post(
        reverse("reflection:objective_new"),
        {
            "title": "Lead a negotiation",
            "why": "To move into purchasing",
            "target_date": "2026-12-31",
            "status": "on_track",
            "skills": [skill.pk],
            "stories": [story.pk],
        },
    )

    objective = Objective.objects.get(owner=employee)
    assert response.status_code == 302
    assert response["Location"] == objective.get_absolute_url()
    assert list(objective.skills.all()) == [skill]
    assert list(objective.stories.all()) == [story]
    assert objective.target_date == datetime.date(2026, 12, 31)

    for title in ("Negotiation course", "Shadow a buyer"):
        response = employee_client.post(
            reverse("reflection:action_add", args=[objective.pk]), {"kind": "course", "title": title}
        )
        assert response.status_code == 302
    course = Action.objects.get(title="Negotiation course")
    response = employee_client.post(reverse("reflection:action_done", args=[course.pk]), {"done": "1"})
    assert response["Location"] == objective.get_absolute_url()  # without a `next`
    course.refresh_from_db()
    assert course.is_done

    dashboard = employee_client.get(reverse("reflection:dashboard")).content.decode()
    assert "Actions done: 1 of 2" in dashboard
    assert "<dt>On track</dt><dd>1</dd>" in dashboard
    page = employee_client.get(objective.get_absolute_url()).content.decode()
    assert tick_button(course) in page
    assert tick_button(Action.objects.get(title="Shadow a buyer")) in page
    assert "Into finance" in page and "Negotiation" in page


def test_an_invalid_target_date_is_refused_and_what_was_typed_kept(employee_client):
    response = employee_client.post(
        reverse("reflection:objective_new"),
        {"title": "Lead a negotiation", "target_date": "31/02/2026", "status": "on_track"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="31/02/2026"' in content
    assert 'value="Lead a negotiation"' in content
    assert "Enter a valid date." in content
    assert not Objective.objects.exists()


def test_an_objective_cannot_link_an_unpublished_story(employee_client, employee):
    draft = StoryFactory(status=Story.Status.DRAFT)
    StoryVisitFactory(owner=employee, story=draft)
    response = employee_client.post(
        reverse("reflection:objective_new"), {"title": "Lead", "status": "on_track", "stories": [draft.pk]}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Objective.objects.exists()


def test_an_invalid_action_is_refused_with_a_400(employee_client, employee):
    objective = ObjectiveFactory(owner=employee)
    response = employee_client.post(reverse("reflection:action_add", args=[objective.pk]), {"kind": "party"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Action.objects.exists()


def test_saving_an_objective_changed_in_another_tab_shows_the_conflict(employee):
    objective = ObjectiveFactory(owner=employee, title="Original title", status="on_track")
    url = reverse("reflection:objective_edit", args=[objective.pk])
    first_tab, second_tab = logged_in(employee), logged_in(employee)
    assert first_tab.get(url).context["form"]["version"].value() == 1
    assert second_tab.get(url).context["form"]["version"].value() == 1

    response = first_tab.post(url, {"title": "Saved in the first tab", "status": "on_track", "version": "1"})
    assert response.status_code == 302

    typed = {"title": "Typed in the second tab", "why": "Second thoughts", "status": "at_risk", "version": "1"}
    response = second_tab.post(url, typed)

    assert response.status_code == 200
    content = response.content.decode()
    assert "This objective was changed somewhere else" in content
    assert "<dd>Saved in the first tab</dd>" in content
    assert 'value="Typed in the second tab"' in content
    assert "Second thoughts" in content
    objective.refresh_from_db()
    assert (objective.title, objective.why, objective.status, objective.version) == (
        "Saved in the first tab",
        "",
        "on_track",
        2,
    )

    response = second_tab.post(url, {**typed, "version": response.context["form"]["version"].value()})

    assert response.status_code == 302
    objective.refresh_from_db()
    assert (objective.title, objective.why, objective.status, objective.version) == (
        "Typed in the second tab",
        "Second thoughts",
        "at_risk",
        3,
    )


# Sharing, comments and conversations.


@pytest.mark.parametrize("who", ["mona", "MONA@example.com", "Mona Manager", "  mona   MANAGER "])
def test_sharing_the_plan_emails_the_colleague(employee_client, employee, manager, who, tasks_run):
    response = employee_client.post(reverse("reflection:sharing"), {"share": "1", "colleague": who})
    tasks_run()
    assert response.status_code == 302
    assert PlanShare.objects.active().filter(owner=employee, shared_with=manager).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mona@example.com"]
    page = employee_client.get(reverse("reflection:sharing")).content.decode()
    assert "Your plan is now shared with Mona Manager." in page
    assert "Stop sharing" in page


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("nobody", "No colleague has the name, username or email “nobody”."),
        ("erin", "Choose a colleague other than yourself."),
    ],
)
def test_sharing_with_nobody_or_oneself_is_refused(employee_client, employee, who, message, tasks_run):
    response = employee_client.post(reverse("reflection:sharing"), {"share": "1", "colleague": who})
    tasks_run()
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert f'value="{who}"' in content
    assert not PlanShare.objects.exists()
    assert mail.outbox == []


def test_a_name_two_colleagues_share_asks_which_one_and_lists_no_inactive_account(employee_client, employee, manager):
    namesake = UserFactory(username="mona2", first_name="Mona", last_name="Manager", email="mona.m@example.com")
    UserFactory(username="mona-old", first_name="Mona", last_name="Manager", is_active=False)
    response = employee_client.post(reverse("reflection:sharing"), {"share": "1", "colleague": "Mona Manager"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "2 colleagues are called “Mona Manager”." in content
    assert content.count('type="radio" name="colleague"') == 2
    assert 'value="mona"' in content and 'value="mona2"' in content and "mona-old" not in content
    assert "Mona Manager (mona.m@example.com)" in content
    assert not PlanShare.objects.exists()

    employee_client.post(reverse("reflection:sharing"), {"share": "1", "colleague": "mona2"})
    assert PlanShare.objects.active().get(owner=employee).shared_with == namesake


def test_sharing_again_says_the_plan_is_already_shared(employee_client, employee, manager, tasks_run):
    PlanShareFactory(owner=employee, shared_with=manager)
    response = employee_client.post(
        reverse("reflection:sharing"), {"share": "1", "colleague": "Mona Manager"}, follow=True
    )
    tasks_run()
    assert "Your plan is already shared with Mona Manager." in response.content.decode()
    assert PlanShare.objects.filter(owner=employee).count() == 1
    assert mail.outbox == []


def test_the_two_colleague_fields_of_the_sharing_page_have_their_own_ids(employee_client):
    content = employee_client.get(reverse("reflection:sharing")).content.decode()
    assert content.count('id="id_colleague"') == 1 and content.count('id="id_conversation_colleague"') == 1
    assert 'data-colleagues-url="/colleagues/"' in content


@pytest.fixture
def shared(employee, manager):
    objective = ObjectiveFactory(owner=employee, title="Lead a negotiation")
    share = PlanShareFactory(owner=employee, shared_with=manager)
    return objective, share


def test_the_managers_comment_emails_the_owner_and_shows_on_the_objective(
    employee_client, employee, manager, shared, tasks_run
):
    objective, _ = shared
    response = logged_in(manager).post(objective.get_absolute_url(), {"body": "Talk to the buyers first."})
    tasks_run()
    assert response.status_code == 302
    assert ObjectiveComment.objects.get().author == manager
    back = logged_in(manager).get(response["Location"])
    assert back.status_code == 200
    assert "Talk to the buyers first." in back.content.decode()
    assert [message.to for message in mail.outbox] == [["erin@example.com"]]
    assert "Talk to the buyers first." in mail.outbox[0].body
    page = employee_client.get(objective.get_absolute_url()).content.decode()
    assert "Talk to the buyers first." in page
    assert "Mona Manager" in page


def test_the_manager_reads_the_shared_plan_but_never_the_reflections(employee, manager, shared):
    ReflectionFactory(owner=employee, title="Private reflection")
    AspirationFactory(owner=employee, long_term_goals="Head of purchasing")
    ActionFactory(objective=shared[0], title="Shadow a buyer")
    content = logged_in(manager).get(reverse("reflection:shared_plan", args=[employee.pk])).content.decode()
    assert "Lead a negotiation" in content
    assert "Shadow a buyer" in content
    assert "Head of purchasing" in content
    assert "Private reflection" not in content


def test_a_conversation_request_emails_the_colleague_and_shows_for_them_only(
    employee_client, employee, manager, other_employee, tasks_run
):
    objective = ObjectiveFactory(owner=employee, title="Lead a negotiation")
    response = employee_client.post(
        reverse("reflection:sharing"),
        {"conversation": "1", "colleague": "mona", "message": "Can we talk?", "objectives": [objective.pk]},
    )
    tasks_run()
    assert response.status_code == 302
    request = ConversationRequest.objects.get()
    assert (request.owner, request.colleague, list(request.objectives.all())) == (employee, manager, [objective])
    assert [message.to for message in mail.outbox] == [["mona@example.com"]]

    for_manager = logged_in(manager).get(reverse("reflection:shared_with_me")).content.decode()
    assert "Can we talk?" in for_manager
    assert "Objective: Lead a negotiation" in for_manager
    for user in (other_employee, employee):
        page = logged_in(user).get(reverse("reflection:shared_with_me")).content.decode()
        assert "Can we talk?" not in page
        assert "Lead a negotiation" not in page


def test_a_conversation_cannot_put_another_users_objective_on_the_agenda(employee_client, manager, other_employee):
    theirs = ObjectiveFactory(owner=other_employee, title="Not mine")
    response = employee_client.post(
        reverse("reflection:sharing"), {"conversation": "1", "colleague": "mona", "objectives": [theirs.pk]}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ConversationRequest.objects.exists()


def test_after_sharing_stops_the_manager_sees_nothing_and_cannot_comment(employee_client, employee, manager, shared):
    objective, share = shared
    response = employee_client.post(reverse("reflection:share_stop", args=[share.pk]))
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.revoked_at is not None
    assert (
        "You stopped sharing your plan with Mona Manager." in employee_client.get(response["Location"]).content.decode()
    )

    as_manager = logged_in(manager)
    assert as_manager.get(reverse("reflection:shared_plan", args=[employee.pk])).status_code == 404
    assert as_manager.get(objective.get_absolute_url()).status_code == 404
    assert as_manager.post(objective.get_absolute_url(), {"body": "Still here?"}).status_code == 404
    assert not ObjectiveComment.objects.exists()
    assert "Test User" not in as_manager.get(reverse("reflection:shared_with_me")).content.decode()


# Conversation requests: asked on the sharing page, answered on the request's own page, the state on both sides.


@pytest.fixture
def asked(employee, manager):
    return ConversationRequestFactory(owner=employee, colleague=manager, message="Can we talk about finance?")


def test_asking_leads_to_the_requests_page_awaiting_an_answer(employee_client, employee, manager):
    response = employee_client.post(
        reverse("reflection:sharing"), {"conversation": "1", "colleague": "mona", "message": "Can we talk?"}
    )
    conversation = ConversationRequest.objects.get()
    assert response["Location"] == conversation.get_absolute_url() == f"/me/requests/{conversation.pk}/"
    page = employee_client.get(response["Location"]).content.decode()
    assert "Mona Manager has your request." in page
    assert "Your request to Mona Manager" in page and "Awaiting an answer" in page
    assert "Withdraw the request" in page and "Accept the request" not in page
    sharing = employee_client.get(reverse("reflection:sharing")).content.decode()
    assert (
        f'<a href="{conversation.get_absolute_url()}">Mona Manager</a> <span class="status status--requested">'
        in sharing
    )


def test_asking_the_same_colleague_again_while_open_says_so_and_adds_nothing(employee_client, asked):
    response = employee_client.post(
        reverse("reflection:sharing"), {"conversation": "1", "colleague": "Mona Manager", "message": "Again?"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "You asked Mona Manager for a career conversation on" in content
    assert "awaiting an answer: see it, or withdraw it, before asking again." in content
    assert "<title>Error: Sharing" in content
    assert ConversationRequest.objects.count() == 1


def test_the_colleague_accepts_and_both_sides_see_it_accepted(employee_client, manager, asked):
    as_manager = logged_in(manager)
    listed = as_manager.get(reverse("reflection:shared_with_me")).content.decode()
    assert f'<a href="{asked.get_absolute_url()}">Answer<span class="visually-hidden"> Test User' in listed
    page = as_manager.get(asked.get_absolute_url()).content.decode()
    assert "Request from Test User" in page and "Can we talk about finance?" in page
    assert "Accept the request" in page and "Decline the request" in page and "Withdraw" not in page

    response = as_manager.post(
        reverse("reflection:request_accept", args=[asked.pk]),
        {"accept-proposed_at": "", "proposed_at": "2026-12-08T10:30", "note": "My office, bring the plan."},
    )

    assert response.status_code == 302 and response["Location"] == asked.get_absolute_url()
    asked.refresh_from_db()
    assert asked.state == "accepted" and asked.answer == "My office, bring the plan."
    assert timezone.localtime(asked.proposed_at).strftime("%Y-%m-%d %H:%M") == "2026-12-08 10:30"
    for client in (employee_client, as_manager):
        page = client.get(asked.get_absolute_url()).content.decode()
        assert '<span class="status status--accepted" id="request-state">Accepted</span>' in page
        assert "Tuesday 8 December 2026, 10:30" in page and "My office, bring the plan." in page
    assert "Mark as held" in as_manager.get(asked.get_absolute_url()).content.decode()
    assert "Accepted" in employee_client.get(reverse("reflection:sharing")).content.decode()


def test_accepting_with_neither_a_time_nor_a_note_is_refused_with_the_form_again(manager, asked):
    response = logged_in(manager).post(reverse("reflection:request_accept", args=[asked.pk]), {"note": " "})
    assert response.status_code == 400
    content = response.content.decode()
    assert "<title>Error: Request from" in content
    assert "Propose a time or write a note on how you will meet." in content
    asked.refresh_from_db()
    assert asked.state == "requested"


def test_the_colleague_declines_with_a_message_the_employee_reads(employee_client, manager, asked):
    response = logged_in(manager).post(
        reverse("reflection:request_decline", args=[asked.pk]), {"message": "Talk to Priya in finance first."}
    )
    assert response.status_code == 302
    page = employee_client.get(asked.get_absolute_url()).content.decode()
    assert "Mona Manager declined" in page and "Talk to Priya in finance first." in page
    assert "Withdraw the request" not in page


def test_marked_held_with_agreed_actions_that_go_on_the_plan_with_one_click(employee_client, employee, manager, asked):
    objective = ObjectiveFactory(owner=employee, title="Learn the numbers")
    as_manager = logged_in(manager)
    as_manager.post(reverse("reflection:request_accept", args=[asked.pk]), {"note": "Tuesday"})
    response = as_manager.post(
        reverse("reflection:request_held", args=[asked.pk]),
        {"notes": "Good talk.", "agreed_actions": "Shadow the month-end close\nRead the forecast pack"},
    )
    assert response.status_code == 302
    page = employee_client.get(asked.get_absolute_url()).content.decode()
    assert '<span class="status status--held" id="request-state">Held</span>' in page
    assert "Good talk." in page and page.count("Add to my plan<span") == 2
    shadow = asked.notes.get(body="Shadow the month-end close")

    response = employee_client.post(
        reverse("reflection:request_adopt", args=[asked.pk]),
        {"objective": objective.pk, "kind": "shadowing", "note": shadow.pk},
    )

    assert response.status_code == 302
    action = Action.objects.get(objective=objective)
    assert (action.title, action.kind) == ("Shadow the month-end close", "shadowing")
    page = employee_client.get(response["Location"]).content.decode()
    assert "“Shadow the month-end close” is on your plan, under “Learn the numbers”." in page
    assert page.count("Add to my plan<span") == 1 and "agreed action, on the plan" in page
    again = employee_client.post(
        reverse("reflection:request_adopt", args=[asked.pk]),
        {"objective": objective.pk, "kind": "shadowing", "note": shadow.pk},
    )
    assert again.status_code == 409
    assert Action.objects.filter(objective=objective).count() == 1


def test_either_side_adds_a_note_after_the_conversation(employee_client, manager, asked):
    ConversationRequest.objects.filter(pk=asked.pk).update(state="held")
    for client, body in [(employee_client, "Thank you!"), (logged_in(manager), "Send me the pack.")]:
        assert client.post(reverse("reflection:request_note", args=[asked.pk]), {"body": body}).status_code == 302
    page = employee_client.get(asked.get_absolute_url()).content.decode()
    assert "Thank you!" in page and "Send me the pack." in page


def test_the_employee_withdraws_and_the_colleague_sees_it_withdrawn(employee_client, manager, asked):
    response = employee_client.post(reverse("reflection:request_withdraw", args=[asked.pk]))
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.state == "withdrawn"
    page = logged_in(manager).get(asked.get_absolute_url()).content.decode()
    assert "Test User" in page and "withdrew the request" in page and "Accept the request" not in page


def test_an_answer_to_a_request_that_changed_meanwhile_says_what_happened(employee_client, manager, asked):
    employee_client.post(reverse("reflection:request_withdraw", args=[asked.pk]))
    response = logged_in(manager).post(reverse("reflection:request_accept", args=[asked.pk]), {"note": "Monday"})
    assert response.status_code == 409
    content = response.content.decode()
    assert "This request cannot be accepted now: it was withdrawn." in content
    assert '<span class="status status--withdrawn" id="request-state">Withdrawn</span>' in content
    asked.refresh_from_db()
    assert (asked.state, asked.answer) == ("withdrawn", "")


def test_the_asker_cannot_answer_their_own_request(employee_client, asked):
    response = employee_client.post(reverse("reflection:request_accept", args=[asked.pk]), {"note": "Sure"})
    assert response.status_code == 403
    assert "Only Mona Manager can accept this request." in response.content.decode()
    asked.refresh_from_db()
    assert asked.state == "requested"


def test_the_colleague_sees_open_requests_first(manager):
    old_open = ConversationRequestFactory(colleague=manager, message="Old but open")
    ConversationRequestFactory(colleague=manager, message="Newer, declined", state="declined")
    accepted = ConversationRequestFactory(colleague=manager, message="Newest, accepted", state="accepted")
    ConversationRequest.objects.filter(pk=old_open.pk).update(created_at=timezone.now() - datetime.timedelta(days=9))
    page = logged_in(manager).get(reverse("reflection:shared_with_me")).content.decode()
    assert page.index("Newest, accepted") < page.index("Old but open") < page.index("Newer, declined")
    assert f'<a href="{accepted.get_absolute_url()}">Mark as held' in page


# The employee's own data.


@pytest.fixture
def two_toolkits(employee, other_employee):
    for user in (employee, other_employee):
        story = StoryFactory(title=f"Story explored by {user.username}")
        StoryVisitFactory(owner=user, story=story)
        SavedStoryFactory(owner=user, story=story)
        ReflectionFactory(owner=user, title=f"Reflection of {user.username}")
        SelfAssessmentFactory(owner=user)
        AspirationFactory(owner=user)
        objective = ObjectiveFactory(owner=user, title=f"Objective of {user.username}")
        ActionFactory(objective=objective)
    ObjectiveCommentFactory(objective=Objective.objects.get(owner=other_employee), author=other_employee)
    PlanShareFactory(owner=other_employee, shared_with=employee)


def toolkit_counts(user) -> dict:
    from reflection.models import Aspiration

    owned = (StoryVisit, SavedStory, Reflection, SelfAssessment, Aspiration, Objective, ConversationRequest)
    counts = {model.__name__: model.objects.filter(owner=user).count() for model in owned}
    counts["Action"] = Action.objects.filter(objective__owner=user).count()
    counts["PlanShare"] = PlanShare.objects.filter(owner=user).count()
    counts["ObjectiveComment"] = ObjectiveComment.objects.filter(author=user).count()
    return counts


def test_the_json_export_holds_the_owners_data_and_nothing_of_anybody_else(employee_client, two_toolkits):
    response = employee_client.get(reverse("reflection:export_json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="career-plan-erin.json"'
    data = json.loads(response.content)
    assert [r["title"] for r in data["reflections"]] == ["Reflection of erin"]
    assert [o["title"] for o in data["objectives"]] == ["Objective of erin"]
    assert [v["story"]["title"] for v in data["explored"]] == ["Story explored by erin"]
    assert "olu" not in response.content.decode()


def test_the_markdown_export_has_the_objectives(employee_client, two_toolkits):
    response = employee_client.get(reverse("reflection:export_md"))
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    content = response.content.decode()
    assert "### Objective of erin (On track)" in content
    assert "Objective of olu" not in content


def test_deleting_everything_needs_the_word_delete(employee_client, employee, two_toolkits):
    before = toolkit_counts(employee)
    response = employee_client.post(reverse("reflection:delete_all"), {"confirm": "yes please"})
    assert response.status_code == 200
    assert "Type DELETE" in response.content.decode()
    assert toolkit_counts(employee) == before
    assert before["Reflection"] == before["Objective"] == 1


def test_deleting_everything_removes_the_owners_toolkit_and_nobody_elses(
    employee_client, employee, other_employee, two_toolkits
):
    others = toolkit_counts(other_employee)
    response = employee_client.post(reverse("reflection:delete_all"), {"confirm": "DELETE"})
    assert response.status_code == 302
    assert response["Location"] == reverse("reflection:dashboard")
    assert set(toolkit_counts(employee).values()) == {0}
    assert toolkit_counts(other_employee) == others
    assert PlanShare.objects.filter(owner=other_employee, shared_with=employee).exists()


# The dashboard.


def test_the_dashboard_suggests_unopened_stories_with_skills_i_want_to_develop(employee_client, employee, skill):
    SelfAssessmentFactory(owner=employee, skill=skill, wants_to_develop=True)
    StoryFactory(title="Negotiating abroad", skills=[skill])
    opened = StoryFactory(title="Already opened", skills=[skill])
    StoryVisitFactory(owner=employee, story=opened)

    content = employee_client.get(reverse("reflection:dashboard")).content.decode()

    assert "Negotiating abroad" in content
    assert "Because you want to develop Negotiation" in content
    assert "Already opened" not in content.split("Suggested for you")[1]


def test_a_suggestion_names_every_skill_it_is_for_and_prefers_what_i_want_over_what_i_plan(
    employee_client, employee, skill
):
    planning, budgeting = SkillFactory(name="Planning"), SkillFactory(name="Budgeting")
    for wanted in (skill, planning):
        SelfAssessmentFactory(owner=employee, skill=wanted, wants_to_develop=True)
    ObjectiveFactory(owner=employee, skills=[budgeting])
    StoryFactory(title="Buying for a region", skills=[planning, budgeting, skill])
    StoryFactory(title="Owning the budget", skills=[budgeting])
    other = UserFactory(username="olga")  # what another employee wants is no reason for mine
    SelfAssessmentFactory(owner=other, skill=SkillFactory(name="Hiring"), wants_to_develop=True)
    StoryFactory(title="Hiring a team", skills=[Skill.objects.get(name="Hiring")])

    suggested = employee_client.get(reverse("reflection:dashboard")).content.decode().split("Suggested for you")[1]

    assert "Because you want to develop Negotiation and Planning" in suggested
    assert "Because your plan builds Budgeting" in suggested
    assert "Hiring a team" not in suggested


def _gap_passes() -> None:
    """As when PORTAL_VISIT_GAP_SECONDS have passed since the last counted visit."""
    gap = datetime.timedelta(seconds=settings.PORTAL_VISIT_GAP_SECONDS + 1)
    StoryVisit.objects.update(last_visited_at=F("last_visited_at") - gap)


def tick_button(action) -> str:
    """The start of an action's checkbox-like button, as the plan and the objective page show it."""
    pressed = "true" if action.is_done else "false"
    return f'aria-pressed="{pressed}"><span class="tick-button__box" aria-hidden="true"></span>{action.title}</button>'


def test_actions_are_listed_once_each_with_its_checkbox(employee_client, employee):
    objective = ObjectiveFactory(owner=employee)
    action = ActionFactory(objective=objective, title="Call Marcus")
    page = employee_client.get(objective.get_absolute_url()).content.decode()
    assert page.count("Call Marcus</button>") == 1
    assert page.count("Call Marcus") == 2  # the checkbox, and the hidden name of its "Remove" button
    assert tick_button(action) in page


def test_an_action_is_ticked_from_the_plan_and_the_plan_comes_back_at_it(employee_client, employee):
    action = ActionFactory(objective=ObjectiveFactory(owner=employee), title="Call Marcus")
    plan = employee_client.get(reverse("reflection:plan")).content.decode()
    assert tick_button(action) in plan
    assert f'<input type="hidden" name="next" value="/me/plan/#action-{action.pk}">' in plan

    response = employee_client.post(
        reverse("reflection:action_done", args=[action.pk]), {"done": "1", "next": f"/me/plan/#action-{action.pk}"}
    )
    assert response["Location"] == f"/me/plan/#action-{action.pk}"
    action.refresh_from_db()
    assert action.is_done
    assert tick_button(action) in employee_client.get(reverse("reflection:plan")).content.decode()


def meta_line(page: str, after: str) -> list[str]:
    """The parts of the first facts line ("Course · due 9 Jan") after `after` in the page: each its own element, the
    dots drawn by CSS between them; any text outside the parts (a stray "·") is returned too, and fails a comparison."""
    start = page.index(after)
    line = re.compile(r'class="muted meta">(.*?)(?:</span>\s*(?:<form|</li>)|</p>)', re.S).search(page, start).group(1)
    parts = re.findall(r"<span>(.*?)</span>", line)
    stray = re.sub(r"<span>.*?</span>", "", line).strip()
    return parts + ([stray] if stray else [])


def test_an_actions_facts_have_dots_only_between_them(employee_client, employee):
    objective = ObjectiveFactory(owner=employee)
    plain = ActionFactory(objective=objective, kind=Action.Kind.READING, due_date=None)
    dated = ActionFactory(
        objective=objective, kind=Action.Kind.COURSE, due_date=datetime.date(2027, 1, 9), done_at=timezone.now()
    )
    for url in (reverse("reflection:plan"), objective.get_absolute_url()):
        page = employee_client.get(url).content.decode()
        assert meta_line(page, f'id="action-{plain.pk}"') == ["Reading"]
        assert meta_line(page, f'id="action-{dated.pk}"') == ["Course", "due 9 Jan", "done"]


def test_a_removed_action_comes_back_with_undo(employee_client, employee):
    objective = ObjectiveFactory(owner=employee)
    done_at = timezone.now().replace(microsecond=0)
    action = ActionFactory(
        objective=objective, kind="mentoring", title="Call Marcus", due_date=datetime.date(2027, 1, 5), done_at=done_at
    )
    response = employee_client.post(reverse("reflection:action_delete", args=[action.pk]))
    assert response["Location"] == f"{objective.get_absolute_url()}#removed"
    assert not Action.objects.filter(objective=objective).exists()

    page = employee_client.get(objective.get_absolute_url()).content.decode()
    assert 'role="status" tabindex="-1" data-status id="removed"' in page
    assert "“Call Marcus” removed." in page
    undo = dict(re.findall(r'<input type="hidden" name="(kind|title|due_date|done_at)" value="([^"]*)"', page))
    assert "“Call Marcus” removed." not in employee_client.get(objective.get_absolute_url()).content.decode()

    response = employee_client.post(reverse("reflection:action_restore", args=[objective.pk]), undo)
    restored = Action.objects.get(objective=objective)
    assert response["Location"] == f"{objective.get_absolute_url()}#action-{restored.pk}"
    assert (restored.kind, restored.title, restored.due_date, restored.done_at) == (
        "mentoring",
        "Call Marcus",
        datetime.date(2027, 1, 5),
        done_at,
    )
    assert "“Call Marcus” is back." in employee_client.get(objective.get_absolute_url()).content.decode()


def test_undo_cannot_bring_an_action_into_another_employees_objective(employee_client, other_employee):
    objective = ObjectiveFactory(owner=other_employee)
    response = employee_client.post(
        reverse("reflection:action_restore", args=[objective.pk]), {"kind": "course", "title": "Sneaked in"}
    )
    assert response.status_code == 404
    assert not Action.objects.filter(title="Sneaked in").exists()


def test_the_assessments_show_level_names_and_what_each_level_looks_like(employee_client, employee, skill):
    ProficiencyLevel = skill.framework.levels.model
    ProficiencyLevel.objects.filter(framework=skill.framework, level=2).update(description="Works unaided.")
    other = SkillFactory(framework=skill.framework, name="Coaching", level_descriptors={"3": "Coaches a team."})
    SelfAssessmentFactory(owner=employee, skill=skill, level=2)
    SelfAssessmentFactory(owner=employee, skill=other, level=3)
    page = employee_client.get(reverse("reflection:assessment")).content.decode()
    assert '<strong>2 · Level 2</strong><br><span class="muted">Works unaided.</span>' in page
    assert '<strong>3 · Level 3</strong><br><span class="muted">Coaches a team.</span>' in page  # the skill's own
    assert '<table class="table table--stack">' in page and '<td data-label="Level">' in page
    assert "table-wrap" not in page  # no sideways scrolling on a phone

    form = employee_client.get(reverse("reflection:assess_skill", args=[other.slug])).content.decode()
    assert "3. Level 3: Coaches a team." in form

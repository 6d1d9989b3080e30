"""The toolkit's writes, called directly: what each service stores, refuses and sends."""

import datetime
from html.parser import HTMLParser

import markdown
import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import F

from careerportal.people import colleague_find
from reflection import services
from reflection.models import (
    Action,
    Aspiration,
    ConversationRequest,
    Objective,
    ObjectiveComment,
    PlanShare,
    Reflection,
    SavedStory,
    SelfAssessment,
    StoryVisit,
)
from skills.models import Skill
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


@pytest.fixture
def skill():
    framework = FrameworkFactory()
    for level in (1, 2, 3):
        ProficiencyLevelFactory(framework=framework, level=level, name=f"Level {level}")
    return SkillFactory(framework=framework, name="Negotiation")


# Explored and saved stories.


def test_visiting_a_story_again_counts_it_and_moves_only_the_last_visit(employee):
    story = StoryFactory()
    services.story_visit_record(user=employee, story=story)
    visit = StoryVisit.objects.get(owner=employee, story=story)
    first, last = visit.first_visited_at, visit.last_visited_at

    services.story_visit_record(user=employee, story=story)  # within the gap: the same visit
    visit.refresh_from_db()
    assert (visit.visits, visit.last_visited_at) == (1, last)
    _gap_passes()

    services.story_visit_record(user=employee, story=story)

    visit.refresh_from_db()
    assert visit.visits == 2
    assert visit.first_visited_at == first
    assert visit.last_visited_at > last
    assert StoryVisit.objects.count() == 1


def test_progress_keeps_the_furthest_point_within_the_story(employee):
    story = StoryFactory(video=True)  # 12 seconds long
    services.story_progress_record(user=employee, story=story, seconds=8)
    services.story_progress_record(user=employee, story=story, seconds=3)
    assert StoryVisit.objects.get(owner=employee, story=story).furthest_seconds == 8

    services.story_progress_record(user=employee, story=story, seconds=500)
    assert StoryVisit.objects.get(owner=employee, story=story).furthest_seconds == 12


def test_saving_twice_keeps_one_row_and_unsaving_removes_it(employee):
    story = StoryFactory()
    services.story_save(user=employee, story=story, saved=True)
    services.story_save(user=employee, story=story, saved=True)
    assert SavedStory.objects.filter(owner=employee, story=story).count() == 1
    services.story_save(user=employee, story=story, saved=False)
    assert not SavedStory.objects.filter(owner=employee).exists()


# Self-assessment.


def test_reassessing_adds_to_the_history(employee, skill):
    services.self_assess(user=employee, skill=skill, level=1, is_strength=False, wants_to_develop=True)
    services.self_assess(user=employee, skill=skill, level=3, is_strength=True, wants_to_develop=False)
    assert list(SelfAssessment.objects.for_owner(employee).values_list("level", flat=True)) == [3, 1]


def test_a_level_off_the_frameworks_scale_is_refused(employee, skill):
    with pytest.raises(ValidationError, match=r"1, 2, 3"):
        services.self_assess(user=employee, skill=skill, level=7, is_strength=False, wants_to_develop=False)
    assert not SelfAssessment.objects.exists()


def test_a_category_cannot_be_assessed(employee, skill):
    category = SkillFactory(framework=skill.framework, kind=Skill.Kind.CATEGORY)
    with pytest.raises(ValidationError):
        services.self_assess(user=employee, skill=category, level=1, is_strength=False, wants_to_develop=False)
    assert not SelfAssessment.objects.exists()


# Objectives.


def test_saving_an_objective_opened_before_another_save_is_a_conflict(employee, skill):
    objective = ObjectiveFactory(owner=employee, title="First")
    first_tab = Objective.objects.get(pk=objective.pk)
    second_tab = Objective.objects.get(pk=objective.pk)

    first_tab.title = "From the first tab"
    services.objective_save(objective=first_tab, version=1, skills=[skill], stories=[])
    second_tab.title = "From the second tab"
    with pytest.raises(services.EditConflict) as conflict:
        services.objective_save(objective=second_tab, version=1, skills=[], stories=[])

    assert conflict.value.current.title == "From the first tab"
    objective.refresh_from_db()
    assert (objective.title, objective.version) == ("From the first tab", 2)
    assert list(objective.skills.all()) == [skill]


def test_an_action_ticked_done_and_unticked(employee):
    action = ActionFactory(objective=ObjectiveFactory(owner=employee))
    services.action_set_done(action=action, done=True)
    action.refresh_from_db()
    assert action.done_at is not None
    services.action_set_done(action=action, done=False)
    action.refresh_from_db()
    assert action.done_at is None


# Sharing, comments and conversations.


@pytest.mark.parametrize("who", ["olu", "OLU", " olu@example.com ", "Olu@Example.com"])
def test_a_colleague_is_found_by_username_or_email(employee, other_employee, who):
    assert colleague_find(owner=employee, who=who) == other_employee


@pytest.mark.parametrize(
    ("who", "message"),
    [("nobody", "No colleague has the name, username or email “nobody”."), ("erin", "other than yourself")],
)
def test_unknown_colleagues_and_oneself_are_refused(employee, who, message):
    with pytest.raises(ValidationError, match=message):
        colleague_find(owner=employee, who=who)


def test_an_inactive_colleague_is_not_found(employee):
    UserFactory(username="gone", is_active=False)
    with pytest.raises(ValidationError, match="No colleague"):
        colleague_find(owner=employee, who="gone")


def test_sharing_twice_keeps_one_share_and_sends_one_email(employee, other_employee, tasks_run):
    first = services.plan_share(owner=employee, colleague=other_employee)
    second = services.plan_share(owner=employee, colleague=other_employee)
    tasks_run()
    assert first == second
    assert PlanShare.objects.active().count() == 1
    assert [message.to for message in mail.outbox] == [["olu@example.com"]]
    assert f"/me/shared-with-me/{employee.pk}/" in mail.outbox[0].body


def test_sharing_again_after_stopping_makes_a_new_share(employee, other_employee):
    share = services.plan_share(owner=employee, colleague=other_employee)
    services.plan_unshare(share=share)
    share.refresh_from_db()
    assert share.revoked_at is not None
    again = services.plan_share(owner=employee, colleague=other_employee)
    assert again.pk != share.pk
    assert list(PlanShare.objects.active()) == [again]


def test_a_colleagues_comment_emails_the_owner_but_the_owners_own_does_not(employee, other_employee, tasks_run):
    objective = ObjectiveFactory(owner=employee, title="Lead a team")
    services.objective_comment(objective=objective, author=other_employee, body="  Good plan.  ")
    services.objective_comment(objective=objective, author=employee, body="Thanks!")
    tasks_run()
    assert list(objective.comments.values_list("body", flat=True)) == ["Good plan.", "Thanks!"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["erin@example.com"]
    assert "Lead a team" in mail.outbox[0].subject
    assert "Good plan." in mail.outbox[0].body


def test_a_blank_comment_is_refused(employee):
    objective = ObjectiveFactory(owner=employee)
    with pytest.raises(ValidationError):
        services.objective_comment(objective=objective, author=employee, body="   ")
    assert not ObjectiveComment.objects.exists()


def test_a_conversation_request_emails_the_colleague_with_the_agenda(employee, other_employee, tasks_run):
    objective = ObjectiveFactory(owner=employee, title="Lead a team")
    story = StoryFactory(title="Into finance")
    request = services.conversation_request(
        owner=employee, colleague=other_employee, message="Coffee?", objectives=[objective], stories=[story]
    )
    tasks_run()
    assert list(request.objectives.all()) == [objective]
    assert list(request.stories.all()) == [story]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["olu@example.com"]
    for text in ("Coffee?", "- Lead a team", "- Story: Into finance", "/me/shared-with-me/"):
        assert text in mail.outbox[0].body


# Export and deletion.


def fill_toolkit(user, *, colleague) -> None:
    story = StoryFactory()
    StoryVisitFactory(owner=user, story=story)
    SavedStoryFactory(owner=user, story=story)
    ReflectionFactory(owner=user, story=story, title=f"Reflection of {user.username}")
    SelfAssessmentFactory(owner=user)
    AspirationFactory(owner=user)
    objective = ObjectiveFactory(owner=user, title=f"Objective of {user.username}")
    ActionFactory(objective=objective)
    ObjectiveCommentFactory(objective=objective, author=colleague)
    PlanShareFactory(owner=user, shared_with=colleague)
    ConversationRequestFactory(owner=user, colleague=colleague, objectives=[objective])


TOOLKIT_MODELS = (StoryVisit, SavedStory, Reflection, SelfAssessment, Aspiration, Objective, ConversationRequest)


def test_deleting_the_toolkit_removes_all_of_the_users_rows_and_nobody_elses(employee, other_employee):
    fill_toolkit(employee, colleague=other_employee)
    fill_toolkit(other_employee, colleague=employee)
    others_rows = {model.__name__: model.objects.filter(owner=other_employee).count() for model in TOOLKIT_MODELS}

    services.toolkit_delete(employee)

    for model in TOOLKIT_MODELS:
        assert not model.objects.filter(owner=employee).exists(), model
    assert not Action.objects.filter(objective__owner=employee).exists()
    assert not PlanShare.objects.filter(owner=employee).exists()
    assert not ObjectiveComment.objects.filter(author=employee).exists()
    assert {model.__name__: model.objects.filter(owner=other_employee).count() for model in TOOLKIT_MODELS} == (
        others_rows
    )
    assert Action.objects.filter(objective__owner=other_employee).count() == 1
    assert PlanShare.objects.filter(owner=other_employee).count() == 1
    assert employee.__class__.objects.filter(pk=employee.pk).exists()  # the account stays


def test_the_export_holds_the_users_data_only(employee, other_employee):
    fill_toolkit(employee, colleague=other_employee)
    fill_toolkit(other_employee, colleague=employee)
    data = services.toolkit_export(employee)
    assert data["user"] == "erin"
    assert [r["title"] for r in data["reflections"]] == ["Reflection of erin"]
    assert [o["title"] for o in data["objectives"]] == ["Objective of erin"]
    assert len(data["explored"]) == len(data["saved"]) == len(data["self_assessments"]) == 1
    assert data["aspiration"]["long_term_goals"] == "Lead a finance team abroad."
    assert "of olu" not in services.toolkit_export_json(employee)  # not even the title of what erin commented on
    assert len(data["comments_i_wrote"]) == 1  # the comment erin wrote on olu's objective


def test_the_markdown_export_lists_objectives_with_actions_and_comments(employee, other_employee):
    objective = ObjectiveFactory(
        owner=employee, title="Lead a team", target_date=datetime.date(2026, 9, 30), why="To grow."
    )
    ActionFactory(objective=objective, title="Shadow a manager", kind=Action.Kind.SHADOWING)
    ObjectiveCommentFactory(objective=objective, author=other_employee, body="Happy to help.")
    text = services.toolkit_export_markdown(employee)
    assert "### Lead a team (On track)" in text
    assert "**Target date:** 30 September 2026" in text
    assert "- [ ] Shadowing: Shadow a manager" in text
    assert "> Test User" in text and "Happy to help." in text


# Every piece of user text that the Markdown export holds, with a hostile value: each tries a heading (ATX and
# underlined), HTML, a list (bulleted, numbered), links (inline, automatic, reference), emphasis, code (spans and
# indented), a quotation, a rule, a line break and entities. Each is under 100 characters (a skill's name is).
def hostile(field: str) -> str:
    return (
        f"{field}<b>\n# h\nT\n==\n- i\n1. n\n[l](//e.x) <https://a.x> <!--c-->\n*s* _u_ `c` \\ | &amp;\n"
        "    k  \n> q\n---"
    )


class RenderedMarkdown(HTMLParser):
    """The tags of the rendered export, the text of each heading and list item, and all of its text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.blocks, self.text, self._open = [], [], [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6", "li"}:
            self._open = [tag, ""]
            self.blocks.append(self._open)

    def handle_endtag(self, tag):
        if self._open and tag == self._open[0]:
            self._open = None

    def handle_data(self, data):
        self.text.append(data)
        if self._open:
            self._open[1] += data


def words(text: str) -> str:
    return " ".join(text.split())


def test_the_markdown_export_shows_user_text_as_written_and_never_as_markdown_or_html(db):
    user = UserFactory(username=hostile("username"), first_name="", last_name="")
    colleague = UserFactory(first_name=hostile("first name"), last_name="Bell")
    AspirationFactory(owner=user, long_term_goals=hostile("goals"), trade_offs=hostile("trade-offs"))
    objective = ObjectiveFactory(
        owner=user,
        title=hostile("title"),
        why=hostile("why"),
        success_measure=hostile("measure"),
        skills=[SkillFactory(name=hostile("skill"))],
    )
    ActionFactory(objective=objective, title=hostile("action"))
    ObjectiveCommentFactory(objective=objective, author=colleague, body=hostile("comment"))
    ReflectionFactory(owner=user, title=hostile("reflection"), **{name: hostile(name) for name in Reflection.PROMPTS})
    SelfAssessmentFactory(owner=user, skill=SkillFactory(name=hostile("assessed")), note=hostile("note"))

    rendered = RenderedMarkdown(markdown.markdown(services.toolkit_export_markdown(user)))

    assert set(rendered.tags) == {"h1", "h2", "h3", "p", "strong", "ul", "li", "blockquote"}
    assert [(tag, text.split("<b>")[0]) for tag, text in rendered.blocks] == [
        ("h1", "My career development plan (username"),
        ("h2", "Aspirations"),
        ("li", "Track: Not sure yet"),
        ("li", "Time horizon: In two or three years"),
        ("li", "Open to another function: no"),
        ("li", "Open to relocation: no"),
        ("h2", "Objectives"),
        ("h3", "title"),
        ("li", "[ ] Course: action"),
        ("h2", "Reflections"),
        ("h3", "reflection"),
        ("h2", "Self-assessment"),
        ("li", "assessed"),
    ]
    text = words("".join(rendered.text))
    fields = ["username", "first name", "goals", "trade-offs", "title", "why", "measure", "skill", "action"]
    fields += ["comment", "reflection", *Reflection.PROMPTS, "assessed", "note"]
    for field in fields:
        assert words(hostile(field)) in text, field


def _gap_passes() -> None:
    """As when PORTAL_VISIT_GAP_SECONDS have passed since the last counted visit."""
    gap = datetime.timedelta(seconds=settings.PORTAL_VISIT_GAP_SECONDS + 1)
    StoryVisit.objects.update(last_visited_at=F("last_visited_at") - gap)

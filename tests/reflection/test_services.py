"""The toolkit's writes, called directly: what each service stores, refuses and sends."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import markdown
import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from careerportal.models import Notification
from careerportal.people import colleague_find
from reflection import services
from reflection.models import (
    Action,
    Aspiration,
    ConversationNote,
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
    for text in ("Coffee?", "- Lead a team", "- Story: Into finance", request.get_absolute_url()):
        assert text in mail.outbox[0].body


# Conversation requests: every change of state is a service that checks the state and the side.


@pytest.fixture
def asked(employee, other_employee):
    """Erin asked Olu (her colleague, who answers) for a conversation."""
    return services.conversation_request(
        owner=employee, colleague=other_employee, message="Coffee?", objectives=[], stories=[]
    )


def _accepted(conversation):
    return services.conversation_accept(conversation=conversation, by=conversation.colleague, note="Tuesday, 10:00")


def _held(conversation, **kwargs):
    _accepted(conversation)
    return services.conversation_hold(conversation=conversation, by=conversation.colleague, **kwargs)


def _state(conversation) -> str:
    conversation.refresh_from_db()
    return conversation.state


def test_a_new_request_awaits_an_answer(asked):
    assert (_state(asked), asked.state_changed_at, asked.answer) == ("requested", None, "")


def test_the_colleague_accepts_with_a_proposed_time_and_a_note(asked, other_employee):
    when = timezone.now() + datetime.timedelta(days=2)
    services.conversation_accept(conversation=asked, by=other_employee, proposed_at=when, note=" My office ")
    asked.refresh_from_db()
    assert (asked.state, asked.proposed_at, asked.answer) == ("accepted", when, "My office")
    assert asked.state_changed_at is not None


def test_accepting_needs_a_time_or_a_note(asked, other_employee):
    with pytest.raises(services.RequestRefused, match="Propose a time or write a note"):
        services.conversation_accept(conversation=asked, by=other_employee, note="  ")
    assert _state(asked) == "requested"


def test_the_colleague_declines_with_a_message(asked, other_employee):
    services.conversation_decline(conversation=asked, by=other_employee, message="Ask Priya in finance instead.")
    asked.refresh_from_db()
    assert (asked.state, asked.answer) == ("declined", "Ask Priya in finance instead.")


def test_declining_needs_a_message(asked, other_employee):
    with pytest.raises(services.RequestRefused, match="Write a message"):
        services.conversation_decline(conversation=asked, by=other_employee, message="")
    assert _state(asked) == "requested"


def test_an_accepted_conversation_is_marked_held_with_notes_and_agreed_actions(asked, other_employee):
    _held(asked, notes="Good talk.", agreed_actions=["Shadow the month-end close", " ", "Read the forecast pack"])
    assert _state(asked) == "held"
    notes = list(asked.notes.values_list("author__username", "body", "agreed_action"))
    assert notes == [
        ("olu", "Good talk.", False),
        ("olu", "Shadow the month-end close", True),
        ("olu", "Read the forecast pack", True),
    ]


@pytest.mark.parametrize("state", ["requested", "accepted"])
def test_the_asker_withdraws_an_open_request(asked, employee, state):
    if state == "accepted":
        _accepted(asked)
    services.conversation_withdraw(conversation=asked, by=employee)
    assert _state(asked) == "withdrawn"


# (change, who: the asker or the colleague, what the refusal says); each refused from the states that do not allow it.
CHANGES = {
    "accept": (lambda c, by: services.conversation_accept(conversation=c, by=by, note="Mon"), "colleague",
               ("accept", "accepted")),
    "decline": (lambda c, by: services.conversation_decline(conversation=c, by=by, message="No"), "colleague",
                ("decline", "declined")),
    "hold": (lambda c, by: services.conversation_hold(conversation=c, by=by), "colleague",
             ("mark as held", "marked as held")),
    "withdraw": (lambda c, by: services.conversation_withdraw(conversation=c, by=by), "owner",
                 ("withdraw", "withdrawn")),
}  # fmt: skip
ALLOWED_FROM = {
    "accept": {"requested"},
    "decline": {"requested"},
    "hold": {"accepted"},
    "withdraw": {"requested", "accepted"},
}
WHY = {
    "requested": "it still awaits an answer",
    "accepted": "it was accepted already",
    "declined": "it was declined",
    "held": "it was held already",
    "withdrawn": "it was withdrawn",
}


@pytest.mark.parametrize(
    ("change", "state"),
    [(change, state) for change in CHANGES for state in WHY if state not in ALLOWED_FROM[change]],
)
def test_a_change_the_state_does_not_allow_is_refused_and_changes_nothing(asked, change, state):
    ConversationRequest.objects.filter(pk=asked.pk).update(state=state)
    before = ConversationRequest.objects.filter(pk=asked.pk).values().get()
    do, side, (_, done) = CHANGES[change]

    with pytest.raises(services.RequestRefused) as refused:
        do(asked, getattr(asked, side))

    assert refused.value.messages == [f"This request cannot be {done} now: {WHY[state]}."]
    assert refused.value.code == "state"
    assert ConversationRequest.objects.filter(pk=asked.pk).values().get() == before


@pytest.mark.parametrize("change", CHANGES)
def test_only_the_right_side_makes_each_change(asked, change):
    if change == "hold":
        _accepted(asked)
    do, side, (verb, _) = CHANGES[change]
    other_side = asked.owner if side == "colleague" else asked.colleague
    before = ConversationRequest.objects.filter(pk=asked.pk).values().get()

    with pytest.raises(services.RequestRefused) as refused:
        do(asked, other_side)

    assert refused.value.messages == [f"Only {getattr(asked, side).get_full_name()} can {verb} this request."]
    assert refused.value.code == "side"
    assert ConversationRequest.objects.filter(pk=asked.pk).values().get() == before


def test_a_second_open_request_to_the_same_colleague_is_refused(asked, employee, other_employee):
    with pytest.raises(services.RequestRefused, match="You asked Test User .* for a career conversation on .*"):
        services.conversation_request(owner=employee, colleague=other_employee, message="", objectives=[], stories=[])
    assert ConversationRequest.objects.count() == 1


def test_after_an_answer_that_closes_it_the_same_colleague_can_be_asked_again(asked, employee, other_employee):
    services.conversation_decline(conversation=asked, by=other_employee, message="Not this month.")
    again = services.conversation_request(
        owner=employee, colleague=other_employee, message="Next month?", objectives=[], stories=[]
    )
    assert _state(again) == "requested"
    assert ConversationRequest.objects.count() == 2


def test_the_database_holds_one_open_request_per_pair(asked):
    with pytest.raises(IntegrityError), transaction.atomic():
        ConversationRequestFactory(owner=asked.owner, colleague=asked.colleague, state="accepted")


def test_either_side_adds_notes_once_the_conversation_was_held(asked, employee, other_employee):
    with pytest.raises(services.RequestRefused, match="once the conversation was held"):
        services.conversation_note_add(conversation=asked, by=employee, body="Too early")
    _held(asked)
    services.conversation_note_add(conversation=asked, by=employee, body="Thanks!")
    services.conversation_note_add(conversation=asked, by=other_employee, body="Agreed", agreed_action=True)
    assert list(asked.notes.values_list("author__username", "body", "agreed_action")) == [
        ("erin", "Thanks!", False),
        ("olu", "Agreed", True),
    ]


def test_nobody_else_adds_a_note(asked):
    _held(asked)
    with pytest.raises(services.RequestRefused, match="Only the two people"):
        services.conversation_note_add(conversation=asked, by=UserFactory(), body="Me too")
    assert not asked.notes.exists()


def test_an_agreed_action_goes_on_the_askers_plan_once(asked, employee):
    objective = ObjectiveFactory(owner=employee)
    _held(asked, agreed_actions=["Shadow the month-end close"])
    note = asked.notes.get()
    as_another_tab_loaded_it = ConversationNote.objects.get(pk=note.pk)

    action = services.conversation_action_adopt(note=note, by=employee, objective=objective, kind="shadowing")

    assert (action.objective, action.kind, action.title) == (objective, "shadowing", "Shadow the month-end close")
    note.refresh_from_db()
    assert note.action == action
    with pytest.raises(services.RequestRefused, match="on your plan already"):
        services.conversation_action_adopt(
            note=as_another_tab_loaded_it, by=employee, objective=objective, kind="other"
        )
    assert Action.objects.filter(objective=objective).count() == 1


def test_only_the_asker_puts_an_agreed_action_on_their_own_plan(asked, employee, other_employee):
    _held(asked, agreed_actions=["Shadow the month-end close"])
    note = asked.notes.get()
    for by, objective in [(other_employee, ObjectiveFactory(owner=employee)), (employee, ObjectiveFactory())]:
        with pytest.raises(services.RequestRefused, match="Only Test User .* can put this action on their plan"):
            services.conversation_action_adopt(note=note, by=by, objective=objective, kind="other")
    assert not Action.objects.exists()


def test_the_export_holds_each_requests_state_answer_and_notes(asked, employee):
    _held(asked, notes="Good talk.")
    (exported,) = services.toolkit_export(employee)["conversation_requests"]
    assert (exported["state"], exported["answer"]) == ("Held", "Tuesday, 10:00")
    assert [(note["author"], note["body"]) for note in exported["notes"]] == [
        (asked.colleague.get_full_name(), "Good talk.")
    ]


# Two at once, each on its own thread and database connection (SQLite's writers queue; on PostgreSQL the conditional
# UPDATE waits for the other's row lock, and the unique index for the other's insert): one wins, the other is told.


def _at_once(*calls) -> list:
    """Runs the calls together, each on its own thread and connection; what each returned or raised."""
    start = threading.Barrier(len(calls))

    def run(call):
        try:
            start.wait()
            return call()
        except services.RequestRefused as refused:
            return refused
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.django_db(transaction=True)
def test_of_an_acceptance_and_a_refusal_at_once_exactly_one_wins(employee, other_employee):
    asked = ConversationRequestFactory(owner=employee, colleague=other_employee)

    outcomes = _at_once(
        lambda: services.conversation_accept(conversation=asked, by=other_employee, note="Monday at 10"),
        lambda: services.conversation_decline(conversation=asked, by=other_employee, message="Not now"),
    )

    refused = [outcome for outcome in outcomes if isinstance(outcome, services.RequestRefused)]
    assert len(refused) == 1
    state = _state(asked)
    assert state in ("accepted", "declined")
    assert refused[0].messages == [
        f"This request cannot be {'declined' if state == 'accepted' else 'accepted'} now: it was {state}"
        + (" already." if state == "accepted" else ".")
    ]


@pytest.mark.django_db(transaction=True)
def test_two_requests_to_one_colleague_at_once_make_one(employee, other_employee):
    def ask():
        return services.conversation_request(
            owner=employee, colleague=other_employee, message="Coffee?", objectives=[], stories=[]
        )

    outcomes = _at_once(ask, ask)

    assert ConversationRequest.objects.count() == 1
    assert sum(isinstance(outcome, services.RequestRefused) for outcome in outcomes) == 1


@pytest.mark.django_db(transaction=True)
def test_two_clicks_on_add_to_my_plan_at_once_add_one_action(employee, other_employee):
    asked = ConversationRequestFactory(owner=employee, colleague=other_employee, state="held")
    note = ConversationNote.objects.create(request=asked, author=other_employee, body="Shadow", agreed_action=True)
    objective = ObjectiveFactory(owner=employee)

    def adopt():
        return services.conversation_action_adopt(
            note=ConversationNote.objects.get(pk=note.pk), by=employee, objective=objective, kind="shadowing"
        )

    outcomes = _at_once(adopt, adopt)

    assert Action.objects.count() == 1
    assert sum(isinstance(outcome, services.RequestRefused) for outcome in outcomes) == 1
    note.refresh_from_db()
    assert note.action == Action.objects.get()


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


# Each change tells the other side in their inbox, with a link to the request's page, which they may open.


def _inbox(user) -> list[tuple[str, str, str, str]]:
    return list(
        Notification.objects.filter(recipient=user).values_list("kind", "text", "url", "actor__username").order_by("pk")
    )


def test_asking_puts_the_request_in_the_colleagues_inbox(asked, employee, other_employee):
    assert _inbox(other_employee) == [
        ("request", f"{employee.get_full_name()} asks you for a career conversation", asked.get_absolute_url(), "erin")
    ]
    assert _inbox(employee) == []


@pytest.mark.parametrize(
    ("change", "told", "text"),
    [
        ("accept", "owner", "{by} accepted your request for a career conversation"),
        ("decline", "owner", "{by} declined your request for a career conversation"),
        ("hold", "owner", "{by} marked a career conversation with you as held"),
        ("withdraw", "colleague", "{by} withdrew their request for a career conversation"),
    ],
)
def test_each_change_tells_the_other_side(asked, change, told, text):
    if change == "hold":
        _accepted(asked)
    Notification.objects.all().delete()
    do, side, _ = CHANGES[change]
    by = getattr(asked, side)

    do(asked, by)

    recipient = getattr(asked, told)
    assert _inbox(recipient) == [
        ("request", text.format(by=by.get_full_name()), asked.get_absolute_url(), by.get_username())
    ]
    assert _inbox(by) == []


def test_a_refused_change_tells_nobody(asked):
    services.conversation_decline(conversation=asked, by=asked.colleague, message="Not now")
    Notification.objects.all().delete()
    with pytest.raises(services.RequestRefused):
        services.conversation_accept(conversation=asked, by=asked.colleague, note="After all?")
    assert not Notification.objects.exists()

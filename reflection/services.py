"""Writes of the reflection toolkit: explored and saved stories, assessments, the plan, sharing, export, deletion."""

import datetime
import json
import logging
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, InternalError, OperationalError, transaction
from django.db.models import F, Prefetch
from django.urls import reverse
from django.utils import dateformat, timezone

from careerportal.models import Notification
from careerportal.notifications import notify
from reflection import selectors
from reflection.models import (
    Action,
    Aspiration,
    ConversationNote,
    ConversationRequest,
    Objective,
    ObjectiveComment,
    Openness,
    OpportunityInterest,
    PlanShare,
    Reflection,
    SavedStory,
    SelfAssessment,
    StoryVisit,
)
from skills.models import Skill
from stories.models import Opportunity, Story, Storyteller

logger = logging.getLogger(__name__)


class EditConflict(Exception):
    """The objective changed (in another tab, say) since the form was opened."""

    def __init__(self, current: Objective):
        super().__init__("The objective was changed since you opened it.")
        self.current = current


def on_story_viewed(sender, *, story: Story, user, **kwargs) -> None:
    if user.is_authenticated:
        story_visit_record(user=user, story=story)


def story_visit_record(*, user, story: Story) -> None:
    """Counts a visit: one read of the visit (through its unique index), then one INSERT the first time or one UPDATE.

    Opening the story again within PORTAL_VISIT_GAP_SECONDS of a counted visit is the same visit: nothing is written.
    Of two tabs opening it at once within the gap, one counts (the INSERT ignores the row the other made; the UPDATE
    counts only a visit still outside the gap); with no gap (0), every view counts. Each write is one statement, so
    it needs no transaction of its own. A database that refuses the write (read-only, full) costs the record, with a
    log line, not the story page.
    """
    now = timezone.now()
    gap = settings.PORTAL_VISIT_GAP_SECONDS
    visit = StoryVisit.objects.filter(owner=user, story=story)
    last = visit.values_list("last_visited_at", flat=True).first()
    if last is not None and gap and last > now - datetime.timedelta(seconds=gap):
        return
    try:
        if last is None:
            StoryVisit.objects.bulk_create(
                [StoryVisit(owner=user, story=story, first_visited_at=now, last_visited_at=now)], ignore_conflicts=True
            )
        else:  # with a gap, only a visit still outside it counts; without one, every view does
            counted = visit.filter(last_visited_at__lte=now - datetime.timedelta(seconds=gap)) if gap else visit
            counted.update(visits=F("visits") + 1, last_visited_at=now)
    except (OperationalError, InternalError):  # "read-only" from SQLite and PostgreSQL; a full disk; a lock timeout
        logger.warning("Visit of story %s by user %s not recorded", story.pk, user.pk, exc_info=True)


def story_progress_record(*, user, story: Story, seconds: int) -> None:
    """Remembers how far into a video or podcast the employee got (the furthest point, never less)."""
    seconds = max(0, min(seconds, story.duration_seconds or seconds))
    visit, _ = StoryVisit.objects.get_or_create(owner=user, story=story)
    if visit.furthest_seconds is None or seconds > visit.furthest_seconds:
        visit.furthest_seconds = seconds
        visit.save(update_fields=["furthest_seconds"])


def story_save(*, user, story: Story, saved: bool) -> None:
    if saved:
        SavedStory.objects.get_or_create(owner=user, story=story)
    else:
        SavedStory.objects.filter(owner=user, story=story).delete()


def self_assess(
    *, user, skill: Skill, level: int | None, is_strength: bool, wants_to_develop: bool, note: str = ""
) -> SelfAssessment:
    """Adds an assessment; earlier ones stay, so the change over time can be shown."""
    if not skill.is_taggable:
        raise ValidationError("Choose a skill or strength of the framework.")
    levels = set(skill.framework.levels.values_list("level", flat=True))
    if level is not None and level not in levels:
        raise ValidationError(f"Choose a level of the framework's scale ({', '.join(map(str, sorted(levels)))}).")
    assessment = SelfAssessment(
        owner=user, skill=skill, level=level, is_strength=is_strength, wants_to_develop=wants_to_develop, note=note
    )
    assessment.full_clean()
    assessment.save()
    return assessment


@transaction.atomic
def objective_save(*, objective: Objective, version: int | None, skills, stories) -> Objective:
    """Saves an objective edited in a form. If it changed since the form was opened (version differs), nothing
    is written and EditConflict carries what is saved now, so the person can compare and decide."""
    if objective.pk is None:
        objective.save()
    else:
        fields = ["title", "why", "success_measure", "target_date", "status"]
        values = {name: getattr(objective, name) for name in fields}
        updated = Objective.objects.filter(pk=objective.pk, owner=objective.owner, version=version).update(
            **values, version=F("version") + 1, updated_at=timezone.now()
        )
        if not updated:
            raise EditConflict(Objective.objects.get(pk=objective.pk))
        objective.refresh_from_db(fields=["version", "updated_at"])
    objective.skills.set(skills)
    objective.stories.set(stories)
    return objective


def action_set_done(*, action: Action, done: bool) -> None:
    action.done_at = timezone.now() if done else None
    action.save(update_fields=["done_at"])


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _plan_share_open(*, owner, colleague) -> tuple[PlanShare, bool]:
    """The owner's active share of their plan with the colleague, made if there is none; whether it was made."""
    share = PlanShare.objects.active().filter(owner=owner, shared_with=colleague).first()
    if share:
        return share, False
    return PlanShare.objects.create(owner=owner, shared_with=colleague), True


@transaction.atomic
def plan_share(*, owner, colleague) -> PlanShare:
    """Shares the plan with a colleague, who hears of it in their inbox (once: sharing again changes nothing)."""
    share, created = _plan_share_open(owner=owner, colleague=colleague)
    if not created:
        return share
    notify(
        recipient=colleague,
        kind=Notification.Kind.SHARE,
        text=f"{_name(owner)} shared their development plan with you",
        url=reverse("reflection:shared_plan", args=[owner.pk]),
        actor=owner,
        detail="Read it and comment on their objectives:",
    )
    return share


def plan_unshare(*, share: PlanShare) -> None:
    share.revoked_at = timezone.now()
    share.save(update_fields=["revoked_at"])


@transaction.atomic
def objective_comment(*, objective: Objective, author, body: str) -> ObjectiveComment:
    body = body.strip()
    if not body:
        raise ValidationError("Write a comment first.")
    comment = ObjectiveComment.objects.create(objective=objective, author=author, body=body)
    if author.pk != objective.owner_id:
        notify(
            recipient=objective.owner,
            kind=Notification.Kind.COMMENT,
            text=f"{_name(author)} commented on “{objective}”",
            url=objective.get_absolute_url(),
            actor=author,
            detail=body,
        )
    return comment


class RequestRefused(ValidationError):
    """What was asked of a request is not allowed: nothing changed, and the message says why. Its `code` says what
    stood in the way: "state" (not in this state, or no longer), "side" (the other person's to do), "input"."""

    def __init__(self, message: str, code: str = "state"):
        super().__init__(message, code=code)


@transaction.atomic
def conversation_request(*, owner, colleague, message: str, objectives, stories) -> ConversationRequest:
    """Asks a colleague for a conversation: one open request per pair (RequestRefused names the open one). Of two
    asked at once, the database's constraint keeps one and the other gets the same refusal."""
    open_requests = ConversationRequest.objects.filter(
        owner=owner, colleague=colleague, state__in=ConversationRequest.OPEN
    )
    if already := open_requests.first():
        raise RequestRefused(_already_open(already))
    try:
        with transaction.atomic():
            conversation = ConversationRequest.objects.create(owner=owner, colleague=colleague, message=message)
    except IntegrityError:
        if already := open_requests.first():  # made meanwhile, and committed first
            raise RequestRefused(_already_open(already)) from None
        raise
    conversation.objectives.set(objectives)
    conversation.stories.set(stories)
    agenda = [f"- {objective}" for objective in objectives] + [f"- Story: {story}" for story in stories]
    _tell(
        conversation,
        to=colleague,
        by=owner,
        text=f"{_name(owner)} asks you for {conversation.what}",
        detail="\n\n".join([*([message] if message else []), *(["Agenda:\n" + "\n".join(agenda)] if agenda else [])]),
    )
    return conversation


def _already_open(conversation: ConversationRequest) -> str:
    asked_on = dateformat.format(timezone.localtime(conversation.created_at), "j F Y")
    return (
        f"You asked {_name(conversation.colleague)} for {conversation.what} on {asked_on}, and it is "
        f"{conversation.get_state_display().lower()}: see it, or withdraw it, before asking again."
    )


def _tell(conversation: ConversationRequest, *, to, by, text: str, detail: str = "") -> None:
    """The other side learns of the change in their inbox (and by email, as they chose); the item leads to the
    request's page, which both sides may open."""
    notify(
        recipient=to,
        kind=Notification.Kind.REQUEST,
        text=text,
        url=conversation.get_absolute_url(),
        actor=by,
        detail=detail,
    )


# Why a request is no longer in a state that allows a change.
_NOW = {
    ConversationRequest.State.REQUESTED: "it still awaits an answer",
    ConversationRequest.State.ACCEPTED: "it was accepted already",
    ConversationRequest.State.DECLINED: "it was declined",
    ConversationRequest.State.HELD: "it was held already",
    ConversationRequest.State.WITHDRAWN: "it was withdrawn",
}


def _transition(
    conversation: ConversationRequest, *, by, side: str, verb: str, done: str, allowed_from, to: str, **values
) -> ConversationRequest:
    """Moves the request to state `to`, if `by` is its `side` ("owner" or "colleague") and it is still in one of
    `allowed_from`: one conditional UPDATE, so of two changes at once exactly one happens. Otherwise RequestRefused,
    naming who may or why not now, and nothing changes. `verb` and `done` word the change: "accept", "accepted"."""
    if getattr(conversation, f"{side}_id") != by.pk:
        raise RequestRefused(f"Only {_name(getattr(conversation, side))} can {verb} this request.", "side")
    now = timezone.now()
    changed = ConversationRequest.objects.filter(pk=conversation.pk, state__in=allowed_from, **{side: by}).update(
        state=to, state_changed_at=now, **values
    )
    if not changed:
        state = ConversationRequest.objects.filter(pk=conversation.pk).values_list("state", flat=True).first()
        raise RequestRefused(f"This request cannot be {done} now: {_NOW.get(state, 'it no longer exists')}.")
    conversation.state, conversation.state_changed_at = to, now
    for name, value in values.items():
        setattr(conversation, name, value)
    return conversation


@transaction.atomic
def conversation_accept(
    *, conversation: ConversationRequest, by, proposed_at: datetime.datetime | None = None, note: str = ""
) -> ConversationRequest:
    """The colleague accepts a request awaiting an answer, proposing a time or writing a note (or both)."""
    note = note.strip()
    if proposed_at is None and not note:
        raise RequestRefused("Propose a time or write a note on how you will meet.", "input")
    _transition(
        conversation,
        by=by,
        side="colleague",
        verb="accept",
        done="accepted",
        allowed_from=[ConversationRequest.State.REQUESTED],
        to=ConversationRequest.State.ACCEPTED,
        proposed_at=proposed_at,
        answer=note,
    )
    _tell(conversation, to=conversation.owner, by=by, text=f"{_name(by)} accepted your request for {conversation.what}")
    return conversation


@transaction.atomic
def conversation_decline(*, conversation: ConversationRequest, by, message: str) -> ConversationRequest:
    """The colleague declines a request awaiting an answer, with a message saying why or what instead."""
    message = message.strip()
    if not message:
        raise RequestRefused("Write a message saying why, or what you suggest instead.", "input")
    _transition(
        conversation,
        by=by,
        side="colleague",
        verb="decline",
        done="declined",
        allowed_from=[ConversationRequest.State.REQUESTED],
        to=ConversationRequest.State.DECLINED,
        answer=message,
    )
    _tell(conversation, to=conversation.owner, by=by, text=f"{_name(by)} declined your request for {conversation.what}")
    return conversation


@transaction.atomic
def conversation_hold(
    *, conversation: ConversationRequest, by, notes: str = "", agreed_actions: Iterable[str] = ()
) -> ConversationRequest:
    """The colleague marks an accepted conversation as held, with notes and the actions agreed (each a note that
    the owner can put on their plan)."""
    _transition(
        conversation,
        by=by,
        side="colleague",
        verb="mark as held",
        done="marked as held",
        allowed_from=[ConversationRequest.State.ACCEPTED],
        to=ConversationRequest.State.HELD,
    )
    if notes.strip():
        conversation_note_add(conversation=conversation, by=by, body=notes)
    for title in agreed_actions:
        if title.strip():
            conversation_note_add(conversation=conversation, by=by, body=title, agreed_action=True)
    _tell(conversation, to=conversation.owner, by=by, text=f"{_name(by)} marked {conversation.what} with you as held")
    return conversation


@transaction.atomic
def conversation_withdraw(*, conversation: ConversationRequest, by) -> ConversationRequest:
    """The owner withdraws a request that is still open (awaiting an answer, or accepted and not yet held)."""
    _transition(
        conversation,
        by=by,
        side="owner",
        verb="withdraw",
        done="withdrawn",
        allowed_from=ConversationRequest.OPEN,
        to=ConversationRequest.State.WITHDRAWN,
    )
    _tell(
        conversation,
        to=conversation.colleague,
        by=by,
        text=f"{_name(by)} withdrew their request for {conversation.what}",
    )
    return conversation


@transaction.atomic
def conversation_note_add(
    *, conversation: ConversationRequest, by, body: str, agreed_action: bool = False
) -> ConversationNote:
    """Either side adds a note to a conversation that was held (held is final, so no other change can race it)."""
    if by.pk not in (conversation.owner_id, conversation.colleague_id):
        raise RequestRefused("Only the two people in this conversation can add notes to it.", "side")
    if conversation.state != ConversationRequest.State.HELD:
        raise RequestRefused("Notes are added once the conversation was held.")
    note = ConversationNote(request=conversation, author=by, body=body.strip(), agreed_action=agreed_action)
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def conversation_action_adopt(*, note: ConversationNote, by, objective: Objective, kind: str) -> Action:
    """Puts an agreed action onto the owner's plan, under one of their objectives. Once only: of two clicks at once,
    the conditional UPDATE lets one through and the other's action is rolled back."""
    conversation = note.request
    if by.pk != conversation.owner_id or objective.owner_id != by.pk:
        raise RequestRefused(f"Only {_name(conversation.owner)} can put this action on their plan.", "side")
    if not note.agreed_action:
        raise RequestRefused("Only an agreed action can go on the plan.", "input")
    action = Action(objective=objective, kind=kind, title=note.body)
    action.full_clean()
    action.save()
    if not ConversationNote.objects.filter(pk=note.pk, action__isnull=True).update(action=action):
        raise RequestRefused("This action is on your plan already.")
    note.action = action
    return action


# Asking a storyteller, from one of their stories.


class StorytellerFull(ValidationError):
    """The storyteller has no place left this month: the limit they set is reached."""


@transaction.atomic
def storyteller_ask(
    *, owner, story: Story, kind: str, message: str, objective: Objective | None = None
) -> ConversationRequest:
    """The owner asks the storyteller of a published story for a conversation, mentoring or shadowing; the storyteller
    hears of it in their inbox. Refused (ValidationError) while the storyteller cannot be asked for that kind, and
    with StorytellerFull once the places of the month are taken.

    Places are counted with the storyteller's Openness row locked (PostgreSQL), or with the database's one writer at
    a time (SQLite's IMMEDIATE transactions): of two colleagues asking at once for the last place, one gets it and
    the other is told that the storyteller is full.
    """
    storyteller = story.storyteller
    name = storyteller.name
    if not story.is_published:
        raise ValidationError("This story is not published.")
    if owner.pk == storyteller.account_id:
        raise ValidationError("This is your own story.")
    openness = selectors.askable_openness(storyteller).select_for_update(of=("self",)).first()
    if openness is None or kind not in openness.kinds:
        asked_for = dict(ConversationRequest.Kind.choices).get(kind, "this")
        raise ValidationError(f"{name} is not taking requests for {asked_for} now.")
    open_requests = ConversationRequest.objects.filter(
        owner=owner, colleague_id=storyteller.account_id, state__in=ConversationRequest.OPEN
    )
    if already := open_requests.first():
        raise RequestRefused(_already_open(already))
    if selectors.asks_this_month(storyteller.account_id).count() >= openness.monthly_limit:
        raise StorytellerFull(
            f"{name} has no places left this month: as many colleagues as they can meet have asked already. "
            "Try again next month, or ask another storyteller."
        )
    if objective is not None and objective.owner_id != owner.pk:
        raise ValidationError("Choose one of your own objectives.")
    conversation = ConversationRequest(
        owner=owner, colleague_id=storyteller.account_id, kind=kind, story=story, message=message.strip()
    )
    conversation.full_clean(validate_constraints=False)  # the one open per pair is the database's to keep, below
    try:
        with transaction.atomic():
            conversation.save()
    except IntegrityError:
        if already := open_requests.first():  # asked from the sharing page meanwhile, and committed first
            raise RequestRefused(_already_open(already)) from None
        raise
    if objective is not None:
        conversation.objectives.set([objective])
    _tell(
        conversation,
        to=openness.owner,
        by=owner,
        text=f"{_name(owner)} asks you for {conversation.what}, after your story “{story.title}”",
        detail=conversation.message,
    )
    return conversation


@transaction.atomic
def storyteller_asks_close(*, storyteller: Storyteller, account, reason: str) -> int:
    """Declines the open requests that colleagues made of `account` from the stories of `storyteller`, who can no
    longer be asked (they withdrew their consent, the account is no longer theirs, or they left), with `reason` as
    the answer, and tells each asker; returns how many. Called through stories.signals.storyteller_unavailable and
    careerportal's people_left."""
    asks = list(selectors.open_asks_of(account).select_related("owner"))
    now = timezone.now()
    ConversationRequest.objects.filter(pk__in=[ask.pk for ask in asks], state__in=ConversationRequest.OPEN).update(
        state=ConversationRequest.State.DECLINED, state_changed_at=now, answer=reason
    )
    for ask in asks:
        if ask.owner.is_active:
            notify(
                recipient=ask.owner,
                kind=Notification.Kind.REQUEST,
                text=f"Your request to {storyteller.name} for {ask.what} is closed: {reason}",
                url=ask.get_absolute_url(),
            )
    return len(asks)


def on_storyteller_unavailable(sender, *, storyteller: Storyteller, account, reason: str, **kwargs) -> None:
    storyteller_asks_close(storyteller=storyteller, account=account, reason=reason)


def on_people_left(sender, *, user_ids: list[int], **kwargs) -> None:
    # From the storytellers with an account (a few hundred) rather than an IN list of everyone who left (an import
    # can mark thousands).
    left = set(user_ids)
    for storyteller in Storyteller.objects.filter(account__isnull=False).select_related("account"):
        if storyteller.account_id not in left:
            continue
        storyteller_asks_close(
            storyteller=storyteller, account=storyteller.account, reason=f"{storyteller.name} has left the company."
        )


def toolkit_export(user) -> dict:
    """Everything the toolkit holds about the user, as plain data."""

    def story_ref(story):
        return {"title": story.title, "url": story.get_absolute_url()} if story else None

    aspiration = Aspiration.objects.filter(owner=user).first()
    return {
        "exported_at": timezone.now(),
        "user": user.get_username(),
        "explored": [
            {
                "story": story_ref(v.story),
                "first": v.first_visited_at,
                "last": v.last_visited_at,
                "visits": v.visits,
                "furthest_seconds": v.furthest_seconds,
            }
            for v in StoryVisit.objects.for_owner(user).select_related("story")
        ],  # fmt: skip
        "saved": [
            {"story": story_ref(s.story), "saved_at": s.saved_at}
            for s in SavedStory.objects.for_owner(user).select_related("story")
        ],
        "reflections": [
            {"title": str(r), "story": story_ref(r.story), "answers": dict(r.answers()), "updated_at": r.updated_at}
            for r in Reflection.objects.for_owner(user).select_related("story")
        ],
        "self_assessments": [
            {
                "skill": a.skill.name,
                "level": a.level,
                "is_strength": a.is_strength,
                "wants_to_develop": a.wants_to_develop,
                "note": a.note,
                "assessed_at": a.assessed_at,
            }
            for a in SelfAssessment.objects.for_owner(user).select_related("skill")
        ],  # fmt: skip
        "aspiration": {
            "long_term_goals": aspiration.long_term_goals,
            "track": aspiration.get_track_display(),
            "open_to_other_function": aspiration.open_to_other_function,
            "open_to_relocation": aspiration.open_to_relocation,
            "horizon": aspiration.get_horizon_display(),
            "trade_offs": aspiration.trade_offs,
        }
        if aspiration
        else None,
        "objectives": [
            {
                "title": o.title,
                "why": o.why,
                "success_measure": o.success_measure,
                "target_date": o.target_date,
                "status": o.get_status_display(),
                "skills": [s.name for s in o.skills.all()],
                "stories": [story_ref(s) for s in o.stories.all()],
                "actions": [
                    {"kind": a.get_kind_display(), "title": a.title, "due_date": a.due_date, "done": a.is_done}
                    for a in o.actions.all()
                ],
                "comments": [{"author": _name(c.author), "body": c.body, "at": c.created_at} for c in o.comments.all()],
            }
            for o in Objective.objects.for_owner(user).prefetch_related(
                "skills", "stories", "actions", "comments__author"
            )
        ],  # fmt: skip
        "comments_i_wrote": [
            {
                "on_the_plan_of": _name(c.objective.owner),
                "body": c.body,
                "at": c.created_at,
            }
            for c in ObjectiveComment.objects.filter(author=user)
            .exclude(objective__owner=user)
            .select_related("objective__owner")
        ],  # fmt: skip
        "conversation_requests": [
            {
                "with": _name(r.colleague),
                "kind": r.get_kind_display(),
                "after_story": story_ref(r.story),
                "message": r.message,
                "at": r.created_at,
                "objectives": [o.title for o in r.objectives.all()],
                "stories": [story_ref(s) for s in r.stories.all()],
                "state": r.get_state_display(),
                "state_changed_at": r.state_changed_at,
                "proposed_time": r.proposed_at,
                "answer": r.answer,
                "notes": [
                    {"author": _name(n.author), "body": n.body, "agreed_action": n.agreed_action, "at": n.created_at}
                    for n in r.notes.all()
                ],
            }
            for r in ConversationRequest.objects.for_owner(user)
            .select_related("colleague", "story")
            .prefetch_related(
                "objectives", "stories", Prefetch("notes", ConversationNote.objects.select_related("author"))
            )
        ],  # fmt: skip
        "open_to_requests": {
            "kinds": openness.kinds_labels(),
            "monthly_limit": openness.monthly_limit,
            "paused": openness.paused,
        }
        if (openness := Openness.objects.filter(owner=user).first())
        else None,
        "shared_with": [
            {"colleague": _name(s.shared_with), "since": s.created_at, "stopped": s.revoked_at}
            for s in PlanShare.objects.filter(owner=user).select_related("shared_with")
        ],
        "opportunity_interests": [
            {
                "opportunity": i.opportunity.title,
                "posted_by": _name(i.opportunity.poster),
                "note": i.note,
                "plan_shared": i.plan_shared,
                "at": i.created_at,
                "answer": i.answer,
                "answered_at": i.answered_at,
            }
            for i in OpportunityInterest.objects.for_owner(user).select_related("opportunity__poster")
        ],
    }


def toolkit_export_json(user) -> str:
    return json.dumps(toolkit_export(user), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


# User text in the Markdown export reads as written and never becomes Markdown or HTML: every line goes through
# markdown_escape, and longer text is quoted line by line.
_MARKDOWN_ESCAPES = {
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "#": "\\#",
    "|": "&#124;", "&": "&amp;", "<": "&lt;", ">": "&gt;",
}  # fmt: skip
_MARKDOWN_SPECIAL = re.compile("|".join(map(re.escape, _MARKDOWN_ESCAPES)))
_MARKDOWN_LINE_START = {"-": "\\-", "+": "\\+", "=": "&#61;"}  # lists, heading underlines, rules
_MARKDOWN_ORDERED_LIST = re.compile(r"^(\d+)([.)])")


def markdown_escape(line: str) -> str:
    """One line of user text as Markdown that shows it as written: no heading, list, link, emphasis, code or HTML.

    Markdown's and HTML's own characters become backslash escapes, or HTML entities where Python-Markdown has no
    backslash escape (`|`, `=`); so does what would start a list, a heading underline or a rule at the start of the
    line. Spaces around the line go: leading ones would make a code block, trailing ones a line break.
    """
    line = _MARKDOWN_SPECIAL.sub(lambda match: _MARKDOWN_ESCAPES[match[0]], line.strip())
    if line[:1] in _MARKDOWN_LINE_START:
        line = _MARKDOWN_LINE_START[line[0]] + line[1:]
    return _MARKDOWN_ORDERED_LIST.sub(r"\1\\\2", line)


def _md_inline(text: str) -> str:
    """User text inside a line of the export (a heading, a list item): on one line, escaped."""
    return markdown_escape(" ".join(text.split()))


def _md_quote(text: str) -> list[str]:
    """Longer user text as a quotation, each of its lines escaped, followed by a blank line."""
    return [f"> {markdown_escape(line)}".rstrip() for line in text.splitlines()] + [""]


def toolkit_export_markdown(user) -> str:
    data = toolkit_export(user)
    lines = [f"# My career development plan ({_md_inline(data['user'])})", ""]
    if aspiration := data["aspiration"]:
        lines += ["## Aspirations", "", *_md_quote(aspiration["long_term_goals"]),
                  f"- Track: {_md_inline(aspiration['track'])}",
                  f"- Time horizon: {_md_inline(aspiration['horizon'])}",
                  f"- Open to another function: {'yes' if aspiration['open_to_other_function'] else 'no'}",
                  f"- Open to relocation: {'yes' if aspiration['open_to_relocation'] else 'no'}", ""]  # fmt: skip
        if aspiration["trade_offs"]:
            lines += ["**Trade-offs I accept:**", "", *_md_quote(aspiration["trade_offs"])]
    lines += ["## Objectives", ""]
    for objective in data["objectives"]:
        lines += [f"### {_md_inline(objective['title'])} ({_md_inline(objective['status'])})", ""]
        for label, key in (("Why it matters", "why"), ("How I will know", "success_measure")):
            if objective[key]:
                lines += [f"**{label}:**", "", *_md_quote(objective[key])]
        if objective["target_date"]:
            lines += [f"**Target date:** {objective['target_date']:%d %B %Y}", ""]
        if objective["skills"]:
            lines += [f"**Skills:** {', '.join(_md_inline(skill) for skill in objective['skills'])}", ""]
        for action in objective["actions"]:
            lines += [
                f"- [{'x' if action['done'] else ' '}] {_md_inline(action['kind'])}: {_md_inline(action['title'])}"
            ]
        lines += [""]
        for comment in objective["comments"]:
            lines += [f"> {_md_inline(comment['author'])} wrote:", ">", *_md_quote(comment["body"])]
    lines += ["## Reflections", ""]
    for reflection in data["reflections"]:
        lines += [f"### {_md_inline(reflection['title'])}", ""]
        for prompt, answer in reflection["answers"].items():
            lines += [f"**{_md_inline(prompt)}**", "", *_md_quote(answer)]
    lines += ["## Self-assessment", ""]
    lines += [
        f"- {_md_inline(a['skill'])}: level {a['level'] or '–'}{', a strength' if a['is_strength'] else ''}"
        f"{', want to develop' if a['wants_to_develop'] else ''} ({a['assessed_at']:%d %b %Y})"
        f"{': ' + _md_inline(a['note']) if a['note'] else ''}"
        for a in data["self_assessments"]
    ]
    return "\n".join(lines) + "\n"


@transaction.atomic
def toolkit_delete(user) -> None:
    """Deletes everything the toolkit holds about the user (the account itself stays)."""
    for model in (
        StoryVisit, SavedStory, Reflection, SelfAssessment, Aspiration, Objective, ConversationRequest, Openness,
        OpportunityInterest,
    ):  # fmt: skip
        model.objects.filter(owner=user).delete()
    PlanShare.objects.filter(owner=user).delete()
    ObjectiveComment.objects.filter(author=user).delete()


# Interest in opportunities: the employee tells the poster (through the inbox), optionally sharing their plan with
# them; the poster answers once, through the inbox too.


def opportunity_interest(*, owner, opportunity: Opportunity, note: str, share_plan: bool) -> OpportunityInterest:
    """Records the owner's interest in a visible opportunity and tells its poster. ValidationError when it is not
    open any more, is their own, its poster has left, or they showed interest already (one interest per person and
    opportunity, held by the database's unique constraint when two posts race)."""
    if opportunity.poster_id == owner.pk:
        raise ValidationError("This is your own opportunity.")
    if not opportunity.poster.is_active:
        raise ValidationError("Its poster has left, so it no longer takes interest. A curator can post it again.")
    try:
        with transaction.atomic():
            if not Opportunity.objects.visible().filter(pk=opportunity.pk).select_for_update().exists():
                raise ValidationError("This opportunity is closed: it no longer takes interest.")
            interest = OpportunityInterest.objects.create(
                owner=owner, opportunity=opportunity, note=note.strip(), plan_shared=share_plan
            )
            if share_plan:
                _plan_share_open(owner=owner, colleague=opportunity.poster)  # the interest tells the poster
            notify(
                recipient=opportunity.poster,
                kind=Notification.Kind.OPPORTUNITY,
                text=f"{_name(owner)} is interested in “{opportunity.title}”",
                url=f"{opportunity.get_absolute_url()}#interested",
                actor=owner,
            )
    except IntegrityError:
        raise ValidationError("You have already shown interest in this opportunity.") from None
    return interest


@transaction.atomic
def opportunity_interest_answer(*, interest: OpportunityInterest, answer: str, by) -> OpportunityInterest:
    """The poster answers an interest (once); the interested person reads it under their opportunities."""
    answer = answer.strip()
    if not answer:
        raise ValidationError("Write an answer first.")
    answered = OpportunityInterest.objects.filter(pk=interest.pk, answered_at__isnull=True).update(
        answer=answer, answered_at=timezone.now()
    )
    if not answered:
        raise ValidationError("You have answered this person already.")
    interest.refresh_from_db()
    notify(
        recipient=interest.owner,
        kind=Notification.Kind.OPPORTUNITY,
        text=f"{_name(by)} answered your interest in “{interest.opportunity.title}”",
        url=reverse("reflection:interests"),
        actor=by,
    )
    return interest

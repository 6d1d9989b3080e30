"""Writes of the reflection toolkit: explored and saved stories, assessments, the plan, sharing, export, deletion."""

import datetime
import json
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, InternalError, OperationalError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from careerportal.notifications import email_enqueue
from reflection.models import (
    Action,
    Aspiration,
    ConversationRequest,
    Objective,
    ObjectiveComment,
    OpportunityInterest,
    PlanShare,
    Reflection,
    SavedStory,
    SelfAssessment,
    StoryVisit,
)
from skills.models import Skill
from stories.models import Opportunity, Story

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


def _notify(*, to, subject: str, lines: list[str]) -> None:
    if to.email:
        email_enqueue(to=to.email, subject=subject, body="\n\n".join(lines))


def _link(url: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{url}"


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def plan_share(*, owner, colleague, notify: bool = True) -> PlanShare:
    share = PlanShare.objects.active().filter(owner=owner, shared_with=colleague).first()
    if share:
        return share
    share = PlanShare.objects.create(owner=owner, shared_with=colleague)
    if notify:
        _notify(
            to=colleague,
            subject=f"{_name(owner)} shared their development plan with you",
            lines=[
                f"{_name(owner)} has shared their development plan with you on Career stories.",
                f"Read it and comment on their objectives: {_link(reverse('reflection:shared_plan', args=[owner.pk]))}",
            ],
        )
    return share


def plan_unshare(*, share: PlanShare) -> None:
    share.revoked_at = timezone.now()
    share.save(update_fields=["revoked_at"])


@transaction.atomic
def objective_comment(*, objective: Objective, author, body: str, notify: bool = True) -> ObjectiveComment:
    body = body.strip()
    if not body:
        raise ValidationError("Write a comment first.")
    comment = ObjectiveComment.objects.create(objective=objective, author=author, body=body)
    if notify and author.pk != objective.owner_id:
        _notify(
            to=objective.owner,
            subject=f"{_name(author)} commented on “{objective}”",
            lines=[body, f"See it on your plan: {_link(objective.get_absolute_url())}"],
        )
    return comment


@transaction.atomic
def conversation_request(
    *, owner, colleague, message: str, objectives, stories, notify: bool = True
) -> ConversationRequest:
    request = ConversationRequest.objects.create(owner=owner, colleague=colleague, message=message)
    request.objectives.set(objectives)
    request.stories.set(stories)
    agenda = [f"- {objective}" for objective in objectives] + [f"- Story: {story}" for story in stories]
    if notify:
        _notify(
            to=colleague,
            subject=f"{_name(owner)} asks for a career conversation",
            lines=[
                f"{_name(owner)} would like a career conversation with you.",
                *([message] if message else []),
                *(["Agenda:\n" + "\n".join(agenda)] if agenda else []),
                f"See it under “Shared with me”: {_link(reverse('reflection:shared_with_me'))}",
            ],
        )
    return request


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
                "message": r.message,
                "at": r.created_at,
                "objectives": [o.title for o in r.objectives.all()],
                "stories": [story_ref(s) for s in r.stories.all()],
            }
            for r in ConversationRequest.objects.for_owner(user)
            .select_related("colleague")
            .prefetch_related("objectives", "stories")
        ],  # fmt: skip
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
        StoryVisit, SavedStory, Reflection, SelfAssessment, Aspiration, Objective, ConversationRequest,
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
    from careerportal.models import Notification
    from careerportal.notifications import notify

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
                plan_share(owner=owner, colleague=opportunity.poster, notify=False)
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
    from careerportal.models import Notification
    from careerportal.notifications import notify

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

"""What a backup must carry over, read from a portal database by a `manage.py shell` process (see test_backup.py).

Everything is keyed by what people and curators see (usernames, slugs, skill codes), never by ids, which differ
between the source and the restored database.
"""

import json

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

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
from stories.models import CareerMove, Story
from stories.search import parse, search

MARK = "SNAPSHOT "
# Rows cloned (and rolled back) to check that new rows get fresh ids after a restore (sequences reset).
PROBED_MODELS = [Reflection, Objective, Action, ObjectiveComment, SelfAssessment, CareerMove]


class _Rollback(Exception):
    pass


def _skill_key(skill: Skill | None) -> str | None:
    return f"{skill.framework.code}/{skill.code}" if skill else None


def _slug(story: Story | None) -> str | None:
    return story.slug if story else None


def _stories() -> dict:
    stories = Story.objects.select_related("storyteller").prefetch_related("skills__framework", "moves")
    return {
        story.slug: {
            "title": story.title,
            "status": story.status,
            "storyteller": story.storyteller.slug,
            "skills": sorted(_skill_key(skill) for skill in story.skills.all()),
            "moves": [[move.kind, move.from_role, move.to_role, move.year] for move in story.moves.all()],
            "files": [story.media.name, story.captions.name, story.poster.name],
        }
        for story in stories
    }


def _plan(user) -> dict:
    objectives = Objective.objects.for_owner(user).prefetch_related("skills__framework", "stories", "actions")
    aspiration = Aspiration.objects.filter(owner=user).first()
    return {
        "objectives": [
            {
                "title": objective.title,
                "status": objective.status,
                "target_date": str(objective.target_date),
                "skills": sorted(_skill_key(skill) for skill in objective.skills.all()),
                "stories": sorted(story.slug for story in objective.stories.all()),
                "actions": [[action.kind, action.title, action.is_done] for action in objective.actions.all()],
                "comments": [
                    [comment.author.username, comment.body]
                    for comment in ObjectiveComment.objects.filter(objective=objective).select_related("author")
                ],
            }
            for objective in objectives
        ],
        "reflections": sorted([r.title, _slug(r.story)] for r in Reflection.objects.for_owner(user)),
        "assessments": sorted(
            [_skill_key(a.skill), a.level, a.is_strength, a.wants_to_develop]
            for a in SelfAssessment.objects.for_owner(user).select_related("skill__framework")
        ),
        "aspiration": aspiration.long_term_goals if aspiration else None,
        "saved": sorted(s.story.slug for s in SavedStory.objects.for_owner(user).select_related("story")),
        "visits": sorted([v.story.slug, v.visits] for v in StoryVisit.objects.for_owner(user).select_related("story")),
        "shared_with": sorted(
            [share.shared_with.username, share.revoked_at is None] for share in PlanShare.objects.filter(owner=user)
        ),
        "conversations": sorted(
            [request.colleague.username, request.message, sorted(o.title for o in request.objectives.all())]
            for request in ConversationRequest.objects.for_owner(user)
        ),
    }


def _insert_failures() -> list[str]:
    """Models whose new rows would clash with restored ids."""
    failures = []
    for model in PROBED_MODELS:
        row = model._default_manager.order_by("pk").first()
        if row is None:
            continue
        try:
            with transaction.atomic():
                row.pk, row._state.adding = None, True
                row.save()
                raise _Rollback
        except _Rollback:
            pass
        except IntegrityError as error:
            failures.append(f"{model._meta.label}: {error}")
    return failures


def snapshot() -> dict:
    users = get_user_model().objects.prefetch_related("groups").order_by("username")
    published = Story.objects.published()
    return {
        "counts": {model._meta.label: model._default_manager.count() for model in apps.get_models()},
        "skills": {
            _skill_key(skill): [skill.name, skill.kind, _skill_key(skill.parent), skill.is_retired]
            for skill in Skill.objects.select_related("framework", "parent__framework")
        },
        "stories": _stories(),
        "users": {
            user.username: {
                "name": user.get_full_name(),
                "password": user.password,
                "staff": user.is_staff,
                "groups": sorted(group.name for group in user.groups.all()),
                "plan": _plan(user),
            }
            for user in users
        },
        "groups": {
            group.name: sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all())
            for group in Group.objects.prefetch_related("permissions__content_type")
        },
        "not_found_by_title": [story.slug for story in published if story.pk not in search(parse(story.title))],
        "insert_failures": _insert_failures(),
    }


def print_snapshot() -> None:
    print(MARK + json.dumps(snapshot(), sort_keys=True))

"""The demo employee's toolkit: a plan shared with the demo manager, so both see something real; and the demo
storyteller open to conversations, so that the employee can ask her from her stories.

Loaded once: if the demo employee has any objective already, nothing is added (their own edits stay); likewise the
storyteller's choice.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from reflection import services
from reflection.models import Action, Aspiration, Objective, Openness, Reflection
from skills.models import Skill
from stories.models import Story, Storyteller

STORIES = ["from-account-management-to-finance", "why-i-stayed-an-engineer", "a-year-in-rotterdam"]


@transaction.atomic
def toolkit_demo_load(*, employee: str = "employee", manager: str = "manager") -> bool:
    User = get_user_model()
    erin, marcus = User.objects.filter(username=employee).first(), User.objects.filter(username=manager).first()
    if erin is None or marcus is None or Objective.objects.for_owner(erin).exists():
        return False
    stories = {story.slug: story for story in Story.objects.published().filter(slug__in=STORIES)}
    skills = {skill.code: skill for skill in Skill.objects.filter(framework__code="builtin")}
    today = timezone.localdate()

    for slug in STORIES[:2]:
        if slug in stories:
            services.story_visit_record(user=erin, story=stories[slug])
    if STORIES[0] in stories:
        services.story_save(user=erin, story=stories[STORIES[0]], saved=True)
        Reflection.objects.create(
            owner=erin,
            story=stories[STORIES[0]],
            title="Moving sideways into finance",
            what_they_did="Amara asked to shadow the finance team at month end before applying, then moved sideways.",
            skills_relied_on="Stakeholder management, curiosity about the numbers, and a lot of resilience.",
            what_i_have="I am good with customers; I want to get much better at data analysis.",
            what_i_could_try="Ask to sit in on a forecasting review, and take the internal spreadsheet course.",
        )
    Reflection.objects.create(
        owner=erin,
        title="What I want from the next two years",
        what_i_have="I like solving problems with colleagues more than managing a team.",
        what_i_could_try="Talk to someone on the specialist track before my next review.",
    )

    for code, level, strength, develop in [("DATA-ANAL", 1, False, True), ("COMM-STAKE", 3, True, False),
                                           ("STR-CURIO", 3, True, False), ("CUST-FIN", 1, False, True)]:  # fmt: skip
        if code in skills:
            services.self_assess(user=erin, skill=skills[code], level=level, is_strength=strength,
                                 wants_to_develop=develop)  # fmt: skip
    if "DATA-ANAL" in skills:  # a later re-assessment, so the history shows progress
        services.self_assess(user=erin, skill=skills["DATA-ANAL"], level=2, is_strength=False, wants_to_develop=True,
                             note="After the spreadsheet course: pivot tables and lookups are fine now.")  # fmt: skip

    Aspiration.objects.update_or_create(
        owner=erin,
        defaults={
            "long_term_goals": "Become a commercial finance business partner within three years.",
            "track": Aspiration.Track.SPECIALIST,
            "horizon": Aspiration.Horizon.TWO_THREE,
            "open_to_other_function": True,
            "trade_offs": "I would take a sideways move, even at the same grade, to learn finance properly.",
        },
    )

    forecasting = Objective.objects.create(
        owner=erin,
        title="Understand how our forecasts are built",
        why="Every move into finance that I read about started with understanding the numbers.",
        success_measure="I can explain the quarterly forecast for my region to my team without notes.",
        target_date=today + datetime.timedelta(days=90),
        status=Objective.Status.ON_TRACK,
    )
    forecasting.skills.set([skills[code] for code in ("DATA-ANAL", "CUST-FIN") if code in skills])
    forecasting.stories.set([stories[slug] for slug in STORIES[:1] if slug in stories])
    Action.objects.bulk_create(
        [
            Action(objective=forecasting, kind=Action.Kind.COURSE, title="Spreadsheet modelling course",
                   due_date=today - datetime.timedelta(days=10), done_at=timezone.now()),
            Action(objective=forecasting, kind=Action.Kind.SHADOWING, title="Shadow the month-end close",
                   due_date=today + datetime.timedelta(days=12)),
            Action(objective=forecasting, kind=Action.Kind.CONVERSATION, title="Coffee with a finance business partner",
                   due_date=today + datetime.timedelta(days=25)),
        ]
    )  # fmt: skip
    specialist = Objective.objects.create(
        owner=erin,
        title="Find out what the specialist track would mean for me",
        why="I would rather grow as an expert than manage a team, but I don't know what that looks like here.",
        target_date=today + datetime.timedelta(days=180),
    )
    specialist.stories.set([stories[slug] for slug in STORIES[1:2] if slug in stories])
    Action.objects.create(
        objective=specialist,
        kind=Action.Kind.MENTORING,
        title="Ask Tom Whitaker for a mentoring chat",
        due_date=today + datetime.timedelta(days=40),
    )

    services.plan_share(owner=erin, colleague=marcus)
    services.objective_comment(
        objective=forecasting,
        author=marcus,
        body="Great start. I can introduce you to Priya in finance for the month-end shadowing.",
    )
    services.conversation_request(
        owner=erin,
        colleague=marcus,
        message="Could we use our next one-to-one for my development plan?",
        objectives=[forecasting],
        stories=[stories[slug] for slug in STORIES[:1] if slug in stories],
    )
    return True


def storyteller_demo_open(*, username: str = "storyteller") -> bool:
    """The demo storyteller opens herself to conversations, three a month, as she would on her toolkit page. Once:
    what she chose since stays."""
    storyteller = Storyteller.objects.filter(account__username=username).select_related("account").first()
    if storyteller is None or Openness.objects.filter(owner=storyteller.account).exists():
        return False
    Openness.objects.create(owner=storyteller.account, conversation=True, monthly_limit=3)
    return True

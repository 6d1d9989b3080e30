"""The career conversation guide for managers: the steps of a good conversation, each pointing to stories."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from skills.models import Skill
from stories.models import CareerMove, Story, TaggedStory


@dataclass(frozen=True)
class Step:
    title: str
    why: str
    questions: tuple[str, ...]
    move_kinds: tuple[str, ...] = ()
    skill_codes: tuple[str, ...] = ()


STEPS = (
    Step(
        "Set realistic expectations",
        "Say what you can and cannot offer: roles open up unevenly, and growth is not only upwards.",
        ("What does progress look like to you in the next year?", "Which parts of that can we influence together?"),
        move_kinds=("promotion", "specialist"),
        skill_codes=("STR-SELFAW",),
    ),
    Step(
        "Share the business direction",
        "Explain where the organisation is heading and which skills it will need more of.",
        ("Which changes in our business interest you?", "Which new skills would put you in a good place for them?"),
        move_kinds=("reskilling",),
        skill_codes=("DATA-AI", "DELV-CHG"),
    ),
    Step(
        "Align aspirations with business needs",
        "Look for where what they want and what the business needs overlap, including sideways and abroad.",
        ("Would you consider a move into another function?", "What would you trade for experience you want?"),
        move_kinds=("lateral", "secondment", "international"),
        skill_codes=("STR-ADAPT",),
    ),
    Step(
        "Name strengths and development areas",
        "Be specific about what they do well and what would make the biggest difference next.",
        ("When were you at your best this year?", "Which skill, if you grew it, would open most doors?"),
        skill_codes=("LEAD-FEED", "STR-SELFAW", "STR-RESIL"),
    ),
    Step(
        "Agree development actions and experiences",
        "Most growth comes from experience: stretch projects, secondments and shadowing, then courses.",
        ("Which experience would teach you most?", "What will you do in the next month?"),
        move_kinds=("secondment", "reskilling"),
        skill_codes=("LEAD-COACH",),
    ),
    Step(
        "Open your network",
        "Introduce them to people who have made the move they are considering.",
        ("Who would you like to learn from?", "Whose story here would be worth a coffee?"),
        skill_codes=("LEAD-MENT", "COMM-STAKE"),
    ),
    Step(
        "Meet regularly",
        "Careers change slowly and then quickly: come back to the plan every few months, not once a year.",
        ("When shall we look at this again?", "What should I ask you about next time?"),
        move_kinds=("return",),
        skill_codes=("LEAD-COACH", "COMM-LIST"),
    ),
)


def guide_steps(*, per_step: int = 3) -> list[tuple[Step, list[Story], list[Skill]]]:
    """Each step with a few published stories that show its moves or skills: one query a step, and one for skills."""
    codes = {code for step in STEPS for code in step.skill_codes}
    skills = {
        skill.code: skill for skill in Skill.objects.taggable().filter(code__in=codes, framework__is_builtin=True)
    }
    steps = []
    for step in STEPS:
        step_skills = [skills[code] for code in step.skill_codes if code in skills]
        shows_move = Exists(CareerMove.objects.filter(story=OuterRef("pk"), kind__in=step.move_kinds))
        shows_skill = Exists(TaggedStory.objects.filter(content_object=OuterRef("pk"), tag__in=step_skills))
        stories = Story.objects.published().filter(Q(shows_move) | Q(shows_skill)).select_related("storyteller")
        steps.append((step, list(stories[:per_step]), step_skills))
    return steps

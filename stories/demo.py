"""The demo organisation: storytellers, stories and media written for this project, and demo accounts.

Loading is idempotent: what exists already (matched by slug or username) is left as it is, so curators'
edits and everything employees wrote survive a restart of the demo.
"""

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from careerportal.models import Profile
from careerportal.roles import curator_set
from skills.models import Skill
from skills.services import framework_load_builtin
from stories import services
from stories.models import CareerMove, Function, Level, Opportunity, OpportunityEvent, Story, Storyteller
from stories.validators import sniff_media_type

DEMO_DIR = Path(__file__).resolve().parent / "demo"
DEMO_PASSWORD = "stories-demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    role: str
    # Their place in the company directory (careerportal.models.Profile): a job title, a function and a level by
    # slug, and their manager's username.
    job_title: str = ""
    function: str = ""
    level: str = ""
    manager: str = ""


DEMO_ACCOUNTS = (
    DemoAccount("employee", "Erin", "Walsh", "an employee in Marcus's team, who shares her plan with him",
                "Account Manager", "sales", "professional", manager="manager"),
    DemoAccount("teammate", "Sam", "Reyes", "an employee in Marcus's team, who has shared nothing yet",
                "Sales Executive", "sales", "associate", manager="manager"),
    DemoAccount("manager", "Marcus", "Bell", "a manager (Erin's and Sam's)", "Sales Manager", "sales", "manager"),
    DemoAccount("curator", "Hana", "Sato", "an HR curator: staff in the Curators group, not a superuser",
                "Learning and Development Partner", "people", "senior-professional"),
    DemoAccount("storyteller", "Priya", "Raman", "a storyteller: her account is linked to her stories",
                "Head of Customer Operations", "customer-service", "director"),
)  # fmt: skip
# The demo storyteller whose account is `storyteller` (linked when the account is created, never again after).
DEMO_STORYTELLER = "priya-raman"


def _attach(field_file, relative: str) -> None:
    path = DEMO_DIR / relative
    with path.open("rb") as handle:
        field_file.save(path.name, File(handle), save=False)


def _accounts_ensure(functions: dict, levels: dict) -> None:
    """The demo accounts, each with a place in the directory. An account or profile that exists is left as it is."""
    User = get_user_model()
    users = {}
    for account in DEMO_ACCOUNTS:
        users[account.username], created = User.objects.get_or_create(
            username=account.username,
            defaults={"first_name": account.first_name, "last_name": account.last_name,
                      "email": f"{account.username}@example.com"},
        )  # fmt: skip
        if created:
            users[account.username].set_password(DEMO_PASSWORD)
            users[account.username].save()
            if account.username == "curator":
                curator_set(user=users[account.username], curator=True)
            if account.username == "storyteller":
                Storyteller.objects.filter(slug=DEMO_STORYTELLER, account=None).update(account=users["storyteller"])
    for account in DEMO_ACCOUNTS:
        Profile.objects.get_or_create(
            user=users[account.username],
            defaults={
                "job_title": account.job_title,
                "function": functions.get(account.function),
                "level": levels.get(account.level),
                "manager": users.get(account.manager),
            },
        )


def _storyteller_create(entry: dict, functions: dict, levels: dict) -> Storyteller:
    storyteller = Storyteller(
        slug=entry["slug"],
        name=entry["name"],
        role_title=entry["role_title"],
        function=functions[entry["function"]],
        level=levels[entry["level"]],
        bio=entry["bio"],
        consent_given_on=datetime.date.fromisoformat(entry["consent_given_on"]),
    )
    if entry.get("portrait"):
        _attach(storyteller.portrait, entry["portrait"])
    storyteller.save()
    services.storyteller_update_portrait(storyteller=storyteller)
    return storyteller


def _story_create(entry: dict, storytellers: dict, functions: dict, skills: dict) -> Story:
    story = Story(
        slug=entry["slug"],
        title=entry["title"],
        storyteller=storytellers[entry["storyteller"]],
        format=entry["format"],
        featured=entry.get("featured", False),
        summary=entry["summary"],
        body=entry.get("body", ""),
        transcript=entry.get("transcript", ""),
        duration_seconds=entry.get("duration_seconds"),
    )
    for field in ("media", "captions", "poster"):
        if entry.get(field):
            _attach(getattr(story, field), entry[field])
    if story.media:
        with story.media.open("rb") as media:
            story.media_type = sniff_media_type(media) or ""
    story.save()
    story.skills.set([skills[code] for code in entry["skills"]])
    CareerMove.objects.bulk_create(
        CareerMove(
            story=story,
            position=position,
            kind=move["kind"],
            from_role=move.get("from_role", ""),
            from_function=functions.get(move.get("from_function")),
            to_role=move["to_role"],
            to_function=functions.get(move.get("to_function")),
            year=move.get("year"),
        )
        for position, move in enumerate(entry.get("moves", []))
    )
    if story.poster:
        services.story_update_poster(story=story)
    if story.captions:
        services.story_update_cues(story=story)
    status = entry.get("status", Story.Status.PUBLISHED)
    steps = [Story.Status.IN_REVIEW, Story.Status.PUBLISHED]  # nothing is published without going through review
    for step in steps[: steps.index(status) + 1] if status in steps else []:
        story = services.story_transition(story=story, to=step)
    if status == Story.Status.PUBLISHED and entry.get("published_on"):
        # The demo's stories were "published" over the past months, not all at load time.
        published_on = datetime.date.fromisoformat(entry["published_on"])
        story.published_at = timezone.make_aware(datetime.datetime.combine(published_on, datetime.time(9)))
        story.save(update_fields=["published_at"])
    return story


@transaction.atomic
def demo_load(*, content: Path = DEMO_DIR / "content.json") -> dict[str, int]:
    """Loads the built-in framework, the demo organisation and accounts; returns what was newly created."""
    framework = framework_load_builtin()
    data = json.loads(content.read_text(encoding="utf-8"))
    created = {"storytellers": 0, "stories": 0}

    functions = {}
    for position, entry in enumerate(data["functions"]):
        functions[entry["slug"]], _ = Function.objects.get_or_create(
            slug=entry["slug"], defaults={"name": entry["name"], "position": position}
        )
    levels = {}
    for entry in data["levels"]:
        levels[entry["slug"]], _ = Level.objects.get_or_create(
            slug=entry["slug"], defaults={"name": entry["name"], "rank": entry["rank"]}
        )

    storytellers = {storyteller.slug: storyteller for storyteller in Storyteller.objects.all()}
    for entry in data["storytellers"]:
        if entry["slug"] not in storytellers:
            storytellers[entry["slug"]] = _storyteller_create(entry, functions, levels)
            created["storytellers"] += 1

    skills = {skill.code: skill for skill in Skill.objects.filter(framework=framework)}
    existing = set(Story.objects.values_list("slug", flat=True))
    for entry in data["stories"]:
        if entry["slug"] not in existing:
            _story_create(entry, storytellers, functions, skills)
            created["stories"] += 1

    services.facet_counts_update()  # the career moves were created in bulk
    _accounts_ensure(functions, levels)
    created["opportunities"] = _opportunities_ensure(functions, skills)
    return created


# Posted by the demo manager, tagged with skills of the demo stories and of the demo employee's plan (reflection.demo:
# data analysis, customer finance), so "Try it yourself", skill pages and "For you" show them.
OPPORTUNITIES = [
    {
        "kind": Opportunity.Kind.SECONDMENT,
        "title": "Three months in commercial finance",
        "description": "Join the commercial finance team for the quarterly forecast: build a regional forecast with "
        "a business partner, present it at the review, and see how finance and sales decide together.",
        "function": "finance",
        "location": "Leeds",
        "time_commitment": "Full time for three months, back to your role afterwards",
        "skills": ["CUST-FIN", "DATA-ANAL", "COMM-STAKE"],
        "closes_in_days": 45,
    },
    {
        "kind": Opportunity.Kind.SHADOWING,
        "title": "Shadow the month-end close",
        "description": "Sit with the finance operations team for the three days of the month-end close, from the "
        "first reconciliations to the final numbers.",
        "function": "finance",
        "location": "Leeds",
        "time_commitment": "Three days at the end of a month",
        "skills": ["CUST-FIN", "STR-CURIO"],
        "closes_in_days": 30,
    },
    {
        "kind": Opportunity.Kind.STRETCH,
        "title": "Build the customer churn dashboard",
        "description": "The customer service leadership wants to see which customers are at risk of leaving. Work "
        "with the data team to find the signals and build the first dashboard.",
        "function": "customer-service",
        "location": "",
        "remote": True,
        "time_commitment": "Half a day a week for eight weeks",
        "skills": ["DATA-ANAL", "DATA-VIS", "CUST-CX"],
        "closes_in_days": 21,
    },
]


def _opportunities_ensure(functions: dict, skills: dict) -> int:
    """The demo manager's opportunities, open from the day the demo is loaded; those with the same title are kept.
    The directory says Marcus manages Erin and Sam, so he may post opportunities on the site too."""
    manager = get_user_model().objects.get(username="manager")
    existing = set(Opportunity.objects.values_list("title", flat=True))
    created = 0
    for entry in OPPORTUNITIES:
        if entry["title"] in existing:
            continue
        opportunity = Opportunity.objects.create(
            kind=entry["kind"],
            title=entry["title"],
            description=entry["description"],
            function=functions[entry["function"]],
            location=entry["location"],
            remote=entry.get("remote", False),
            time_commitment=entry["time_commitment"],
            closes_on=timezone.localdate() + datetime.timedelta(days=entry["closes_in_days"]),
            poster=manager,
            state=Opportunity.State.OPEN,
        )
        opportunity.skills.set([skills[code] for code in entry["skills"] if code in skills])
        services.opportunity_event_record(opportunity=opportunity, action=OpportunityEvent.Action.POSTED)
        created += 1
    return created

"""Who may do what in the toolkit: the privacy rule as a matrix (role × URL × method → status).

Every reflection object is fetched through a queryset scoped to its owner; a colleague the owner shares the plan with
reads it and comments on objectives; anybody else, HR curators and superusers included, gets a 404 and changes nothing.
GET on a POST-only URL (and POST on a read-only one) is a 405 for everyone logged in: refused before any lookup, so it
tells nothing about the id.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from careerportal.roles import curator_set
from reflection.models import (
    Action,
    Aspiration,
    ConversationNote,
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
from tests.factories import (
    FrameworkFactory,
    OpportunityFactory,
    ProficiencyLevelFactory,
    SkillFactory,
    StoryFactory,
    UserFactory,
)
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

ROLES = ("anonymous", "owner", "other", "manager", "revoked", "curator", "superuser")
PRIVATE = "kept private"  # every private text of the owner's carries it


@pytest.fixture
def world():
    owner = UserFactory(username="erin")
    manager = UserFactory(username="mona")
    revoked = UserFactory(username="rory")
    other = UserFactory(username="olu")
    curator = UserFactory(username="hana")
    curator_set(user=curator, curator=True)
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)

    framework = FrameworkFactory()
    for level in (1, 2, 3):
        ProficiencyLevelFactory(framework=framework, level=level, name=f"Level {level}")
    skill = SkillFactory(framework=framework, name="Negotiation")
    story = StoryFactory(title="Into finance", slug="into-finance", skills=[skill])
    StoryVisitFactory(owner=owner, story=story)
    SavedStoryFactory(owner=owner, story=story)

    reflection = ReflectionFactory(owner=owner, story=story, title="Reflection kept private")
    objective = ObjectiveFactory(owner=owner, title="Objective kept private", skills=[skill], stories=[story])
    action = ActionFactory(objective=objective, title="Action kept private")
    ObjectiveCommentFactory(objective=objective, author=manager, body="Keep going")
    SelfAssessmentFactory(owner=owner, skill=skill, level=2, note="Assessment note kept private")
    AspirationFactory(owner=owner, long_term_goals="Goal kept private")
    share = PlanShareFactory(owner=owner, shared_with=manager)
    conversation = ConversationRequestFactory(owner=owner, colleague=manager, message="Request kept private")
    PlanShareFactory(owner=owner, shared_with=revoked, revoked_at=timezone.now() - datetime.timedelta(days=1))
    # The manager's opportunity, which the owner showed interest in; another colleague's, open to anyone's interest.
    interest = OpportunityInterest.objects.create(
        owner=owner, opportunity=OpportunityFactory(poster=manager), note="Note kept private"
    )
    opportunity = OpportunityFactory(poster=UserFactory(username="pat"))
    users = {
        "anonymous": None,
        "owner": owner,
        "other": other,
        "manager": manager,
        "revoked": revoked,
        "curator": curator,
        "superuser": superuser,
    }
    return SimpleNamespace(
        users=users,
        owner=owner,
        skill=skill,
        story=story,
        reflection=reflection,
        objective=objective,
        action=action,
        share=share,
        conversation=conversation,
        interest=interest,
        opportunity=opportunity,
    )


def snapshot() -> dict:
    """Every toolkit row, so a refused request can be shown to have changed nothing."""
    models = (
        StoryVisit,
        SavedStory,
        Reflection,
        SelfAssessment,
        Aspiration,
        Objective,
        Action,
        PlanShare,
        ObjectiveComment,
        ConversationRequest,
        ConversationNote,
        OpportunityInterest,
    )
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


# What each URL is, what a plausible POST to it sends, and how to tell that the POST took effect.
ENDPOINTS = {
    "reflection edit": SimpleNamespace(
        url=lambda w: reverse("reflection:reflection_edit", args=[w.reflection.pk]),
        data=lambda w: {"title": "Rewritten", "what_they_did": "Rewritten too"},
        took_effect=lambda w, user: Reflection.objects.filter(pk=w.reflection.pk, title="Rewritten").exists(),
    ),
    "reflection delete": SimpleNamespace(
        url=lambda w: reverse("reflection:reflection_delete", args=[w.reflection.pk]),
        data=lambda w: {},
        took_effect=lambda w, user: not Reflection.objects.filter(pk=w.reflection.pk).exists(),
    ),
    "objective detail (comment)": SimpleNamespace(
        url=lambda w: reverse("reflection:objective", args=[w.objective.pk]),
        data=lambda w: {"body": "Shall we talk on Monday?"},
        took_effect=lambda w, user: ObjectiveComment.objects.filter(
            objective=w.objective, author=user, body="Shall we talk on Monday?"
        ).exists(),
    ),
    "objective edit": SimpleNamespace(
        url=lambda w: reverse("reflection:objective_edit", args=[w.objective.pk]),
        data=lambda w: {"title": "Rewritten", "status": "at_risk", "version": w.objective.version},
        took_effect=lambda w, user: Objective.objects.filter(pk=w.objective.pk, title="Rewritten").exists(),
    ),
    "objective delete": SimpleNamespace(
        url=lambda w: reverse("reflection:objective_delete", args=[w.objective.pk]),
        data=lambda w: {},
        took_effect=lambda w, user: not Objective.objects.filter(pk=w.objective.pk).exists(),
    ),
    "action add": SimpleNamespace(
        url=lambda w: reverse("reflection:action_add", args=[w.objective.pk]),
        data=lambda w: {"kind": "mentoring", "title": "Find a mentor"},
        took_effect=lambda w, user: Action.objects.filter(objective=w.objective, title="Find a mentor").exists(),
    ),
    "action done": SimpleNamespace(
        url=lambda w: reverse("reflection:action_done", args=[w.action.pk]),
        data=lambda w: {"done": "1"},
        took_effect=lambda w, user: Action.objects.filter(pk=w.action.pk, done_at__isnull=False).exists(),
    ),
    "action delete": SimpleNamespace(
        url=lambda w: reverse("reflection:action_delete", args=[w.action.pk]),
        data=lambda w: {},
        took_effect=lambda w, user: not Action.objects.filter(pk=w.action.pk).exists(),
    ),
    "action restore": SimpleNamespace(
        url=lambda w: reverse("reflection:action_restore", args=[w.objective.pk]),
        data=lambda w: {"kind": "course", "title": "Brought back"},
        took_effect=lambda w, user: Action.objects.filter(objective=w.objective, title="Brought back").exists(),
    ),
    "share stop": SimpleNamespace(
        url=lambda w: reverse("reflection:share_stop", args=[w.share.pk]),
        data=lambda w: {},
        took_effect=lambda w, user: PlanShare.objects.filter(pk=w.share.pk, revoked_at__isnull=False).exists(),
    ),
    "request": SimpleNamespace(
        url=lambda w: reverse("reflection:request", args=[w.conversation.pk]),
        data=lambda w: {"note": "Monday"},
        took_effect=lambda w, user: ConversationRequest.objects.exclude(state="requested").exists(),
    ),
    "request accept": SimpleNamespace(
        url=lambda w: reverse("reflection:request_accept", args=[w.conversation.pk]),
        data=lambda w: {"note": "Monday"},
        took_effect=lambda w, user: ConversationRequest.objects.filter(state="accepted", answer="Monday").exists(),
    ),
    "request decline": SimpleNamespace(
        url=lambda w: reverse("reflection:request_decline", args=[w.conversation.pk]),
        data=lambda w: {"message": "Not now"},
        took_effect=lambda w, user: ConversationRequest.objects.filter(state="declined").exists(),
    ),
    "request held": SimpleNamespace(
        prepare=lambda w: _set_state(w, "accepted"),
        url=lambda w: reverse("reflection:request_held", args=[w.conversation.pk]),
        data=lambda w: {"notes": "Good talk"},
        took_effect=lambda w, user: ConversationRequest.objects.filter(state="held").exists(),
    ),
    "request withdraw": SimpleNamespace(
        url=lambda w: reverse("reflection:request_withdraw", args=[w.conversation.pk]),
        data=lambda w: {},
        took_effect=lambda w, user: ConversationRequest.objects.filter(state="withdrawn").exists(),
    ),
    "request note": SimpleNamespace(
        prepare=lambda w: _set_state(w, "held"),
        url=lambda w: reverse("reflection:request_note", args=[w.conversation.pk]),
        data=lambda w: {"body": "Thanks"},
        took_effect=lambda w, user: ConversationNote.objects.filter(body="Thanks", author=user).exists(),
    ),
    "request adopt": SimpleNamespace(
        prepare=lambda w: _agreed(w),
        url=lambda w: reverse("reflection:request_adopt", args=[w.conversation.pk]),
        data=lambda w: {"objective": w.objective.pk, "kind": "other", "note": w.agreed.pk},
        took_effect=lambda w, user: Action.objects.filter(title="Agreed in the conversation").exists(),
    ),
    "shared plan": SimpleNamespace(
        url=lambda w: reverse("reflection:shared_plan", args=[w.owner.pk]),
        data=lambda w: {"body": "Shall we talk on Monday?"},
        took_effect=lambda w, user: ObjectiveComment.objects.filter(body="Shall we talk on Monday?").exists(),
    ),
    "interest add": SimpleNamespace(
        url=lambda w: reverse("reflection:interest_add", args=[w.opportunity.pk]),
        data=lambda w: {"note": "I would love to"},
        took_effect=lambda w, user: OpportunityInterest.objects.filter(owner=user, opportunity=w.opportunity).exists(),
    ),
    "interest answer": SimpleNamespace(
        url=lambda w: reverse("reflection:interest_answer", args=[w.interest.pk]),
        data=lambda w: {"answer": "Let us talk"},
        took_effect=lambda w, user: OpportunityInterest.objects.filter(pk=w.interest.pk, answer="Let us talk").exists(),
    ),
}


def _set_state(world, state: str) -> None:
    ConversationRequest.objects.filter(pk=world.conversation.pk).update(state=state)


def _agreed(world) -> None:
    _set_state(world, "held")
    world.agreed = ConversationNote.objects.create(
        request=world.conversation, author=world.conversation.colleague, body="Agreed in the conversation",
        agreed_action=True,
    )  # fmt: skip


# fmt: off
MATRIX = [
    # endpoint                      method  anonymous owner other manager revoked curator superuser
    ("reflection edit",             "GET",  302,      200,  404,  404,    404,    404,    404),
    ("reflection edit",             "POST", 302,      302,  404,  404,    404,    404,    404),
    ("reflection delete",           "GET",  302,      200,  404,  404,    404,    404,    404),
    ("reflection delete",           "POST", 302,      302,  404,  404,    404,    404,    404),
    ("objective detail (comment)",  "GET",  302,      200,  404,  200,    404,    404,    404),
    ("objective detail (comment)",  "POST", 302,      302,  404,  302,    404,    404,    404),
    ("objective edit",              "GET",  302,      200,  404,  404,    404,    404,    404),
    ("objective edit",              "POST", 302,      302,  404,  404,    404,    404,    404),
    ("objective delete",            "GET",  302,      200,  404,  404,    404,    404,    404),
    ("objective delete",            "POST", 302,      302,  404,  404,    404,    404,    404),
    ("action add",                  "GET",  302,      405,  405,  405,    405,    405,    405),
    ("action add",                  "POST", 302,      302,  404,  404,    404,    404,    404),
    ("action done",                 "GET",  302,      405,  405,  405,    405,    405,    405),
    ("action done",                 "POST", 302,      302,  404,  404,    404,    404,    404),
    ("action delete",               "GET",  302,      405,  405,  405,    405,    405,    405),
    ("action delete",               "POST", 302,      302,  404,  404,    404,    404,    404),
    ("action restore",              "GET",  302,      405,  405,  405,    405,    405,    405),
    ("action restore",              "POST", 302,      302,  404,  404,    404,    404,    404),
    ("share stop",                  "GET",  302,      405,  405,  405,    405,    405,    405),
    ("share stop",                  "POST", 302,      302,  404,  404,    404,    404,    404),
    # A conversation request: its two sides open it; each change is the one side's (the other gets a 403 that says
    # whose it is); anybody else gets a 404.
    ("request",                     "GET",  302,      200,  404,  200,    404,    404,    404),
    ("request",                     "POST", 302,      405,  405,  405,    405,    405,    405),
    ("request accept",              "GET",  302,      405,  405,  405,    405,    405,    405),
    ("request accept",              "POST", 302,      403,  404,  302,    404,    404,    404),
    ("request decline",             "GET",  302,      405,  405,  405,    405,    405,    405),
    ("request decline",             "POST", 302,      403,  404,  302,    404,    404,    404),
    ("request held",                "GET",  302,      405,  405,  405,    405,    405,    405),
    ("request held",                "POST", 302,      403,  404,  302,    404,    404,    404),
    ("request withdraw",            "GET",  302,      405,  405,  405,    405,    405,    405),
    ("request withdraw",            "POST", 302,      302,  404,  403,    404,    404,    404),
    ("request note",                "GET",  302,      405,  405,  405,    405,    405,    405),
    ("request note",                "POST", 302,      302,  404,  302,    404,    404,    404),
    ("request adopt",               "GET",  302,      405,  405,  405,    405,    405,    405),
    ("request adopt",               "POST", 302,      302,  404,  403,    404,    404,    404),
    ("shared plan",                 "GET",  302,      404,  404,  200,    404,    404,    404),
    ("shared plan",                 "POST", 302,      405,  405,  405,    405,    405,    405),
    # Anyone logged in may show interest in an open opportunity; only its poster answers.
    ("interest add",                "GET",  302,      405,  405,  405,    405,    405,    405),
    ("interest add",                "POST", 302,      302,  302,  302,    302,    302,    302),
    ("interest answer",             "GET",  302,      405,  405,  405,    405,    405,    405),
    ("interest answer",             "POST", 302,      404,  404,  302,    404,    404,    404),
]
# fmt: on

CASES = [
    pytest.param(endpoint, method, role, expected, id=f"{endpoint}-{method}-{role}")
    for endpoint, method, *statuses in MATRIX
    for role, expected in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize(("endpoint", "method", "role", "expected"), CASES)
def test_access_matrix_for_urls_with_an_id(client, world, endpoint, method, role, expected):
    spec = ENDPOINTS[endpoint]
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    if hasattr(spec, "prepare"):
        spec.prepare(world)
    url = spec.url(world)
    before = snapshot()

    response = client.get(url) if method == "GET" else client.post(url, spec.data(world))

    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"] == f"/accounts/login/?next={url}"
    if expected == 200:
        assert response.context is not None  # a real page, not an empty body
    if method == "POST" and expected == 302 and role != "anonymous":
        assert spec.took_effect(world, user)
        assert not response["Location"].startswith("/accounts/login/")
    else:
        assert not spec.took_effect(world, user)
        assert snapshot() == before


def test_the_matrix_covers_every_url_of_the_toolkit_that_takes_an_id():
    from reflection.urls import urlpatterns

    with_id = {p.name for p in urlpatterns if "<int:" in str(p.pattern)}
    covered = {
        "reflection_edit",
        "reflection_delete",
        "objective",
        "objective_edit",
        "objective_delete",
        "action_add",
        "action_done",
        "action_delete",
        "action_restore",
        "share_stop",
        "shared_plan",
        "request",
        "request_accept",
        "request_decline",
        "request_held",
        "request_withdraw",
        "request_note",
        "request_adopt",
        "interest_add",
        "interest_answer",
    }
    assert with_id == covered
    assert {endpoint for endpoint, *_ in MATRIX} == set(ENDPOINTS)
    assert len(CASES) == len(ENDPOINTS) * 2 * len(ROLES)


# The pages without an id show the user's own data only.

PAGES = {
    "dashboard": lambda w: reverse("reflection:dashboard"),
    "explored": lambda w: reverse("reflection:explored"),
    "saved": lambda w: reverse("reflection:explored") + "?saved=1",
    "reflections": lambda w: reverse("reflection:reflections"),
    "new reflection": lambda w: reverse("reflection:reflection_new"),
    "new reflection on a story": lambda w: reverse("reflection:reflection_new") + f"?story={w.story.slug}",
    "assessment": lambda w: reverse("reflection:assessment"),
    "assess a skill": lambda w: reverse("reflection:assess_skill", args=[w.skill.slug]),
    "aspirations": lambda w: reverse("reflection:aspirations"),
    "plan": lambda w: reverse("reflection:plan"),
    "plan print": lambda w: reverse("reflection:plan_print"),
    "new objective": lambda w: reverse("reflection:objective_new"),
    "sharing": lambda w: reverse("reflection:sharing"),
    "shared with me": lambda w: reverse("reflection:shared_with_me"),
    "team": lambda w: reverse("reflection:team"),
    "my opportunities": lambda w: reverse("reflection:interests"),
    "export json": lambda w: reverse("reflection:export_json"),
    "export markdown": lambda w: reverse("reflection:export_md"),
    "delete all": lambda w: reverse("reflection:delete_all"),
}

# The manager may read the owner's plan (objectives, actions, aspirations); never reflections or assessments.
PRIVATE_FROM = {
    "other": ["Reflection kept private", "Objective kept private", "Action kept private", PRIVATE],
    "manager": ["Reflection kept private", "Assessment note kept private"],
    "revoked": ["Reflection kept private", "Objective kept private", "Action kept private", PRIVATE],
    "curator": ["Reflection kept private", "Objective kept private", "Action kept private", PRIVATE],
    "superuser": ["Reflection kept private", "Objective kept private", "Action kept private", PRIVATE],
}


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitor_is_sent_to_log_in_from_every_page(client, world, page):
    url = PAGES[page](world)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/me/")


@pytest.mark.parametrize("page", PAGES)
def test_owner_sees_their_own_data_on_the_pages_that_show_it(client, world, page):
    client.force_login(world.owner)
    response = client.get(PAGES[page](world))
    assert response.status_code == 200
    shows = {
        "dashboard": "Reflection kept private",
        "reflections": "Reflection kept private",
        "assessment": "Negotiation",
        "assess a skill": "Assessment note kept private",
        "aspirations": "Goal kept private",
        "plan": "Objective kept private",
        "plan print": "Objective kept private",
        "export json": "Reflection kept private",
        "export markdown": "Objective kept private",
        "explored": "Into finance",
        "saved": "Into finance",
    }
    if page in shows:
        assert shows[page] in response.content.decode()


@pytest.mark.parametrize("role", PRIVATE_FROM)
@pytest.mark.parametrize("page", PAGES)
def test_pages_without_an_id_show_nothing_of_the_owner_to_anybody_else(client, world, page, role):
    client.force_login(world.users[role])
    response = client.get(PAGES[page](world))
    assert response.status_code == 200
    content = response.content.decode()
    for text in PRIVATE_FROM[role]:
        assert text not in content


@pytest.mark.parametrize(
    ("url_name", "args", "data"),
    [
        ("reflection:reflection_new", [], {"title": "Anonymous note"}),
        ("reflection:aspirations", [], {"long_term_goals": "Anonymous goal", "track": "management", "horizon": "1y"}),
        ("reflection:objective_new", [], {"title": "Anonymous objective", "status": "on_track"}),
        ("reflection:assess_skill", ["negotiation"], {"level": "2"}),
        ("reflection:sharing", [], {"share": "1", "colleague": "mona"}),
        ("reflection:story_save", ["into-finance"], {"saved": "1"}),
        ("reflection:story_progress", ["into-finance"], {"seconds": "5"}),
        ("reflection:delete_all", [], {"confirm": "DELETE"}),
    ],
)
def test_anonymous_posts_change_nothing(client, world, url_name, args, data):
    before = snapshot()
    url = reverse(url_name, args=args)
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"
    assert snapshot() == before


def test_employee_deleting_all_their_data_leaves_the_owners_alone(client, world):
    client.force_login(world.users["other"])
    before = snapshot()
    response = client.post(reverse("reflection:delete_all"), {"confirm": "DELETE"})
    assert response.status_code == 302
    assert snapshot() == before


# The admin shows no reflection model to anybody.


def test_no_reflection_model_is_registered_in_the_admin():
    assert [model for model in admin.site._registry if model._meta.app_label == "reflection"] == []


@pytest.mark.parametrize("role", ["curator", "superuser"])
def test_admin_index_has_no_reflection_app(client, world, role):
    client.force_login(world.users[role])
    response = client.get("/admin/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "/admin/stories/" in content  # the index lists apps at all
    assert "/admin/reflection/" not in content
    assert "Reflection" not in content
    assert client.get("/admin/reflection/").status_code == 404
    assert client.get(f"/admin/reflection/objective/{world.objective.pk}/change/").status_code == 404

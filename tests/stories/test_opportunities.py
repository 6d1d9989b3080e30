"""Opportunities: their model, services, pages and where they show (stories.models.Opportunity)."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from stories import services
from stories.models import Opportunity, OpportunityEvent
from tests import factories

pytestmark = pytest.mark.django_db


def _new(poster, **fields) -> Opportunity:
    values = {
        "kind": Opportunity.Kind.SHADOWING,
        "title": "Shadow the FP&A team at quarter end",
        "description": "Sit with the team for the close.",
        "time_commitment": "Three days",
        "closes_on": timezone.localdate() + datetime.timedelta(days=10),
        "poster": poster,
        **fields,
    }
    return Opportunity(**values)


def test_visible_leaves_out_closed_filled_withdrawn_and_pending_opportunities():
    today = timezone.localdate()
    shown = factories.OpportunityFactory(closes_on=today)  # its closing day is the last day it shows
    factories.OpportunityFactory(closes_on=today - datetime.timedelta(days=1))
    for state in (Opportunity.State.FILLED, Opportunity.State.WITHDRAWN, Opportunity.State.PENDING_REVIEW):
        factories.OpportunityFactory(state=state)
    assert list(Opportunity.objects.visible()) == [shown]


def test_a_managers_opportunity_waits_for_review_when_review_is_required(settings, employee):
    settings.PORTAL_OPPORTUNITIES_NEED_REVIEW = True
    skill = factories.SkillFactory()
    opportunity = services.opportunity_save(opportunity=_new(employee), skills=[skill], by=employee)
    assert opportunity.state == Opportunity.State.PENDING_REVIEW
    assert list(opportunity.skills.all()) == [skill]
    assert [event.action for event in opportunity.events.all()] == [OpportunityEvent.Action.POSTED]


def test_a_curators_opportunity_opens_at_once(settings, curator):
    settings.PORTAL_OPPORTUNITIES_NEED_REVIEW = True
    opportunity = services.opportunity_save(opportunity=_new(curator), skills=[], by=curator)
    assert opportunity.state == Opportunity.State.OPEN


def test_without_review_a_managers_opportunity_opens_when_posted(settings, employee):
    settings.PORTAL_OPPORTUNITIES_NEED_REVIEW = False
    opportunity = services.opportunity_save(opportunity=_new(employee), skills=[], by=employee)
    assert opportunity.state == Opportunity.State.OPEN


def test_an_open_role_needs_its_link_to_the_careers_site(employee):
    with pytest.raises(ValidationError, match="careers site"):
        services.opportunity_save(opportunity=_new(employee, kind=Opportunity.Kind.OPEN_ROLE), skills=[], by=employee)
    assert not Opportunity.objects.exists()


def test_filling_records_who_did_it_and_a_filled_one_cannot_be_withdrawn(curator):
    opportunity = factories.OpportunityFactory()
    services.opportunity_set_state(opportunity=opportunity, state=Opportunity.State.FILLED, by=curator)
    opportunity.refresh_from_db()
    assert opportunity.state == Opportunity.State.FILLED
    assert opportunity.events.get().actor_username == curator.username
    with pytest.raises(ValidationError, match="filled cannot be withdrawn"):
        services.opportunity_set_state(opportunity=opportunity, state=Opportunity.State.WITHDRAWN, by=curator)


# Posting, editing, filling and withdrawing on the site.


@pytest.fixture
def manager(db):
    """Someone the directory lists as a colleague's manager."""
    from careerportal.models import Profile

    user = factories.UserFactory(username="mona")
    Profile.objects.create(user=factories.UserFactory(username="rami"), manager=user)
    return user


def _posted(skill, **changes) -> dict:
    data = {
        "kind": "stretch",
        "title": "Build the churn dashboard",
        "description": "A stretch project with the data team.",
        "skills": skill.name,
        "careers_url": "",
        "function": "",
        "location": "Leeds",
        "time_commitment": "Half a day a week",
        "starts_on": "",
        "closes_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
    }
    return {**data, **changes}


def test_a_manager_posts_an_opportunity_that_waits_for_review(client, manager, settings):
    settings.PORTAL_OPPORTUNITIES_NEED_REVIEW = True
    skill = factories.SkillFactory(name="Data analysis")
    client.force_login(manager)
    response = client.post("/opportunities/new/", _posted(skill), follow=True)
    opportunity = Opportunity.objects.get()
    assert response.redirect_chain[-1][0] == opportunity.get_absolute_url()
    assert "A curator reviews it before it is shown to others" in response.content.decode()
    assert (opportunity.poster, opportunity.state, list(opportunity.skills.all())) == (
        manager,
        Opportunity.State.PENDING_REVIEW,
        [skill],
    )


def test_an_employee_who_manages_nobody_cannot_post(employee_client):
    assert employee_client.get("/opportunities/new/").status_code == 403
    assert employee_client.post("/opportunities/new/", _posted(factories.SkillFactory())).status_code == 403
    assert not Opportunity.objects.exists()


def test_a_skill_the_framework_does_not_have_is_refused_not_created(curator_client):
    from skills.models import Skill

    skill = factories.SkillFactory(name="Data analysis")
    response = curator_client.post("/opportunities/new/", _posted(skill, skills="Data analysis\nJuggling"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Error: " in page and "no skill or strength called “Juggling”" in page
    assert not Opportunity.objects.exists()
    assert not Skill.objects.filter(name="Juggling").exists()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"closes_on": "2020-01-01"}, "The closing date must be today or later."),
        ({"closes_on": "not a date"}, "Enter a valid date."),
        ({"kind": "open_role"}, "An open role needs its link to the careers site."),
        ({"kind": "lottery"}, "Select a valid choice."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_bad_input_is_refused_with_its_reason(curator_client, changes, error):
    response = curator_client.post("/opportunities/new/", _posted(factories.SkillFactory(), **changes))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Opportunity.objects.exists()


def test_the_poster_edits_fills_and_others_cannot(client, manager, other_employee):
    opportunity = factories.OpportunityFactory(poster=manager)
    client.force_login(other_employee)
    assert client.get(f"/opportunities/{opportunity.pk}/edit/").status_code == 404
    assert client.post(f"/opportunities/{opportunity.pk}/state", {"state": "withdrawn"}).status_code == 404
    client.force_login(manager)
    response = client.post(f"/opportunities/{opportunity.pk}/edit/", _posted(factories.SkillFactory(), title="New"))
    assert response.status_code == 302
    response = client.post(f"/opportunities/{opportunity.pk}/state", {"state": "filled"})
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.title, opportunity.state) == ("New", Opportunity.State.FILLED)
    assert [event.action for event in opportunity.events.order_by("pk")] == ["edited", "filled"]


# Where they show, and where they do not.


def _bar(employee):
    """A story and an opportunity sharing a skill that the employee's plan builds."""
    from reflection.models import Objective

    skill = factories.SkillFactory(name="Financial modelling")
    story = factories.StoryFactory(skills=[skill])
    opportunity = factories.OpportunityFactory(title="Secondment to treasury", skills=[skill])
    objective = Objective.objects.create(owner=employee, title="Move into finance")
    objective.skills.set([skill])
    return skill, story, opportunity


def _shows(client, url, title) -> bool:
    response = client.get(url)
    assert response.status_code == 200
    return title in response.content.decode()


def test_an_opportunity_shows_on_its_skills_page_its_storys_page_for_you_the_list_and_search(employee_client, employee):
    skill, story, opportunity = _bar(employee)
    for url in (skill.get_absolute_url(), story.get_absolute_url(), "/", "/opportunities/", "/search/?q=treasury"):
        assert _shows(employee_client, url, "Secondment to treasury"), url
    assert _shows(employee_client, "/", "Because your plan builds Financial modelling")
    assert _shows(employee_client, f"/opportunities/?skill={skill.slug}&q=treasury", "Secondment to treasury")
    assert not _shows(employee_client, "/opportunities/?kind=mentoring", "Secondment to treasury")
    assert _shows(employee_client, opportunity.get_absolute_url(), "I’m interested")


@pytest.mark.parametrize("closing", ["past", "filled", "withdrawn", "pending_review"])
def test_a_closed_opportunity_shows_nowhere(employee_client, employee, closing):
    skill, story, opportunity = _bar(employee)
    urls = [skill.get_absolute_url(), story.get_absolute_url(), "/", "/opportunities/", "/search/?q=treasury"]
    for url in urls:  # rendered once before it closes: nothing cached outlives the closing date
        assert _shows(employee_client, url, "Secondment to treasury")
    if closing == "past":
        Opportunity.objects.update(closes_on=timezone.localdate() - datetime.timedelta(days=1))
    else:
        Opportunity.objects.update(state=closing)
    for url in urls:
        assert not _shows(employee_client, url, "Secondment to treasury"), url
    assert employee_client.get(opportunity.get_absolute_url()).status_code == 404


def test_the_day_after_its_closing_date_it_shows_nowhere(employee_client, employee, monkeypatch):
    skill, story, opportunity = _bar(employee)
    assert _shows(employee_client, "/opportunities/", "Secondment to treasury")
    tomorrow = opportunity.closes_on + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    for url in (skill.get_absolute_url(), story.get_absolute_url(), "/", "/opportunities/"):
        assert not _shows(employee_client, url, "Secondment to treasury"), url


def test_its_poster_and_curators_still_read_a_closed_one(client, curator, manager):
    opportunity = factories.OpportunityFactory(poster=manager, state=Opportunity.State.WITHDRAWN)
    for user in (manager, curator):
        client.force_login(user)
        response = client.get(opportunity.get_absolute_url())
        assert response.status_code == 200
        assert "Not shown to others" in response.content.decode()


def test_anonymous_visitors_log_in_first(client):
    opportunity = factories.OpportunityFactory()
    for url in ("/opportunities/", opportunity.get_absolute_url(), "/opportunities/new/"):
        assert client.get(url)["Location"].startswith("/accounts/login/")


def test_for_you_gives_the_reason_of_a_skill_the_employee_wants_to_develop(employee_client, employee):
    from reflection.models import SelfAssessment

    skill = factories.SkillFactory(name="Negotiation")
    factories.OpportunityFactory(title="Shadow a buyer", skills=[skill])
    SelfAssessment.objects.create(owner=employee, skill=skill, wants_to_develop=True)
    assert _shows(employee_client, "/", "Because you want to develop Negotiation")


def test_the_demo_opportunities_show_for_the_demo_employee_on_skill_and_story_pages(client):
    from django.core.management import call_command

    from skills.models import Skill

    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # again: nothing doubles
    assert Opportunity.objects.visible().count() == 3
    client.login(username="employee", password="stories-demo")
    assert _shows(client, "/", "Three months in commercial finance")
    assert _shows(client, "/", "Because you want to develop")
    data = Skill.objects.get(framework__code="builtin", code="DATA-ANAL")
    assert _shows(client, data.get_absolute_url(), "Build the customer churn dashboard")
    assert _shows(client, "/stories/from-account-management-to-finance/", "Try it yourself")
    client.login(username="manager", password="stories-demo")
    assert _shows(client, "/opportunities/", "Post an opportunity")


# Curators in the admin.


def test_a_curator_opens_a_pending_opportunity_in_the_admin_and_the_trail_says_who(curator_client, curator):
    from django.urls import reverse

    pending = factories.OpportunityFactory(state=Opportunity.State.PENDING_REVIEW)
    filled = factories.OpportunityFactory(state=Opportunity.State.FILLED)
    changelist = reverse("admin:stories_opportunity_changelist")
    assert curator_client.get(changelist).status_code == 200
    response = curator_client.post(
        changelist, {"action": "open_after_review", "_selected_action": [pending.pk, filled.pk]}, follow=True
    )
    assert "cannot be open" in response.content.decode()  # the filled one stays filled
    pending.refresh_from_db()
    filled.refresh_from_db()
    assert (pending.state, filled.state) == (Opportunity.State.OPEN, Opportunity.State.FILLED)
    assert [(e.action, e.actor_username) for e in pending.events.all()] == [("opened", curator.username)]
    assert curator_client.get(reverse("admin:stories_opportunity_add")).status_code == 403


def test_a_curator_edits_an_opportunitys_skills_in_the_admin(curator_client):
    from django.urls import reverse

    opportunity = factories.OpportunityFactory()
    skill = factories.SkillFactory()
    url = reverse("admin:stories_opportunity_change", args=[opportunity.pk])
    assert curator_client.get(url).status_code == 200
    data = {
        "kind": opportunity.kind,
        "title": "Edited in the admin",
        "description": opportunity.description,
        "skills": [skill.pk],
        "time_commitment": opportunity.time_commitment,
        "closes_on": opportunity.closes_on.isoformat(),
    }
    assert curator_client.post(url, data).status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.title, list(opportunity.skills.all())) == ("Edited in the admin", [skill])
    assert opportunity.events.get().changed_fields == ["skills", "title"]


def test_unknown_filters_are_reported_and_ignored(employee_client):
    factories.OpportunityFactory(title="Secondment to treasury")
    response = employee_client.get("/opportunities/?kind=lottery&skill=juggling&function=nowhere&page=abc")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Secondment to treasury" in page
    assert "“lottery” is not one of the choices, so it was ignored" in page
    assert "“juggling” is not one of the choices" in page
    assert "Error: " not in page.split("</title>")[0]

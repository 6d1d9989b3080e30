"""Opportunities: their model, services, pages and where they show (stories.models.Opportunity)."""

import datetime

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

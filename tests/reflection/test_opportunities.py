"""Interest in opportunities: "I'm interested" (with a note and, if chosen, the plan), and the poster's answer."""

import datetime

import pytest
from django.utils import timezone

from reflection.models import OpportunityInterest, PlanShare
from stories.models import Opportunity
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def poster(db):
    return factories.UserFactory(username="mona", first_name="Mona", last_name="Ali")


@pytest.fixture
def opportunity(poster):
    return factories.OpportunityFactory(poster=poster, title="Secondment to treasury")


def _inbox(user):
    from careerportal.models import Notification

    return list(Notification.objects.filter(recipient=user, kind=Notification.Kind.OPPORTUNITY))


def test_interest_with_the_plan_reaches_the_poster_who_sees_the_note_and_the_plan(
    client, employee, poster, opportunity
):
    client.force_login(employee)
    response = client.post(
        f"/me/opportunities/{opportunity.pk}/interested", {"note": "I did the modelling course", "share_plan": "on"}
    )
    assert response.status_code == 302
    interest = OpportunityInterest.objects.get()
    assert (interest.owner, interest.note, interest.plan_shared) == (employee, "I did the modelling course", True)
    assert PlanShare.objects.active().filter(owner=employee, shared_with=poster).exists()
    assert len(_inbox(poster)) == 1

    client.force_login(poster)
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert "I did the modelling course" in page
    assert f"/me/shared-with-me/{employee.pk}/" in page
    assert client.get(f"/me/shared-with-me/{employee.pk}/").status_code == 200


def test_without_the_plan_the_poster_reads_only_the_note(client, employee, poster, opportunity):
    client.force_login(employee)
    client.post(f"/me/opportunities/{opportunity.pk}/interested", {"note": "Count me in"})
    assert not PlanShare.objects.filter(owner=employee).exists()
    client.force_login(poster)
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert "Count me in" in page and "They did not share their plan." in page
    assert client.get(f"/me/shared-with-me/{employee.pk}/").status_code == 404


def test_one_interest_per_person_and_opportunity(client, employee, poster, opportunity):
    client.force_login(employee)
    client.post(f"/me/opportunities/{opportunity.pk}/interested", {"note": "First"})
    response = client.post(f"/me/opportunities/{opportunity.pk}/interested", {"note": "Second"}, follow=True)
    assert "You have already shown interest in this opportunity." in response.content.decode()
    assert list(OpportunityInterest.objects.values_list("note", flat=True)) == ["First"]
    assert len(_inbox(poster)) == 1


def test_two_posts_at_once_record_one_interest(employee, opportunity):
    """The unique constraint holds where the check before it cannot: the second insert is refused cleanly."""
    from django.core.exceptions import ValidationError

    from reflection import services

    OpportunityInterest.objects.create(owner=employee, opportunity=opportunity, note="Raced in first")
    with pytest.raises(ValidationError, match="already shown interest"):
        services.opportunity_interest(owner=employee, opportunity=opportunity, note="Second", share_plan=True)
    assert OpportunityInterest.objects.count() == 1
    assert not PlanShare.objects.exists()  # rolled back with the refused interest


@pytest.mark.parametrize("closing", ["past", "filled", "withdrawn", "pending_review"])
def test_no_interest_in_a_closed_opportunity(employee_client, opportunity, closing):
    if closing == "past":
        Opportunity.objects.update(closes_on=timezone.localdate() - datetime.timedelta(days=1))
    else:
        Opportunity.objects.update(state=closing)
    response = employee_client.post(f"/me/opportunities/{opportunity.pk}/interested", {"note": "Too late?"})
    assert response.status_code == 404
    assert not OpportunityInterest.objects.exists()


def test_the_poster_cannot_be_interested_in_their_own(client, poster, opportunity):
    client.force_login(poster)
    response = client.post(f"/me/opportunities/{opportunity.pk}/interested", {"note": "Me"}, follow=True)
    assert "This is your own opportunity." in response.content.decode()
    assert not OpportunityInterest.objects.exists()


def test_a_note_too_long_is_refused(employee_client, opportunity):
    response = employee_client.post(f"/me/opportunities/{opportunity.pk}/interested", {"note": "x" * 2001}, follow=True)
    assert "at most 2000 characters" in response.content.decode()
    assert not OpportunityInterest.objects.exists()


def test_the_posters_answer_reaches_the_inbox_and_the_employees_list(client, employee, poster, opportunity):
    interest = OpportunityInterest.objects.create(owner=employee, opportunity=opportunity, note="Keen")
    client.force_login(poster)
    response = client.post(f"/me/opportunities/interest/{interest.pk}/answer", {"answer": "Let us talk on Monday"})
    assert response.status_code == 302
    assert client.post(f"/me/opportunities/interest/{interest.pk}/answer", {"answer": "Again"}).status_code == 302
    interest.refresh_from_db()
    assert interest.answer == "Let us talk on Monday"
    [notification] = _inbox(employee)
    client.force_login(employee)
    assert client.get(notification.url).status_code == 200
    assert "Let us talk on Monday" in client.get("/me/opportunities/").content.decode()


def test_nobody_else_reads_who_is_interested(client, employee, other_employee, curator, poster, opportunity):
    OpportunityInterest.objects.create(owner=employee, opportunity=opportunity, note="Private note")
    for user in (other_employee, curator):
        client.force_login(user)
        page = client.get(opportunity.get_absolute_url()).content.decode()
        assert "Private note" not in page
        assert "People interested" not in page
        assert "Private note" not in client.get("/me/opportunities/").content.decode()


@pytest.mark.parametrize("interested", [1, 12])
def test_the_posters_page_query_count_does_not_grow_with_interested_people(
    client, poster, opportunity, django_assert_num_queries, interested
):
    for _ in range(interested):
        OpportunityInterest.objects.create(owner=factories.UserFactory(), opportunity=opportunity, plan_shared=True)
    client.force_login(poster)
    # session, user, the opportunity with its function and poster, its skills, the interested with their plans
    with django_assert_num_queries(5):
        response = client.get(opportunity.get_absolute_url())
    assert response.status_code == 200


def test_deleting_the_toolkit_deletes_the_interests(employee_client, employee, opportunity):
    from reflection import services

    OpportunityInterest.objects.create(owner=employee, opportunity=opportunity, note="Keen")
    services.toolkit_delete(employee)
    assert not OpportunityInterest.objects.exists()


def test_no_interest_once_the_poster_has_left(employee_client, poster, opportunity):
    poster.is_active = False
    poster.save(update_fields=["is_active"])
    response = employee_client.post(f"/me/opportunities/{opportunity.pk}/interested", {"note": "Hello?"}, follow=True)
    assert "Its poster has left" in response.content.decode()
    assert not OpportunityInterest.objects.exists()

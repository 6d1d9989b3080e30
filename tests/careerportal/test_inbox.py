"""The inbox: everything addressed to someone, with its unread count in the header, and the emails they chose."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from careerportal import notifications
from careerportal.models import EmailPreference, Notification
from reflection import services
from tests.careerportal.test_notifications import LOCMEM, logged_in
from tests.reflection.factories import ObjectiveFactory, PlanShareFactory

pytestmark = pytest.mark.django_db


def mona_comments(erin, mona, body="Talk to the buyers first."):
    objective = ObjectiveFactory(owner=erin, title="Lead a negotiation")
    PlanShareFactory(owner=erin, shared_with=mona)
    logged_in(mona).post(objective.get_absolute_url(), {"body": body})
    return objective


def item(erin, **fields) -> Notification:
    return Notification.objects.create(
        recipient=erin, kind=Notification.Kind.SHARE, **{"text": "Sam shared a plan", "url": "/me/", **fields}
    )


def test_a_managers_comment_puts_an_unread_item_in_the_inbox_with_the_count_in_the_header(erin, mona):
    objective = mona_comments(erin, mona)
    client = logged_in(erin)

    home = client.get(reverse("home")).content.decode()
    assert 'Inbox <span class="count">1<span class="visually-hidden"> unread</span>' in home

    inbox = client.get(reverse("inbox")).content.decode()
    [notification] = Notification.objects.filter(recipient=erin)
    assert "Mona Manager commented on “Lead a negotiation”" in inbox
    assert "inbox__item--unread" in inbox
    assert (notification.kind, notification.actor, notification.url) == (
        Notification.Kind.COMMENT,
        mona,
        objective.get_absolute_url(),
    )
    assert not Notification.objects.filter(recipient=mona).exists()  # nothing for the author


def test_opening_an_item_marks_it_read_and_goes_where_it_leads(erin, mona):
    objective = mona_comments(erin, mona)
    client = logged_in(erin)
    [notification] = Notification.objects.filter(recipient=erin)

    response = client.get(reverse("inbox_open", args=[notification.pk]))

    assert response.status_code == 302 and response.url == objective.get_absolute_url()
    notification.refresh_from_db()
    first_read = notification.read_at
    assert first_read is not None
    assert '<span class="count">' not in client.get(reverse("home")).content.decode()
    client.get(reverse("inbox_open", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.read_at == first_read  # the first reading's time stays


def test_nobody_opens_or_marks_another_persons_item(erin, mona):
    notification = item(erin)
    response = logged_in(mona).get(reverse("inbox_open", args=[notification.pk]))
    assert response.status_code == 404
    logged_in(mona).post(reverse("inbox_read_all"))
    notification.refresh_from_db()
    assert notification.read_at is None
    assert "Sam shared a plan" not in logged_in(mona).get(reverse("inbox")).content.decode()


def test_an_item_leading_off_the_site_opens_the_inbox_instead(erin):
    notification = item(erin, url="https://evil.example/phish")
    response = logged_in(erin).get(reverse("inbox_open", args=[notification.pk]))
    assert response.url == reverse("inbox")


def test_mark_all_as_read(erin):
    first, second = item(erin), item(erin, text="Ann asked you for a conversation")
    response = logged_in(erin).post(reverse("inbox_read_all"), follow=True)
    assert "2 items marked as read." in response.content.decode()
    assert Notification.objects.filter(pk__in=[first.pk, second.pk], read_at__isnull=True).count() == 0


def test_the_inbox_lists_newest_first_and_pages(erin):
    for n in range(35):
        item(erin, text=f"Item {n:02}", created_at=timezone.now() - datetime.timedelta(minutes=60 - n))
    client = logged_in(erin)
    first = client.get(reverse("inbox")).content.decode()
    assert first.index("Item 34") < first.index("Item 33")
    assert "Item 04" not in first
    assert "Item 04" in client.get(reverse("inbox"), {"page": 2}).content.decode()


def test_the_inbox_costs_the_same_queries_for_more_items(erin, django_assert_num_queries):
    client = logged_in(erin)
    item(erin)
    with django_assert_num_queries(4):  # the session, the account with its unread count, the page's count and rows
        client.get(reverse("inbox"))
    for _ in range(20):
        item(erin)
    with django_assert_num_queries(4):
        client.get(reverse("inbox"))


def test_the_unread_count_costs_no_query_of_its_own(erin, django_assert_num_queries):
    item(erin)
    item(erin)
    client = logged_in(erin)
    with django_assert_num_queries(3):  # the session, the account with its unread count, the email choices
        page = client.get(reverse("inbox_email")).content.decode()
    assert '<span class="count">2<span class="visually-hidden"> unread in your inbox</span>' in page


def test_an_account_made_inactive_is_logged_out(erin):
    client = logged_in(erin)
    erin.is_active = False
    erin.save()
    response = client.get(reverse("inbox"))
    assert response.status_code == 302 and reverse("login") in response.url


# Emails, as each person chooses per kind.


def test_with_no_email_chosen_the_item_arrives_and_no_email_is_queued(erin, mona, settings, tasks_run):
    settings.MAILERS = LOCMEM
    EmailPreference.objects.create(user=erin, kind=Notification.Kind.COMMENT, delivery=EmailPreference.Delivery.NONE)
    mona_comments(erin, mona)
    tasks_run()
    assert Notification.objects.filter(recipient=erin).count() == 1
    assert mail.outbox == []


def test_a_daily_digest_lists_what_is_still_unread_in_one_email_at_the_digest_hour(erin, mona, settings, tasks_run):
    settings.MAILERS = LOCMEM
    logged_in(erin).post(
        reverse("inbox_email"), {"comment": "daily", "share": "now", "request": "daily", "opportunity": "none"}
    )
    mona_comments(erin, mona, body="First")
    Notification.objects.filter(recipient=erin).update(read_at=timezone.now())  # read in the portal already
    objective = ObjectiveFactory(owner=erin, title="Run the budget")
    services.objective_comment(objective=objective, author=mona, body="Second")
    services.conversation_request(owner=mona, colleague=erin, message="", objectives=[], stories=[])

    [digest] = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path__endswith="email_digest_send")
    assert digest.run_after == notifications.digest_due(timezone.now())
    tasks_run()
    assert mail.outbox == []  # not due yet

    DBTaskResult.objects.filter(pk=digest.pk).update(run_after=timezone.now())
    tasks_run()
    tasks_run()  # the digest queues its email as a task of its own
    [email] = mail.outbox
    assert email.to == ["erin@example.com"]
    assert email.subject == "Career stories: 2 new items in your inbox"
    assert "Mona Manager commented on “Run the budget”" in email.body
    assert "Mona Manager asks you for a career conversation" in email.body
    assert "Lead a negotiation" not in email.body  # read before the digest
    assert not Notification.objects.filter(recipient=erin, in_digest=True).exists()


def test_the_digest_hour_is_the_next_one_in_the_portals_time_zone(settings):
    settings.PORTAL_DIGEST_HOUR = 8
    london = zoneinfo.ZoneInfo("Europe/London")
    early = datetime.datetime(2026, 12, 1, 7, 30, tzinfo=london)
    late = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=london)
    assert notifications.digest_due(early) == datetime.datetime(2026, 12, 1, 8, 0, tzinfo=london)
    assert notifications.digest_due(late) == datetime.datetime(2026, 12, 2, 8, 0, tzinfo=london)


def test_email_choices_are_saved_per_kind_and_a_bad_choice_changes_nothing(erin):
    client = logged_in(erin)
    form = client.get(reverse("inbox_email")).context["form"]
    assert {name: form[name].initial for name in form.fields} == dict.fromkeys(form.fields, "now")

    response = client.post(
        reverse("inbox_email"), {"comment": "daily", "share": "never", "request": "now", "opportunity": "none"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not EmailPreference.objects.filter(user=erin).exists()

    client.post(reverse("inbox_email"), {"comment": "daily", "share": "none", "request": "now", "opportunity": "none"})
    assert notifications.email_preferences(erin) == {
        "comment": "daily",
        "share": "none",
        "request": "now",
        "opportunity": "none",
    }

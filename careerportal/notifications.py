"""Notifications: an inbox row for everything addressed to someone (`notify`), and emails, each a task of Django's
tasks framework queued with the write it tells about and sent by a worker, never inside a request.

Each person chooses per kind of item whether an email follows straight away, in a daily digest, or not at all
(`EmailPreference`; without a choice, straight away). The digest is a task too: the first item that waits for it
queues it for the next digest hour (PORTAL_DIGEST_HOUR, the portal's time zone), and it sends one email listing what
is still unread by then.

With the default backend (django-tasks-db) the queue is a table of the portal's database, so the task row commits
with the comment or share, or rolls back with it: no email is lost, none is sent for a write that did not happen,
and a mail server that is down delays the email, never the write. The worker (`manage.py db_worker`, see README)
sends it and, while the mail server is unreachable, tries again later.
"""

import logging
from datetime import datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import TaskContext, task
from django.urls import reverse
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from careerportal.models import EmailPreference, Notification

logger = logging.getLogger(__name__)

# Tries before an email is given up: the delays between them grow from a minute to an hour, about a day in all.
EMAIL_ATTEMPTS = 30


def email_enqueue(*, to: str, subject: str, body: str) -> None:
    """Queues an email to one address; the worker sends it once the current transaction has committed."""
    enqueue = partial(email_send.enqueue, to=to, subject=subject, body=body)
    if isinstance(email_send.get_backend(), DatabaseBackend):
        enqueue()  # a row in this database: it commits or rolls back with the write around it
    else:
        # A queue outside the database (RQ, Celery) could run the task before the write commits, or after it rolled
        # back: hand it over once the write is in. If the queue is down then, the email is logged as lost and the
        # write stands.
        transaction.on_commit(enqueue, robust=True)


def email_retry_delay(attempt: int) -> timedelta:
    """How long to wait after a failed attempt: 1, 2, 4 … minutes, at most an hour."""
    return timedelta(minutes=min(2 ** (attempt - 1), 60))


@task(takes_context=True)
def email_send(context: TaskContext, *, to: str, subject: str, body: str, attempt: int = 1) -> str:
    """Sends one email. While the mail server cannot be reached or refuses for now, queues itself again, later.

    Logs name the task, not the recipient or subject (a subject can quote a private objective's title); the task's
    row holds both.
    """
    task_id = context.task_result.id
    try:
        send_mail(subject, body, None, [to])
    except OSError as error:  # smtplib.SMTPException and refused, reset or timed-out connections are all OSErrors
        if attempt >= EMAIL_ATTEMPTS:
            logger.error("Email task %s not sent after %d attempts, given up: %s", task_id, attempt, error)
            raise
        delay = email_retry_delay(attempt)
        email_send.using(run_after=timezone.now() + delay).enqueue(
            to=to, subject=subject, body=body, attempt=attempt + 1
        )
        logger.warning(
            "Email task %s not sent (attempt %d of %d): %s; trying again in %d s",
            task_id,
            attempt,
            EMAIL_ATTEMPTS,
            error,
            delay.total_seconds(),
        )
        return f"not sent (attempt {attempt}): {error}; queued again"
    return "sent"


def email_delivery(user, kind: str) -> str:
    """How `user` wants to hear of items of `kind` by email (an EmailPreference.Delivery value)."""
    chosen = EmailPreference.objects.filter(user=user, kind=kind).values_list("delivery", flat=True).first()
    return chosen or EmailPreference.Delivery.NOW


def email_preferences(user) -> dict[str, str]:
    """{kind: delivery} for the kinds `user` chose a delivery for."""
    return dict(EmailPreference.objects.filter(user=user).values_list("kind", "delivery"))


@transaction.atomic
def email_preferences_set(*, user, chosen: dict[str, str]) -> None:
    """Keeps `user`'s choice of delivery per kind. Items already waiting for a digest still go in it."""
    for kind, delivery in chosen.items():
        EmailPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})


def inbox_read(*, notification: Notification) -> None:
    """Marks one item read (once: the first reading's time stays)."""
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def inbox_read_all(*, user) -> int:
    """Marks every unread item of `user`'s inbox read; returns how many were unread."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notify(*, recipient, kind: str, text: str, url: str, actor=None, detail: str = "") -> Notification:
    """Puts an item in the recipient's inbox and, as they chose for this kind, queues an email now or for the day's
    digest. Call it inside the write it tells about: the row and the email commit or roll back with it.

    `text` is one line naming what happened; `url` is the portal path it leads to, which the recipient may open;
    `detail` (a comment's words, an agenda) goes in the email straight away only, under the text.
    """
    delivery = email_delivery(recipient, kind) if recipient.email else EmailPreference.Delivery.NONE
    if delivery == EmailPreference.Delivery.DAILY and not recipient.notifications.filter(in_digest=True).exists():
        email_digest_send.using(run_after=digest_due(timezone.now())).enqueue(user_id=recipient.pk)
    notification = Notification.objects.create(
        recipient=recipient,
        actor=actor,
        kind=kind,
        text=text,
        url=url,
        in_digest=delivery == EmailPreference.Delivery.DAILY,
    )
    if delivery == EmailPreference.Delivery.NOW:
        link = f"{settings.PORTAL_BASE_URL}{url}"
        email_enqueue(to=recipient.email, subject=text, body="\n\n".join(filter(None, [text, detail, link])))
    return notification


def digest_due(now: datetime) -> datetime:
    """The next digest hour after `now`, in the portal's time zone."""
    local = timezone.localtime(now)
    due = timezone.make_aware(datetime.combine(local.date(), time(settings.PORTAL_DIGEST_HOUR)))
    return due if due > now else timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), due.time()))


@task()
def email_digest_send(*, user_id: int) -> str:
    """Emails one person the items that waited for their daily digest and are still unread (one email, queued as its
    own task so that it is retried like any other), and takes them all off the digest."""
    with transaction.atomic():
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        waiting = list(Notification.objects.select_for_update().filter(recipient_id=user_id, in_digest=True))
        Notification.objects.filter(pk__in=[item.pk for item in waiting]).update(in_digest=False)
        items = [item for item in waiting if item.read_at is None]
        if user is None or not user.email or not items:
            return "nothing to send"
        lines = [f"- {item.text}\n  {settings.PORTAL_BASE_URL}{item.url}" for item in reversed(items)]
        count = len(items)
        email_enqueue(
            to=user.email,
            subject=f"Career stories: {count} new item{'s' if count != 1 else ''} in your inbox",
            body="\n\n".join(
                ["Since your last digest:", *lines, f"Your inbox: {settings.PORTAL_BASE_URL}{reverse('inbox')}"]
            ),
        )
    return f"digest of {count} sent to the queue"

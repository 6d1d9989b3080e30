"""Notifications by email: a task of Django's tasks framework, queued with the write it tells about and sent by a
worker, never inside a request.

With the default backend (django-tasks-db) the queue is a table of the portal's database, so the task row commits
with the comment or share, or rolls back with it: no email is lost, none is sent for a write that did not happen,
and a mail server that is down delays the email, never the write. The worker (`manage.py db_worker`, see README)
sends it and, while the mail server is unreachable, tries again later.
"""

import logging
from datetime import timedelta
from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.tasks import TaskContext, task
from django.utils import timezone
from django_tasks_db import DatabaseBackend

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

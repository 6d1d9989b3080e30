from django.conf import settings
from django.db import models
from django.utils import timezone


class LoginThrottle(models.Model):
    """Log-in attempts counted under one key, an account or an address, since the first of them (careerportal.auth)."""

    key = models.CharField(max_length=80, primary_key=True)
    attempts = models.PositiveIntegerField()
    window_start = models.DateTimeField()

    class Meta:
        # Pruning the rows whose window has passed, after each successful log-in (careerportal.auth).
        indexes = [models.Index(fields=["window_start"], name="loginthrottle_window_start")]

    def __str__(self) -> str:
        return f"{self.key}: {self.attempts} since {self.window_start:%Y-%m-%d %H:%M}"


class Profile(models.Model):
    """An account's place in the company directory, as the HR system's export says it (careerportal.directory).

    `left_on` is set when the person left (the export said so, or no longer listed them); the account's `is_active`
    follows it, so people who left cannot log in and are offered by no colleague picker. Their data stays theirs."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    # The HR system's key for the person; empty for accounts the directory does not manage (a local superuser).
    employee_id = models.CharField(max_length=64, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    # The functions and levels that stories are tagged with, not a list of the directory's own: "colleagues who were
    # where you are" and the insights by function compare a person's profile with stories' tags, so both must name
    # the same rows.
    function = models.ForeignKey(
        "stories.Function", on_delete=models.PROTECT, null=True, blank=True, related_name="profiles"
    )
    level = models.ForeignKey("stories.Level", on_delete=models.PROTECT, null=True, blank=True, related_name="profiles")
    location = models.CharField(max_length=200, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="direct_reports"
    )
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee_id"], condition=~models.Q(employee_id=""), name="profile_employee_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.get_username()} ({self.employee_id or 'no employee ID'})"


class Notification(models.Model):
    """One item of a person's inbox: something addressed to them, with where it leads (careerportal.notifications)."""

    class Kind(models.TextChoices):
        COMMENT = "comment", "Comments on my plan"
        SHARE = "share", "Plans and collections shared with me"
        REQUEST = "request", "Requests and their answers"
        OPPORTUNITY = "opportunity", "Opportunities"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Waiting for the recipient's daily digest email (their preference for this kind said so when it arrived).
    in_digest = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            # The header's unread count, on every page (careerportal.auth.with_session_facts).
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["recipient"], condition=models.Q(in_digest=True), name="notification_digest"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class EmailPreference(models.Model):
    """How a person wants to hear by email of one kind of inbox item; without a row, straight away."""

    class Delivery(models.TextChoices):
        NOW = "now", "Email me straight away"
        DAILY = "daily", "One email a day, listing them"
        NONE = "none", "No email: my inbox is enough"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences")
    kind = models.CharField(max_length=20, choices=Notification.Kind)
    delivery = models.CharField(max_length=10, choices=Delivery, default=Delivery.NOW)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="email_preference_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_delivery_display()}"

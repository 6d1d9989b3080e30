from django.conf import settings
from django.db import models


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
